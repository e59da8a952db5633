using System.Net.Security;
using LedgerCore.Tcp.Protocol;
using System.Security.Cryptography.X509Certificates;

namespace LedgerCore.Tcp;

/// <summary>
/// Settings of a <see cref="LedgerTcpClient"/>; setters reject values out of range. Read when the
/// client connects.
/// </summary>
/// <remarks>Not thread-safe; configure before connecting.</remarks>
public sealed class LedgerTcpClientOptions
{
    private string _host = "127.0.0.1";
    private int _port;
    private int _maxFrameBytes = 2 * 1024 * 1024;
    private TimeSpan _connectTimeout = TimeSpan.FromSeconds(10);
    private TimeSpan _requestTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The server's host name or address; 127.0.0.1 by default. Ignored when <see cref="Endpoints"/> is not empty.</summary>
    public string Host
    {
        get => _host;
        set => _host = string.IsNullOrWhiteSpace(value) ? throw new ArgumentException("A host is required.", nameof(value)) : value;
    }

    /// <summary>The server's port (see <see cref="LedgerTcpServer.Port"/>). Ignored when <see cref="Endpoints"/> is not empty.</summary>
    public int Port
    {
        get => _port;
        set => _port = value is >= 1 and <= 65535 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "Must be 1 to 65535.");
    }

    /// <summary>The shared secret the server expects in the handshake, if it expects one.</summary>
    public string? AuthToken { get; set; }

    /// <summary>
    /// When set, the connection is TLS with these options (<see cref="SslClientAuthenticationOptions.TargetHost"/>
    /// defaults to the host of the first server connected, which the client writes into these options: with
    /// several <see cref="Endpoints"/> set it to a name every server's certificate carries, or set a
    /// validation callback; set a validation callback to trust a private certificate too).
    /// </summary>
    public SslClientAuthenticationOptions? Tls { get; set; }

    /// <summary>
    /// The certificate, with its private key, presented to a server that requires client certificates
    /// (mutual TLS). Setting it implies TLS: <see cref="Tls"/>, or default options (the server's
    /// certificate checked against the machine's trust) when that is null. When set it replaces
    /// <see cref="SslClientAuthenticationOptions.ClientCertificateContext"/> of <see cref="Tls"/>; to send
    /// intermediate certificates too, leave it null and set that context instead.
    /// </summary>
    public X509Certificate2? ClientCertificate { get; set; }

    /// <summary>Time allowed to connect, including TLS and the handshake (10 s by default).</summary>
    public TimeSpan ConnectTimeout
    {
        get => _connectTimeout;
        set => _connectTimeout = value > TimeSpan.Zero && value.TotalMilliseconds <= int.MaxValue ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "Must be positive and at most 24 days.");
    }

    /// <summary>
    /// Time allowed for one call from send to response (30 s by default); <see cref="Timeout.InfiniteTimeSpan"/>
    /// for none. A call that times out throws <see cref="TimeoutException"/>; its outcome is unknown.
    /// </summary>
    public TimeSpan RequestTimeout
    {
        get => _requestTimeout;
        set => _requestTimeout = value == Timeout.InfiniteTimeSpan || (value > TimeSpan.Zero && value.TotalMilliseconds <= int.MaxValue) ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "Must be positive (at most 24 days) or infinite.");
    }

    /// <summary>
    /// The largest response frame accepted (2 MiB by default); a longer one drops the connection. The
    /// client bounds its requests so that answers fit it as well as the server's limit (see
    /// <see cref="LedgerTcpClient.ResultsMax"/>).
    /// </summary>
    public int MaxFrameBytes
    {
        get => _maxFrameBytes;
        set => _maxFrameBytes = value is >= LedgerTcpServerOptions.MaxFrameBytesMin and <= LedgerTcpServerOptions.MaxFrameBytesMax ? value : throw new ArgumentOutOfRangeException(nameof(value), value, $"Must be {LedgerTcpServerOptions.MaxFrameBytesMin} to {LedgerTcpServerOptions.MaxFrameBytesMax}.");
    }

    /// <summary>
    /// Whether a call after a lost connection connects again first (true by default). When off, the client
    /// neither reconnects nor retries: every failure reaches the caller.
    /// </summary>
    public bool AutoReconnect { get; set; } = true;

    /// <summary>
    /// The servers of a replicated ledger, each as <c>host:port</c> (an IPv6 address in brackets:
    /// <c>[::1]:5000</c>); when not empty they replace <see cref="Host"/> and <see cref="Port"/>. The client
    /// connects to the first that answers, in order. A server whose replica is not the leader answers
    /// <see cref="LedgerTcpErrorCode.NotLeader"/>: the client then connects to the leader's server it names
    /// (or, when it names none, the next endpoint) and sends the same request again, same ids, a bounded
    /// number of times within <see cref="RequestTimeout"/>; see <see cref="RetryLostConnections"/> for lost
    /// connections. Every server must serve the same ledger (the same <see cref="LedgerTcpClient.LedgerId"/>).
    /// </summary>
    /// <remarks>Checked when the client connects: an entry that is not <c>host:port</c> with a port of 1 to 65535 is an <see cref="ArgumentException"/>.</remarks>
    public IList<string> Endpoints { get; } = new List<string>();

    /// <summary>
    /// Whether a call whose connection is lost (or cannot be made) is sent again, on the next endpoint, a
    /// bounded number of times within <see cref="RequestTimeout"/>: reads freely, creates with the same ids,
    /// which is safe because creation is idempotent (an event an earlier attempt applied answers
    /// <c>Exists</c>; a transfer an earlier attempt refused for a condition of the moment, such as
    /// <c>ExceedsCredits</c>, answers <c>IdAlreadyFailed</c>). Null (the default) means on
    /// with two or more <see cref="Endpoints"/> and off otherwise, where the caller sees
    /// <see cref="LedgerTcpConnectionException"/> as before. Requires <see cref="AutoReconnect"/>.
    /// </summary>
    public bool? RetryLostConnections { get; set; }

    /// <summary>The servers to try, in order: <see cref="Endpoints"/>, or <see cref="Host"/> and <see cref="Port"/>.</summary>
    /// <exception cref="ArgumentException">An entry of <see cref="Endpoints"/> is not <c>host:port</c>.</exception>
    internal (string Host, int Port)[] ResolveEndpoints()
    {
        if (Endpoints.Count == 0) return [(Host, Port)];
        var resolved = new (string Host, int Port)[Endpoints.Count];
        for (int i = 0; i < resolved.Length; i++)
        {
            if (!HostPort.TryParse(Endpoints[i], out string host, out int port))
            {
                throw new ArgumentException($"Endpoint {i} ('{Endpoints[i]}') is not host:port with a port of 1 to 65535 (an IPv6 address goes in brackets: [::1]:5000).", nameof(Endpoints));
            }

            resolved[i] = (host, port);
        }

        return resolved;
    }
}
