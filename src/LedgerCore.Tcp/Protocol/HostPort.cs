using System.Globalization;
using System.Net;

namespace LedgerCore.Tcp.Protocol;

/// <summary>
/// The <c>host:port</c> text form of an endpoint, as the NotLeader error carries it and as
/// <see cref="LedgerTcpClientOptions.Endpoints"/> takes it: an IPv6 address in brackets
/// (<c>[::1]:5000</c>), anything else as is (<c>127.0.0.1:5000</c>, <c>ledger-2.internal:5000</c>).
/// </summary>
internal static class HostPort
{
    /// <summary>The text form of an <see cref="IPEndPoint"/> or <see cref="DnsEndPoint"/>; null for other kinds, which have no host and port to give.</summary>
    public static string? Format(EndPoint? endpoint) => endpoint switch
    {
        IPEndPoint ip => ip.ToString(),
        DnsEndPoint dns => Format(dns.Host, dns.Port),
        _ => null,
    };

    public static string Format(string host, int port) =>
        (host.Contains(':', StringComparison.Ordinal) && !host.StartsWith('[') ? $"[{host}]" : host) + ":" + port.ToString(CultureInfo.InvariantCulture);

    /// <summary>Splits <c>host:port</c> (the port 1 to 65535, the host not empty; an IPv6 address in brackets).</summary>
    public static bool TryParse(string? text, out string host, out int port)
    {
        host = string.Empty;
        port = 0;
        if (string.IsNullOrWhiteSpace(text)) return false;
        int colon = text.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535) return false;
        string name = text[..colon];
        if (name.StartsWith('[') && name.EndsWith(']')) name = name[1..^1];
        else if (name.Contains(':', StringComparison.Ordinal)) return false; // an IPv6 address without brackets is ambiguous
        if (name.Length == 0 || name.AsSpan().IndexOfAny(" \t\r\n/") >= 0) return false;
        host = name;
        return true;
    }
}
