using System.Net;
using System.Security.Cryptography.X509Certificates;

namespace LedgerCore.Tcp;

/// <summary>
/// Settings of a <see cref="LedgerTcpServer"/>. Every limit is explicit; setters reject values out of
/// range. Read once when the server is constructed: later changes have no effect on it.
/// </summary>
/// <remarks>Not thread-safe; configure before handing to the server.</remarks>
public sealed class LedgerTcpServerOptions
{
    /// <summary>The smallest allowed <see cref="MaxFrameBytes"/>.</summary>
    public const int MaxFrameBytesMin = 4 * 1024;

    /// <summary>The largest allowed <see cref="MaxFrameBytes"/>.</summary>
    public const int MaxFrameBytesMax = 64 * 1024 * 1024;

    private IPAddress _address = IPAddress.Loopback;
    private int _port;
    private int _maxFrameBytes = 2 * 1024 * 1024;
    private int _maxConnections = 256;
    private int _maxInFlightPerConnection = 32;
    private TimeSpan _handshakeTimeout = TimeSpan.FromSeconds(10);
    private TimeSpan _idleTimeout = TimeSpan.FromMinutes(5);
    private string? _authToken;

    /// <summary>
    /// The address to listen on; <see cref="IPAddress.Loopback"/> by default. Anything but a loopback
    /// address requires <see cref="Certificate"/>: without TLS the token and the ledger's data would
    /// cross the network in clear.
    /// </summary>
    public IPAddress Address
    {
        get => _address;
        set => _address = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>The TCP port; 0 (the default) picks a free one, see <see cref="LedgerTcpServer.Port"/>.</summary>
    public int Port
    {
        get => _port;
        set => _port = value is >= 0 and <= 65535 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "Must be 0 to 65535.");
    }

    /// <summary>When set, every connection is TLS with this certificate (which must have its private key).</summary>
    public X509Certificate2? Certificate { get; set; }

    /// <summary>
    /// When set, clients must authenticate with a certificate during TLS (mutual TLS), checked as
    /// these options say; requires <see cref="Certificate"/>. Combines with <see cref="AuthToken"/>:
    /// with both, a client needs both; with only this, the handshake's token is not checked.
    /// </summary>
    public LedgerTcpClientCertificateOptions? ClientCertificates { get; set; }

    /// <summary>
    /// When set, the handshake must carry this token (compared in constant time); otherwise any
    /// handshake is accepted, whatever token it carries. Send it only over TLS or loopback.
    /// </summary>
    /// <exception cref="ArgumentException">Set to an empty string: that would accept a handshake without a token; use null for no authentication.</exception>
    public string? AuthToken
    {
        get => _authToken;
        set => _authToken = value is { Length: 0 } ? throw new ArgumentException("An empty token would accept handshakes without one: set a secret, or null for no authentication.", nameof(value)) : value;
    }

    /// <summary>
    /// The largest frame (16-byte header plus body) in either direction, in bytes; 2 MiB by default,
    /// which holds a full batch of 8190 events at their widest encoding (about 1.2 MB). A longer length
    /// prefix is refused before anything is allocated. Below 1,212,141 bytes the server takes fewer
    /// events and ids per request and answers fewer records (148 bytes each), so that every answer fits:
    /// docs/protocol.md, "Limits".
    /// </summary>
    public int MaxFrameBytes
    {
        get => _maxFrameBytes;
        set => _maxFrameBytes = value is >= MaxFrameBytesMin and <= MaxFrameBytesMax ? value : throw new ArgumentOutOfRangeException(nameof(value), value, $"Must be {MaxFrameBytesMin} to {MaxFrameBytesMax}.");
    }

    /// <summary>The most connections held at once (256 by default); one more is told <see cref="LedgerTcpErrorCode.TooManyConnections"/> and closed.</summary>
    public int MaxConnections
    {
        get => _maxConnections;
        set => _maxConnections = value is >= 1 and <= 65_536 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "Must be 1 to 65536.");
    }

    /// <summary>
    /// The most requests one connection may have in flight (32 by default). At the limit the server
    /// stops reading that connection until a response is sent: backpressure, not an error.
    /// </summary>
    public int MaxInFlightPerConnection
    {
        get => _maxInFlightPerConnection;
        set => _maxInFlightPerConnection = value is >= 1 and <= 4096 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "Must be 1 to 4096.");
    }

    /// <summary>Time allowed from accept to a completed handshake, TLS included (10 s by default).</summary>
    public TimeSpan HandshakeTimeout
    {
        get => _handshakeTimeout;
        set => _handshakeTimeout = Positive(value);
    }

    /// <summary>
    /// How long a connection may stay idle — no whole frame read or written, and no request in flight —
    /// before it is closed (5 min by default). A frame started but not finished in time (slowloris) and
    /// a silent connection are both closed; idle clients should ping.
    /// </summary>
    public TimeSpan IdleTimeout
    {
        get => _idleTimeout;
        set => _idleTimeout = Positive(value);
    }

    /// <summary>
    /// When set, clients may back the ledger up (<see cref="LedgerTcpClient.BackupAsync"/>,
    /// <see cref="LedgerEngine.BackupAsync"/>) into a new directory under this one, on the server's
    /// filesystem; null (the default) refuses backups (<see cref="LedgerTcpErrorCode.BackupNotEnabled"/>).
    /// A client names only a relative path inside it, so it cannot make the server write anywhere else.
    /// Requires <see cref="AuthToken"/> or <see cref="ClientCertificates"/>: an anonymous client may not
    /// make the server write files.
    /// </summary>
    public string? BackupDirectory { get; set; }

    /// <summary>Checks what the setters cannot check alone.</summary>
    /// <exception cref="ArgumentException">A non-loopback <see cref="Address"/> without a <see cref="Certificate"/>;
    /// <see cref="ClientCertificates"/> without a <see cref="Certificate"/>, with neither trusted roots nor
    /// pins, or with a pin that is not a SHA-256 thumbprint; <see cref="BackupDirectory"/> without <see cref="AuthToken"/>
    /// or <see cref="ClientCertificates"/>, or empty.</exception>
    public void Validate()
    {
        if (BackupDirectory is not null)
        {
            if (string.IsNullOrWhiteSpace(BackupDirectory)) throw new ArgumentException("The backup directory is empty: set a directory, or null to refuse backups.", nameof(BackupDirectory));
            if (AuthToken is null && ClientCertificates is null) throw new ArgumentException("Backups write files on the server: set AuthToken or ClientCertificates so that only authenticated clients can ask for them.", nameof(BackupDirectory));
        }

        if (!IPAddress.IsLoopback(Address) && Certificate is null)
        {
            throw new ArgumentException($"Listening on {Address} without TLS would expose the ledger in clear: set Certificate or listen on loopback.", nameof(Address));
        }

        if (ClientCertificates is { } clients)
        {
            if (Certificate is null) throw new ArgumentException("Client certificates are checked during TLS: set Certificate too.", nameof(ClientCertificates));
            _ = clients.Validate();
        }
    }

    private static TimeSpan Positive(TimeSpan value) =>
        value > TimeSpan.Zero && value.TotalMilliseconds <= int.MaxValue ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "Must be positive and at most 24 days.");

    /// <summary>
    /// For a server in front of a replica of a replicated ledger: maps the leader a refusing replica names
    /// (<see cref="NotLeaderException.LeaderEndpoint"/>, its replication endpoint) to the endpoint of the
    /// <see cref="LedgerTcpServer"/> in front of that leader, which the <see cref="LedgerTcpErrorCode.NotLeader"/>
    /// error then names as <c>host:port</c>. Return an <see cref="IPEndPoint"/> or <see cref="DnsEndPoint"/>,
    /// or null when unknown. When this is null (the default) the error names no leader: replication
    /// endpoints are not client endpoints, and clients fall back to their other endpoints.
    /// </summary>
    public Func<EndPoint, EndPoint?>? LeaderEndpointMap { get; set; }
}
