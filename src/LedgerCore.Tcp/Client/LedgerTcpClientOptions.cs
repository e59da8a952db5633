using System.Net.Security;
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

    /// <summary>The server's host name or address; 127.0.0.1 by default.</summary>
    public string Host
    {
        get => _host;
        set => _host = string.IsNullOrWhiteSpace(value) ? throw new ArgumentException("A host is required.", nameof(value)) : value;
    }

    /// <summary>The server's port (see <see cref="LedgerTcpServer.Port"/>).</summary>
    public int Port
    {
        get => _port;
        set => _port = value is >= 1 and <= 65535 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "Must be 1 to 65535.");
    }

    /// <summary>The shared secret the server expects in the handshake, if it expects one.</summary>
    public string? AuthToken { get; set; }

    /// <summary>
    /// When set, the connection is TLS with these options (<see cref="SslClientAuthenticationOptions.TargetHost"/>
    /// defaults to <see cref="Host"/>; set a validation callback to trust a private certificate).
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

    /// <summary>Whether a call after a lost connection connects again first (true by default).</summary>
    public bool AutoReconnect { get; set; } = true;
}
