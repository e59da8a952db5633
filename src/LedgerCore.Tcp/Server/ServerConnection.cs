using System.Buffers;
using System.Diagnostics;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Text;
using LedgerCore.Tcp.Protocol;
using MessagePack;

namespace LedgerCore.Tcp;

/// <summary>
/// One accepted connection: TLS (optional), handshake, then a read loop that hands each frame to a
/// concurrent handler. Responses are written whole, one at a time, in completion order. The
/// connection is idle — and closed after the idle timeout — only while no frame moves in either
/// direction and no request is in flight.
/// </summary>
internal sealed class ServerConnection : IDisposable
{
    /// <summary>How long a closing connection waits for the peer to finish sending, so that its unread bytes do not turn the close into a reset that could destroy the error frame just sent.</summary>
    private static readonly TimeSpan LingerMax = TimeSpan.FromSeconds(1);

    private readonly LedgerTcpServer _server;
    private readonly Socket _socket;
    private readonly string? _remote; // for logs: the socket cannot be asked once it is disposed
    private readonly CancellationTokenSource _stopReading = new();
    private readonly CancellationTokenSource _idle = new();
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly SemaphoreSlim _inFlight;
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Stream? _stream;
    private int _aborted;
    private int _handling;
    private Timer? _watchdog;
    private long _lastActivity = Stopwatch.GetTimestamp();

    public ServerConnection(LedgerTcpServer server, Socket socket)
    {
        _server = server;
        _socket = socket;
        _remote = socket.RemoteEndPoint?.ToString();
        _inFlight = new SemaphoreSlim(server.MaxInFlightPerConnection, server.MaxInFlightPerConnection);
    }

    /// <summary>Completes when the connection is closed and every request it read has been answered.</summary>
    public Task Completion => _completion.Task;

    private ILedger Engine => _server.Engine;

    public void Start(bool admitted, Action onClosed) =>
        _ = Task.Run(async () =>
        {
            try
            {
                await RunAsync(admitted).ConfigureAwait(false);
            }
            finally
            {
                Dispose();
                onClosed();
                _completion.TrySetResult();
            }
        });

    /// <summary>Releases the synchronisation objects; only after the connection closed and every handler finished.</summary>
    public void Dispose()
    {
        _stopReading.Dispose();
        _idle.Dispose();
        _writeLock.Dispose();
        _inFlight.Dispose();
    }

    /// <summary>Graceful stop: read no further requests; those in flight finish and are answered.</summary>
    public void StopReading()
    {
        try
        {
            _stopReading.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Already closed.
        }
    }

    /// <summary>Hard stop: close the socket now; pending reads and writes fail.</summary>
    public void Abort()
    {
        if (Interlocked.Exchange(ref _aborted, 1) != 0) return;
        StopReading();
        _socket.Dispose();
    }

    private async Task RunAsync(bool admitted)
    {
        bool handshaken = false;
        try
        {
            Stream stream = new NetworkStream(_socket, ownsSocket: true);
            _stream = stream;
            FrameReader reader;
            using (var handshakeTimer = CancellationTokenSource.CreateLinkedTokenSource(_stopReading.Token))
            {
                handshakeTimer.CancelAfter(_server.HandshakeTimeout);
                if (_server.Certificate is { } certificate)
                {
                    var tls = new SslStream(stream, leaveInnerStreamOpen: false);
                    _stream = tls;
                    var tlsOptions = new SslServerAuthenticationOptions { ServerCertificate = certificate };
                    _server.ClientCertificates?.Apply(tlsOptions, _socket.RemoteEndPoint);
                    await tls.AuthenticateAsServerAsync(tlsOptions, handshakeTimer.Token).ConfigureAwait(false);
                }

                if (!admitted)
                {
                    await TrySendErrorAsync(0, LedgerTcpErrorCode.TooManyConnections, $"The server holds its maximum of {_server.MaxConnections} connections.").ConfigureAwait(false);
                    return;
                }

                reader = new FrameReader(_stream, _server.MaxFrameBytes);
                using Frame? first = await reader.ReadAsync(handshakeTimer.Token).ConfigureAwait(false);
                if (first is null || !await HandshakeAsync(first).ConfigureAwait(false)) return;
                handshaken = true;
            }

            await ReadLoopAsync(reader).ConfigureAwait(false);
        }
        catch (FrameException ex)
        {
            await TrySendErrorAsync(ex.RequestId, ex.Code, ex.Message).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!_stopReading.IsCancellationRequested)
        {
            await (handshaken
                ? TrySendErrorAsync(0, LedgerTcpErrorCode.IdleTimeout, $"The connection was idle (no frame in either direction, no request in flight) for {_server.IdleTimeout.TotalSeconds:0.###} s.")
                : TrySendErrorAsync(0, LedgerTcpErrorCode.HandshakeTimeout, $"The handshake did not complete within {_server.HandshakeTimeout.TotalSeconds:0.###} s.")).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or SocketException or AuthenticationException or ObjectDisposedException)
        {
            // Stopped, the peer went away (possibly inside a frame), or TLS failed: nobody to tell.
        }
        finally
        {
            await DrainAsync().ConfigureAwait(false);
            if (_stopReading.IsCancellationRequested && handshaken)
            {
                await TrySendErrorAsync(0, LedgerTcpErrorCode.ShuttingDown, "The server is stopping.").ConfigureAwait(false);
            }

            await CloseAsync().ConfigureAwait(false);
        }
    }

    private async Task<bool> HandshakeAsync(Frame frame)
    {
        ulong id = frame.Header.RequestId;
        if (frame.Header.Operation != TcpOperation.Handshake)
        {
            await TrySendErrorAsync(id, LedgerTcpErrorCode.HandshakeRequired, "The first frame must be a handshake.").ConfigureAwait(false);
            return false;
        }

        uint version;
        string? token;
        try
        {
            (version, token) = BodyCodec.ReadValue(frame.Body, BodyCodec.ReadHandshakeRequest);
        }
        catch (Exception ex) when (BodyCodec.IsMalformed(ex))
        {
            await TrySendErrorAsync(id, LedgerTcpErrorCode.MalformedBody, "Malformed handshake: " + Describe(ex)).ConfigureAwait(false);
            return false;
        }

        if (version != FrameHeader.Version)
        {
            await TrySendErrorAsync(id, LedgerTcpErrorCode.UnsupportedVersion, $"Protocol version {version} is not supported; the server speaks version {FrameHeader.Version}.").ConfigureAwait(false);
            return false;
        }

        if (_server.TokenHash is { } expected &&
            !CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(token ?? string.Empty)), expected))
        {
            await TrySendErrorAsync(id, LedgerTcpErrorCode.AuthenticationFailed, "The token is not valid.").ConfigureAwait(false);
            return false;
        }

        using FrameBuffer response = HandshakeResponse();
        await SendAsync(response.Complete(TcpOperation.Handshake, id)).ConfigureAwait(false);
        return true;
    }

    private FrameBuffer HandshakeResponse()
    {
        var response = new FrameBuffer(64);
        BodyCodec.WriteValue(response, new HandshakeResponse(FrameHeader.Version, Engine.LedgerId, _server.MaxFrameBytes, _server.BatchEventsMax, _server.MaxInFlightPerConnection, _server.ResultsMax, _server.ChangeEventsMax), BodyCodec.WriteHandshakeResponse);
        return response;
    }

    private async Task ReadLoopAsync(FrameReader reader)
    {
        using var readCancel = CancellationTokenSource.CreateLinkedTokenSource(_stopReading.Token, _idle.Token);
        using var watchdog = new Timer(static state => ((ServerConnection)state!).CheckIdle(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _watchdog = watchdog;
        watchdog.Change(_server.IdleTimeout, Timeout.InfiniteTimeSpan);
        while (true)
        {
            // Backpressure: at the in-flight limit, stop reading until a response has gone out.
            await _inFlight.WaitAsync(_stopReading.Token).ConfigureAwait(false);
            Frame? frame;
            try
            {
                frame = await reader.ReadAsync(readCancel.Token).ConfigureAwait(false);
            }
            catch
            {
                _inFlight.Release();
                throw;
            }

            if (frame is null)
            {
                _inFlight.Release();
                return;
            }

            // In flight from here until its answer is written: the watchdog leaves the connection alone meanwhile.
            Interlocked.Increment(ref _handling);
            Touch();

            // Decoding and the engine call run off the read loop, so the next frame is read meanwhile.
            _ = Task.Run(() => HandleAsync(frame));
        }
    }

    /// <summary>Records that a whole frame was read or written.</summary>
    private void Touch() => Volatile.Write(ref _lastActivity, Stopwatch.GetTimestamp());

    /// <summary>
    /// The watchdog: cancels the pending read once the connection has been idle for the idle timeout,
    /// else looks again when it could next become due. Cancelling a read loses a half-read frame, so
    /// it is only done when nothing else is going on.
    /// </summary>
    private void CheckIdle()
    {
        TimeSpan due = _server.IdleTimeout;
        if (Volatile.Read(ref _handling) == 0)
        {
            TimeSpan idle = Stopwatch.GetElapsedTime(Volatile.Read(ref _lastActivity));
            if (idle >= due)
            {
                try
                {
                    _idle.Cancel();
                }
                catch (ObjectDisposedException)
                {
                    // Closed meanwhile.
                }

                return;
            }

            due -= idle;
        }

        try
        {
            _watchdog?.Change(due, Timeout.InfiniteTimeSpan);
        }
        catch (ObjectDisposedException)
        {
            // The read loop ended meanwhile.
        }
    }

    private async Task HandleAsync(Frame frame)
    {
        ulong id = frame.Header.RequestId;
        TcpOperation operation = frame.Header.Operation;
        try
        {
            FrameBuffer response;
            try
            {
                response = await ExecuteAsync(operation, frame.Body).ConfigureAwait(false);
            }
            finally
            {
                frame.Dispose();
            }

            using (response) await SendAsync(response.Complete(operation, id)).ConfigureAwait(false);
        }
        catch (FrameException ex)
        {
            await TrySendErrorAsync(id, ex.Code, ex.Message).ConfigureAwait(false);
        }

        // Messages below are written for the remote user; exception texts (paths, parameter names) stay on the server.
        catch (LedgerFaultedException)
        {
            await TrySendErrorAsync(id, LedgerTcpErrorCode.EngineFaulted, "The ledger stopped accepting writes after an earlier I/O error; this request was not applied.").ConfigureAwait(false);
        }
        catch (ObjectDisposedException ex) when (ex.ObjectName != nameof(FrameBuffer))
        {
            await TrySendErrorAsync(id, LedgerTcpErrorCode.ShuttingDown, "The ledger is closing; this request was not applied.").ConfigureAwait(false);
        }
        catch (NotLeaderException ex)
        {
            // Before IOException, which it derives from: the client is told where the leader is, not that the journal failed.
            string? leader = _server.MapLeader(ex.LeaderEndpoint);
            await TrySendErrorAsync(id, LedgerTcpErrorCode.NotLeader, leader is null
                ? "This server's replica is not the leader and knows no leader (an election is under way); retry shortly. A create in flight when the leader was deposed has an unknown outcome: resubmit the same ids."
                : $"This server's replica is not the leader; the leader is served at {leader}. Resubmit the same ids there (a create in flight when the leader was deposed has an unknown outcome).", leader).ConfigureAwait(false);
        }
        catch (IOException) when (Volatile.Read(ref _aborted) == 0)
        {
            // From the engine (a failed write leaves the outcome unknown) unless the socket is gone.
            await TrySendErrorAsync(id, LedgerTcpErrorCode.OutcomeUnknown, "The journal write failed: the request may or may not be durable. Resubmit the same ids (creation is idempotent).").ConfigureAwait(false);
        }
#pragma warning disable CA1031 // A handler must answer every request; the client is told that it failed.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            TcpLog.RequestFailed(_server.Logger, ex, id, _remote);
            await TrySendErrorAsync(id, LedgerTcpErrorCode.InternalError, "An unexpected server error occurred; the outcome of this request is unknown.").ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _handling);
            _inFlight.Release();
        }
    }

    private Task<FrameBuffer> ExecuteAsync(TcpOperation operation, ReadOnlyMemory<byte> body) => operation switch
    {
        TcpOperation.Ping => Task.FromResult(Ping(body)),
        TcpOperation.Handshake => Task.FromResult(HandshakeResponse()),
        TcpOperation.CreateAccounts => CreateAccountsAsync(body),
        TcpOperation.CreateTransfers => CreateTransfersAsync(body),
        TcpOperation.LookupAccounts => LookupAsync(body, static (e, ids) => e.LookupAccountsAsync(ids), ModelCodec.Write),
        TcpOperation.LookupTransfers => LookupAsync(body, static (e, ids) => e.LookupTransfersAsync(ids), ModelCodec.Write),
        TcpOperation.GetAccountTransfers => FilterAsync(body, ModelCodec.ReadAccountFilter, static (e, f, max) => e.GetAccountTransfersAsync(f with { Limit = Math.Min(f.Limit, max) }), ModelCodec.Write),
        TcpOperation.GetAccountBalances => FilterAsync(body, ModelCodec.ReadAccountFilter, static (e, f, max) => e.GetAccountBalancesAsync(f with { Limit = Math.Min(f.Limit, max) }), ModelCodec.Write),
        TcpOperation.QueryAccounts => FilterAsync(body, ModelCodec.ReadQueryFilter, static (e, f, max) => e.QueryAccountsAsync(f with { Limit = Math.Min(f.Limit, max) }), ModelCodec.Write),
        TcpOperation.QueryTransfers => FilterAsync(body, ModelCodec.ReadQueryFilter, static (e, f, max) => e.QueryTransfersAsync(f with { Limit = Math.Min(f.Limit, max) }), ModelCodec.Write),
        TcpOperation.Backup => BackupAsync(body),
        TcpOperation.GetChangeEvents => FilterAsync(body, ModelCodec.ReadChangeEventsFilter, static (e, f, max) => e.GetChangeEventsAsync(f with { Limit = Math.Min(f.Limit, max) }), ModelCodec.Write, _server.ChangeEventsMax, ModelCodec.ChangeEventBytesMax),
        _ => throw new FrameException(LedgerTcpErrorCode.UnknownOperation, $"Operation 0x{(byte)operation:X2} is unknown."),
    };

    private static FrameBuffer Ping(ReadOnlyMemory<byte> body)
    {
        ulong payload = Decode(() => BodyCodec.ReadValue(body, BodyCodec.ReadUInt64));
        var response = new FrameBuffer(9);
        BodyCodec.WriteValue(response, payload, BodyCodec.WriteUInt64);
        return response;
    }

    private async Task<FrameBuffer> CreateAccountsAsync(ReadOnlyMemory<byte> body)
    {
        int count = 0;
        Account[] accounts = Decode(() => BodyCodec.ReadArray(body, ModelCodec.ReadAccount, _server.BatchEventsMax, pooled: true, out count));
        try
        {
            CreateAccountsResult[] failures = await Engine.CreateAccountsAsync(accounts.AsMemory(0, count)).ConfigureAwait(false);
            return EncodeArray<CreateAccountsResult>(failures, BodyCodec.WriteAccountFailure, 12);
        }
        finally
        {
            ArrayPool<Account>.Shared.Return(accounts);
        }
    }

    private async Task<FrameBuffer> CreateTransfersAsync(ReadOnlyMemory<byte> body)
    {
        int count = 0;
        Transfer[] transfers = Decode(() => BodyCodec.ReadArray(body, ModelCodec.ReadTransfer, _server.BatchEventsMax, pooled: true, out count));
        try
        {
            CreateTransfersResult[] failures = await Engine.CreateTransfersAsync(transfers.AsMemory(0, count)).ConfigureAwait(false);
            return EncodeArray<CreateTransfersResult>(failures, BodyCodec.WriteTransferFailure, 12);
        }
        finally
        {
            ArrayPool<Transfer>.Shared.Return(transfers);
        }
    }

    private async Task<FrameBuffer> LookupAsync<T>(ReadOnlyMemory<byte> body, Func<ILedger, ReadOnlyMemory<UInt128>, Task<T[]>> lookup, ItemWriter<T> write)
    {
        int count = 0;
        UInt128[] ids = Decode(() => BodyCodec.ReadArray(body, ModelCodec.ReadUInt128, _server.ResultsMax, pooled: true, out count));
        try
        {
            T[] found = await lookup(Engine, ids.AsMemory(0, count)).ConfigureAwait(false);
            return EncodeArray<T>(found, write, ModelCodec.EventBytesMax);
        }
        finally
        {
            ArrayPool<UInt128>.Shared.Return(ids);
        }
    }

    /// <summary>Runs a filter or query whose limit <paramref name="query"/> clamps to the results bound, so the answer fits a frame.</summary>
    private Task<FrameBuffer> FilterAsync<TFilter, T>(ReadOnlyMemory<byte> body, ItemReader<TFilter> readFilter, Func<ILedger, TFilter, uint, Task<T[]>> query, ItemWriter<T> write) =>
        FilterAsync(body, readFilter, query, write, _server.ResultsMax, ModelCodec.EventBytesMax);

    /// <summary>Runs a filter whose limit <paramref name="query"/> clamps to <paramref name="countMax"/> records of at most <paramref name="itemBytesMax"/> bytes.</summary>
    private async Task<FrameBuffer> FilterAsync<TFilter, T>(ReadOnlyMemory<byte> body, ItemReader<TFilter> readFilter, Func<ILedger, TFilter, uint, Task<T[]>> query, ItemWriter<T> write, int countMax, int itemBytesMax)
    {
        TFilter filter = Decode(() => BodyCodec.ReadValue(body, readFilter));
        T[] found = await query(Engine, filter, (uint)countMax).ConfigureAwait(false);
        return EncodeArray<T>(found, write, itemBytesMax);
    }

    /// <summary>
    /// An admin backup into a new directory under the server's backup directory. Not cancelled when the
    /// client goes away: a backup, once its state is captured, runs to its end (or fails and removes itself).
    /// </summary>
    private async Task<FrameBuffer> BackupAsync(ReadOnlyMemory<byte> body)
    {
        string name = Decode(() => BodyCodec.ReadValue(body, BodyCodec.ReadBackupRequest));
        string root = _server.BackupDirectory ?? throw new FrameException(LedgerTcpErrorCode.BackupNotEnabled, "This server does not allow backups (its BackupDirectory is not set).");
        if (Engine is not LedgerEngine engine)
        {
            throw new FrameException(LedgerTcpErrorCode.BackupNotSupported, "The ledger this server serves is not a LedgerEngine (e.g. a replicated ledger) and cannot be backed up online here; back up a replica's data directory instead.");
        }

        string destination = Path.GetFullPath(Path.Combine(root, name));
        if (name.Length == 0 || Path.IsPathRooted(name) || !destination.StartsWith(Path.TrimEndingDirectorySeparator(root) + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw new FrameException(LedgerTcpErrorCode.BackupFailed, "The destination must be a relative path inside the server's backup directory.");
        }

        if (File.Exists(destination) || (Directory.Exists(destination) && Directory.EnumerateFileSystemEntries(destination).Any()))
        {
            throw new FrameException(LedgerTcpErrorCode.BackupFailed, $"'{BodyCodec.Clip(name)}' already exists in the server's backup directory and is not an empty directory.");
        }

        LedgerBackup backup;
        try
        {
            backup = await engine.BackupAsync(destination).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            TcpLog.BackupFailed(_server.Logger, ex, _remote, destination);
            throw new FrameException(LedgerTcpErrorCode.BackupFailed, "The backup could not be written (the server logged why); nothing of it is left.");
        }

        TcpLog.BackupWritten(_server.Logger, _remote, backup.Directory, backup.Sequence);
        var response = new FrameBuffer(128 + (backup.Directory.Length * 3));
        BodyCodec.WriteValue(response, backup, BodyCodec.WriteBackupResult);
        return response;
    }

    private static FrameBuffer EncodeArray<T>(ReadOnlySpan<T> items, ItemWriter<T> write, int itemBytesMax)
    {
        var response = new FrameBuffer(5 + (items.Length * itemBytesMax));
        BodyCodec.WriteArray(response, items, write);
        return response;
    }

    /// <summary>Runs a decoder, turning what it throws on bad input into a <see cref="LedgerTcpErrorCode.MalformedBody"/> error.</summary>
    private static T Decode<T>(Func<T> decode)
    {
        try
        {
            return decode();
        }
        catch (Exception ex) when (BodyCodec.IsMalformed(ex))
        {
            throw new FrameException(LedgerTcpErrorCode.MalformedBody, "Malformed body: " + Describe(ex));
        }
    }

    /// <summary>What a decoder found wrong: this protocol's own words, never a runtime exception's text.</summary>
    private static string Describe(Exception decodeError) =>
        decodeError is MessagePackSerializationException ? BodyCodec.Clip(decodeError.Message) : "the body is not the MessagePack this operation expects.";

    private async Task SendAsync(ReadOnlyMemory<byte> frame)
    {
        Stream stream = _stream ?? throw new ObjectDisposedException(nameof(ServerConnection));
        using var timer = new CancellationTokenSource(_server.IdleTimeout);
        await _writeLock.WaitAsync(timer.Token).ConfigureAwait(false);
        try
        {
            await stream.WriteAsync(frame, timer.Token).ConfigureAwait(false);
            Touch();
        }
        catch
        {
            // A frame half written (or a peer that stopped reading) leaves nothing usable.
            Abort();
            throw;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private async Task TrySendErrorAsync(ulong requestId, LedgerTcpErrorCode code, string message, string? leader = null)
    {
        if (Volatile.Read(ref _aborted) != 0 || _stream is null) return;
        using var buffer = new FrameBuffer(16 + ((message.Length + (leader?.Length ?? 0)) * 3));
        BodyCodec.WriteValue(buffer, new ErrorBody(code, message, leader), BodyCodec.WriteError);
        try
        {
            await SendAsync(buffer.Complete(TcpOperation.Error, requestId)).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // The peer is gone; the connection is being closed anyway.
        }
    }

    /// <summary>Waits until every handler has answered: all in-flight permits are back.</summary>
    private async Task DrainAsync()
    {
        for (int i = 0; i < _server.MaxInFlightPerConnection; i++) await _inFlight.WaitAsync().ConfigureAwait(false);
    }

    private async Task CloseAsync()
    {
        if (Volatile.Read(ref _aborted) == 0)
        {
            try
            {
                // Send FIN after whatever was written, then read the peer's leftovers for a moment so that
                // closing with unread bytes does not reset the connection before it has read our last frame.
                _socket.Shutdown(SocketShutdown.Send);
                using var linger = new CancellationTokenSource(LingerMax);
                byte[] sink = ArrayPool<byte>.Shared.Rent(16 * 1024);
                try
                {
                    while (await _socket.ReceiveAsync(sink, SocketFlags.None, linger.Token).ConfigureAwait(false) > 0)
                    {
                    }
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(sink);
                }
            }
            catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // Closing regardless.
            }
        }

        Interlocked.Exchange(ref _aborted, 1);
        if (_stream is not null) await _stream.DisposeAsync().ConfigureAwait(false);
        _socket.Dispose();
    }
}
