using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using LedgerCore.Tcp.Protocol;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace LedgerCore.Tcp;

/// <summary>
/// Puts a ledger (<see cref="ILedger"/>: a <see cref="LedgerEngine"/>, or a replica of a replicated ledger) on the network: accepts connections, checks each one's
/// handshake (and TLS when configured), and runs their requests against the engine concurrently —
/// the engine coalesces many small requests into large journal batches by itself.
/// </summary>
/// <remarks>
/// <para>The server does not own the engine: dispose the engine after the server.</para>
/// <para>Bad input costs only its own connection: each error is answered with an error frame (see
/// <see cref="LedgerTcpErrorCode"/>), and other connections go on.</para>
/// <para>Thread-safe.</para>
/// </remarks>
public sealed class LedgerTcpServer : IAsyncDisposable
{
    private readonly ConcurrentDictionary<long, ServerConnection> _connections = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _gate = new();
    private Socket? _listener;
    private Task _acceptLoop = Task.CompletedTask;
    private long _nextConnectionId;
    private int _connectionCount;
    private int _state; // 0 created, 1 started, 2 stopped

    /// <summary>Creates a server for <paramref name="ledger"/>; call <see cref="StartAsync"/> to listen.</summary>
    /// <exception cref="ArgumentException">The options are invalid (see <see cref="LedgerTcpServerOptions.Validate"/>).</exception>
    public LedgerTcpServer(ILedger ledger, LedgerTcpServerOptions options)
        : this(ledger, options, null)
    {
    }

    /// <summary>
    /// Creates a server for <paramref name="ledger"/> that logs connection-level security events to
    /// <paramref name="logger"/> (client certificates accepted, with their subject, and refused, with the reason),
    /// and the details of any unexpected request failure (the client is told only that its request failed).
    /// </summary>
    /// <exception cref="ArgumentException">The options are invalid (see <see cref="LedgerTcpServerOptions.Validate"/>).</exception>
    public LedgerTcpServer(ILedger ledger, LedgerTcpServerOptions options, ILogger? logger)
    {
        ArgumentNullException.ThrowIfNull(ledger);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Engine = ledger;
        Address = options.Address;
        RequestedPort = options.Port;
        Certificate = options.Certificate;
        Logger = logger ?? NullLogger.Instance;
        ClientCertificates = options.ClientCertificates is { } clients ? new ClientCertificateValidator(clients, Logger) : null;
        TokenHash = options.AuthToken is null ? null : SHA256.HashData(Encoding.UTF8.GetBytes(options.AuthToken));
        MaxFrameBytes = options.MaxFrameBytes;
        MaxConnections = options.MaxConnections;
        MaxInFlightPerConnection = options.MaxInFlightPerConnection;
        HandshakeTimeout = options.HandshakeTimeout;
        IdleTimeout = options.IdleTimeout;
        ResultsMax = BodyCodec.ResultsMaxFor(MaxFrameBytes);
        BatchEventsMax = Math.Min(ResultsMax, ledger.MaxBatchSize);
        ChangeEventsMax = BodyCodec.ChangeEventsMaxFor(MaxFrameBytes);
        LeaderEndpointMap = options.LeaderEndpointMap;
        BackupDirectory = options.BackupDirectory is null ? null : Path.GetFullPath(options.BackupDirectory);
    }

    /// <summary>The full path backups are written under, or null when backups are refused.</summary>
    internal string? BackupDirectory { get; }

    private Func<EndPoint, EndPoint?>? LeaderEndpointMap { get; }

    /// <summary>The <c>host:port</c> a NotLeader error names for the leader a replica knows, or null (see <see cref="LedgerTcpServerOptions.LeaderEndpointMap"/>).</summary>
    internal string? MapLeader(EndPoint? replicationEndpoint) =>
        replicationEndpoint is null || LeaderEndpointMap is not { } map ? null : HostPort.Format(map(replicationEndpoint));

    /// <summary>Where unexpected request failures and client-certificate decisions are logged (the wire only says that a request failed).</summary>
    internal ILogger Logger { get; }

    /// <summary>The port the server listens on: the one chosen by the system when the options said 0. Zero before <see cref="StartAsync"/>.</summary>
    public int Port { get; private set; }

    /// <summary>The address the server listens on.</summary>
    public IPAddress Address { get; }

    /// <summary>Connections currently open (including ones being refused).</summary>
    public int ConnectionCount => Volatile.Read(ref _connectionCount);

    internal ILedger Engine { get; }

    internal System.Security.Cryptography.X509Certificates.X509Certificate2? Certificate { get; }

    internal ClientCertificateValidator? ClientCertificates { get; }

    internal byte[]? TokenHash { get; }

    internal int MaxFrameBytes { get; }

    /// <summary>The most records an answer holds, hence the most ids a lookup takes: what fits <see cref="MaxFrameBytes"/> (announced in the handshake).</summary>
    internal int ResultsMax { get; }

    /// <summary>The most events a create request takes: the engine's batch limit, within <see cref="ResultsMax"/> (announced in the handshake).</summary>
    internal int BatchEventsMax { get; }

    /// <summary>The most change events an answer holds: what fits <see cref="MaxFrameBytes"/>, within the engine's own bound (announced in the handshake).</summary>
    internal int ChangeEventsMax { get; }

    internal int MaxConnections { get; }

    internal int MaxInFlightPerConnection { get; }

    internal TimeSpan HandshakeTimeout { get; }

    internal TimeSpan IdleTimeout { get; }

    private int RequestedPort { get; }

    /// <summary>Binds and starts accepting connections. Returns once the port is bound.</summary>
    /// <exception cref="InvalidOperationException">Already started or stopped.</exception>
    /// <exception cref="SocketException">The address or port cannot be bound.</exception>
    public Task StartAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (_state != 0) throw new InvalidOperationException("The server was already started.");
            var listener = new Socket(Address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                listener.Bind(new IPEndPoint(Address, RequestedPort));
                listener.Listen(512);
            }
            catch
            {
                listener.Dispose();
                throw;
            }

            _listener = listener;
            Port = ((IPEndPoint)listener.LocalEndPoint!).Port;
            _state = 1;
            _acceptLoop = Task.Run(AcceptLoopAsync, CancellationToken.None);
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// Graceful stop: stops accepting, stops reading new requests, lets every request in flight finish
    /// and its response go out, tells each client <see cref="LedgerTcpErrorCode.ShuttingDown"/>, then
    /// closes. Cancelling <paramref name="cancellationToken"/> turns it into a hard stop: connections
    /// are closed at once (their in-flight requests may still commit in the engine).
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (_state == 2) return;
            _state = 2;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        _listener?.Dispose();
        await _acceptLoop.ConfigureAwait(false);

        ServerConnection[] connections = [.. _connections.Values];
        foreach (ServerConnection connection in connections) connection.StopReading();
        Task all = Task.WhenAll(connections.Select(c => c.Completion));
        try
        {
            await all.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            foreach (ServerConnection connection in connections) connection.Abort();
            await all.ConfigureAwait(false);
        }
    }

    /// <summary>Stops gracefully (see <see cref="StopAsync"/>) and releases the listener.</summary>
    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        Socket listener = _listener!;
        while (!_stopping.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException || (ex is SocketException && _stopping.IsCancellationRequested))
            {
                return;
            }
            catch (SocketException)
            {
                // A connection that died before it was accepted (reset in the backlog): keep accepting.
                continue;
            }

            socket.NoDelay = true;
            bool admitted = Interlocked.Increment(ref _connectionCount) <= MaxConnections;
            long id = Interlocked.Increment(ref _nextConnectionId);
            var connection = new ServerConnection(this, socket);
            _connections[id] = connection;
            connection.Start(admitted, () =>
            {
                _connections.TryRemove(id, out _);
                Interlocked.Decrement(ref _connectionCount);
            });

            // A stop that raced with this accept must still reach the new connection.
            if (_stopping.IsCancellationRequested) connection.StopReading();
        }
    }
}
