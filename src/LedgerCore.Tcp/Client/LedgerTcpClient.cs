using System.Diagnostics;
using System.Net.Sockets;
using LedgerCore.Tcp.Protocol;

namespace LedgerCore.Tcp;

/// <summary>
/// A client of a <see cref="LedgerTcpServer"/> with the operations of <see cref="LedgerEngine"/>, by
/// the same names and types. Calls are pipelined over one connection: any number may be in flight,
/// from any thread, and each completes when its own response arrives.
/// </summary>
/// <remarks>
/// <para>Create-calls return only the failed events, as the engine does. If a call fails with
/// <see cref="LedgerTcpConnectionException"/>, <see cref="TimeoutException"/>, or a
/// <see cref="LedgerTcpException"/> of code <see cref="LedgerTcpErrorCode.OutcomeUnknown"/>, its outcome
/// is unknown: resubmit the same ids (creation is idempotent and answers <c>Exists</c>).</para>
/// <para>After a lost connection the next call connects again (see <see cref="LedgerTcpClientOptions.AutoReconnect"/>).</para>
/// <para>In front of a replicated ledger give it every server (<see cref="LedgerTcpClientOptions.Endpoints"/>):
/// it finds the leader by following <see cref="LedgerTcpErrorCode.NotLeader"/> answers, and after a lost
/// connection sends the call again on the next server (<see cref="LedgerTcpClientOptions.RetryLostConnections"/>),
/// always with the same ids, so a create that an earlier attempt applied answers <c>Exists</c>. At most
/// <see cref="RetriesMax"/> retries per call, with pauses of 25 ms growing to 1 s, within
/// <see cref="LedgerTcpClientOptions.RequestTimeout"/>; then the last failure is thrown.</para>
/// <para>Requests are bounded by what the server announced in its handshake: <see cref="BatchEventsMax"/>
/// events per create and <see cref="ResultsMax"/> ids per lookup (larger requests are refused before
/// sending), at most <see cref="ResultsMax"/> records per filter or query answer, and at most
/// <see cref="ChangeEventsMax"/> change events per <see cref="GetChangeEventsAsync"/> answer.</para>
/// <para>Thread-safe.</para>
/// </remarks>
public sealed class LedgerTcpClient : IAsyncDisposable
{
    /// <summary>The most times one call is sent again (NotLeader, lost connections); the request timeout bounds them too.</summary>
    public const int RetriesMax = 16;

    private static readonly TimeSpan PauseMin = TimeSpan.FromMilliseconds(25);
    private static readonly TimeSpan PauseMax = TimeSpan.FromSeconds(1);

    private readonly LedgerTcpClientOptions _options;
    private readonly (string Host, int Port)[] _endpoints;
    private readonly bool _retryLost;
    private readonly List<(ClientConnection Connection, Task Retiring)> _retired = [];
    private readonly SemaphoreSlim _connectLock = new(1, 1);
    private ClientConnection? _connection;

    // The most recent connection, kept after disposal so the announced limits stay readable.
    private ClientConnection _latest;
    private int _disposed;

    private LedgerTcpClient(LedgerTcpClientOptions options, (string Host, int Port)[] endpoints, ClientConnection connection)
    {
        _options = options;
        _endpoints = endpoints;
        _retryLost = options.AutoReconnect && (options.RetryLostConnections ?? endpoints.Length > 1);
        _connection = connection;
        _latest = connection;
        LedgerId = connection.Handshake.LedgerId;
    }

    /// <summary>The identity of the ledger behind the server, from the handshake.</summary>
    public UInt128 LedgerId { get; }

    /// <summary>
    /// The most events one <see cref="CreateAccountsAsync"/> or <see cref="CreateTransfersAsync"/> call
    /// may carry: the server's announced <c>batch_events_max</c> (its engine's batch size, within what
    /// fits a frame), lowered if need be so the answer fits <see cref="LedgerTcpClientOptions.MaxFrameBytes"/>.
    /// From the latest handshake; 8190 with both sides' defaults. Split larger batches.
    /// </summary>
    public int BatchEventsMax => _latest.BatchEventsMax;

    /// <summary>
    /// The most ids one lookup may carry and the most records a filter or query answers: the server's
    /// announced <c>results_max</c> (what fits its frame limit), lowered if need be to what fits
    /// <see cref="LedgerTcpClientOptions.MaxFrameBytes"/>. From the latest handshake; 8190 with both
    /// sides' defaults. Page through longer results by timestamp.
    /// </summary>
    public int ResultsMax => _latest.ResultsMax;

    /// <summary>
    /// The most change events one <see cref="GetChangeEventsAsync"/> answers: the server's announced
    /// <c>change_events_max</c> (what fits its frame limit, at most <see cref="LedgerStateMachine.ChangeEventsMax"/>),
    /// lowered if need be to what fits <see cref="LedgerTcpClientOptions.MaxFrameBytes"/>. From the latest
    /// handshake; 2730 with both sides' defaults. A change event carries a transfer and two accounts, so
    /// this is smaller than <see cref="ResultsMax"/> for small frame limits.
    /// </summary>
    public int ChangeEventsMax => _latest.ChangeEventsMax;

    /// <summary>Whether the current connection is usable (a lost one is replaced on the next call).</summary>
    public bool IsConnected => Volatile.Read(ref _connection) is { IsOpen: true };

    /// <summary>
    /// Connects, negotiates TLS when configured, and completes the handshake: with several
    /// <see cref="LedgerTcpClientOptions.Endpoints"/>, to the first that answers, in order (a follower's
    /// server is fine: the first write finds the leader). The exceptions below are the last endpoint's.
    /// </summary>
    /// <exception cref="LedgerTcpException">The server refused the handshake (e.g. <see cref="LedgerTcpErrorCode.AuthenticationFailed"/>, <see cref="LedgerTcpErrorCode.TooManyConnections"/>).</exception>
    /// <exception cref="TimeoutException">Not connected within <see cref="LedgerTcpClientOptions.ConnectTimeout"/>.</exception>
    /// <exception cref="IOException">The connection failed (including TLS). A server that refuses the client
    /// certificate (mutual TLS) closes the connection without an error frame: a <see cref="LedgerTcpConnectionException"/>
    /// that says the server refused the TLS handshake.</exception>
    /// <exception cref="System.Security.Authentication.AuthenticationException">The server's certificate was not trusted.</exception>
    /// <exception cref="ArgumentException"><see cref="LedgerTcpClientOptions.ClientCertificate"/> has no private key, or an entry of <see cref="LedgerTcpClientOptions.Endpoints"/> is not <c>host:port</c>.</exception>
    public static async Task<LedgerTcpClient> ConnectAsync(LedgerTcpClientOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        (string Host, int Port)[] endpoints = options.ResolveEndpoints();
        ClientConnection connection = await ConnectAnyAsync(options, endpoints, leader: null, next: 0, cancellationToken).ConfigureAwait(false);
        return new LedgerTcpClient(options, endpoints, connection);
    }

    /// <summary>Replaces a lost connection now rather than on the next call; does nothing while connected.</summary>
    /// <exception cref="InvalidOperationException">The server now serves a different ledger.</exception>
    public async Task ReconnectAsync(CancellationToken cancellationToken = default) =>
        _ = await ConnectionAsync(reconnect: true, cancellationToken).ConfigureAwait(false);

    /// <summary>Creates accounts durably; see <see cref="LedgerEngine.CreateAccountsAsync"/>.</summary>
    /// <returns>The events that failed, ordered by index.</returns>
    /// <exception cref="ArgumentException">More than <see cref="BatchEventsMax"/> accounts; nothing was sent.</exception>
    public Task<CreateAccountsResult[]> CreateAccountsAsync(ReadOnlyMemory<Account> accounts, CancellationToken cancellationToken = default)
    {
        FrameBuffer request = Batch(accounts.Span, ModelCodec.Write, ModelCodec.EventBytesMax, BatchEventsMax, nameof(BatchEventsMax));
        return CallAsync(TcpOperation.CreateAccounts, request, static body => BodyCodec.ReadArray(body, BodyCodec.ReadAccountFailure, int.MaxValue, pooled: false, out _), cancellationToken);
    }

    /// <summary>Creates transfers durably; see <see cref="LedgerEngine.CreateTransfersAsync"/>.</summary>
    /// <returns>The events that failed, ordered by index.</returns>
    /// <exception cref="ArgumentException">More than <see cref="BatchEventsMax"/> transfers; nothing was sent.</exception>
    public Task<CreateTransfersResult[]> CreateTransfersAsync(ReadOnlyMemory<Transfer> transfers, CancellationToken cancellationToken = default)
    {
        FrameBuffer request = Batch(transfers.Span, ModelCodec.Write, ModelCodec.EventBytesMax, BatchEventsMax, nameof(BatchEventsMax));
        return CallAsync(TcpOperation.CreateTransfers, request, static body => BodyCodec.ReadArray(body, BodyCodec.ReadTransferFailure, int.MaxValue, pooled: false, out _), cancellationToken);
    }

    /// <summary>The accounts with these ids that exist, in request order; see <see cref="LedgerEngine.LookupAccountsAsync"/>.</summary>
    /// <exception cref="ArgumentException">More than <see cref="ResultsMax"/> ids; nothing was sent.</exception>
    public Task<Account[]> LookupAccountsAsync(ReadOnlyMemory<UInt128> ids, CancellationToken cancellationToken = default)
    {
        FrameBuffer request = Batch(ids.Span, BodyCodec.WriteId, BodyCodec.IdBytes, ResultsMax, nameof(ResultsMax));
        return CallAsync(TcpOperation.LookupAccounts, request, static body => BodyCodec.ReadArray(body, ModelCodec.ReadAccount, int.MaxValue, pooled: false, out _), cancellationToken);
    }

    /// <summary>The transfers with these ids that exist, in request order; see <see cref="LedgerEngine.LookupTransfersAsync"/>.</summary>
    /// <exception cref="ArgumentException">More than <see cref="ResultsMax"/> ids; nothing was sent.</exception>
    public Task<Transfer[]> LookupTransfersAsync(ReadOnlyMemory<UInt128> ids, CancellationToken cancellationToken = default)
    {
        FrameBuffer request = Batch(ids.Span, BodyCodec.WriteId, BodyCodec.IdBytes, ResultsMax, nameof(ResultsMax));
        return CallAsync(TcpOperation.LookupTransfers, request, static body => BodyCodec.ReadArray(body, ModelCodec.ReadTransfer, int.MaxValue, pooled: false, out _), cancellationToken);
    }

    /// <summary>See <see cref="LedgerEngine.GetAccountTransfersAsync"/>; at most <see cref="ResultsMax"/> records (the limit is lowered to it).</summary>
    public Task<Transfer[]> GetAccountTransfersAsync(AccountFilter filter, CancellationToken cancellationToken = default) =>
        CallAsync(TcpOperation.GetAccountTransfers, Value(filter with { Limit = Math.Min(filter.Limit, (uint)ResultsMax) }, ModelCodec.Write), static body => BodyCodec.ReadArray(body, ModelCodec.ReadTransfer, int.MaxValue, pooled: false, out _), cancellationToken);

    /// <summary>See <see cref="LedgerEngine.GetAccountBalancesAsync"/>; at most <see cref="ResultsMax"/> records (the limit is lowered to it).</summary>
    public Task<AccountBalance[]> GetAccountBalancesAsync(AccountFilter filter, CancellationToken cancellationToken = default) =>
        CallAsync(TcpOperation.GetAccountBalances, Value(filter with { Limit = Math.Min(filter.Limit, (uint)ResultsMax) }, ModelCodec.Write), static body => BodyCodec.ReadArray(body, ModelCodec.ReadAccountBalance, int.MaxValue, pooled: false, out _), cancellationToken);

    /// <summary>See <see cref="LedgerEngine.QueryAccountsAsync"/>; at most <see cref="ResultsMax"/> records (the limit is lowered to it).</summary>
    public Task<Account[]> QueryAccountsAsync(QueryFilter filter, CancellationToken cancellationToken = default) =>
        CallAsync(TcpOperation.QueryAccounts, Value(filter with { Limit = Math.Min(filter.Limit, (uint)ResultsMax) }, ModelCodec.Write), static body => BodyCodec.ReadArray(body, ModelCodec.ReadAccount, int.MaxValue, pooled: false, out _), cancellationToken);

    /// <summary>See <see cref="LedgerEngine.QueryTransfersAsync"/>; at most <see cref="ResultsMax"/> records (the limit is lowered to it).</summary>
    public Task<Transfer[]> QueryTransfersAsync(QueryFilter filter, CancellationToken cancellationToken = default) =>
        CallAsync(TcpOperation.QueryTransfers, Value(filter with { Limit = Math.Min(filter.Limit, (uint)ResultsMax) }, ModelCodec.Write), static body => BodyCodec.ReadArray(body, ModelCodec.ReadTransfer, int.MaxValue, pooled: false, out _), cancellationToken);

    /// <summary>
    /// See <see cref="LedgerEngine.GetChangeEventsAsync"/>: the change events in the filter's timestamp
    /// range, ascending; at most <see cref="ChangeEventsMax"/> (the limit is lowered to it). An invalid
    /// filter answers an empty array, as in the engine. To page, ask again with
    /// <see cref="ChangeEventsFilter.TimestampMin"/> one past the last event's timestamp; an answer shorter
    /// than <c>min(Limit, ChangeEventsMax)</c> is the last page.
    /// </summary>
    public Task<ChangeEvent[]> GetChangeEventsAsync(ChangeEventsFilter filter, CancellationToken cancellationToken = default) =>
        CallAsync(TcpOperation.GetChangeEvents, Value(filter with { Limit = Math.Min(filter.Limit, (uint)ChangeEventsMax) }, ModelCodec.Write), static body => BodyCodec.ReadArray(body, ModelCodec.ReadChangeEvent, int.MaxValue, pooled: false, out _), cancellationToken);

    /// <summary>
    /// Backs the ledger up on the server (<see cref="LedgerEngine.BackupAsync"/>) into
    /// <paramref name="destination"/>, a relative path inside the server's
    /// <see cref="LedgerTcpServerOptions.BackupDirectory"/>; waits until the backup is complete. Within
    /// <see cref="LedgerTcpClientOptions.RequestTimeout"/>, like every call: raise it for a large ledger.
    /// </summary>
    /// <returns>The backup as the server wrote it (<see cref="LedgerBackup.Directory"/> is its path on the server).</returns>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is empty.</exception>
    /// <exception cref="LedgerTcpException">With <see cref="LedgerTcpErrorCode.BackupNotEnabled"/>, <see cref="LedgerTcpErrorCode.BackupNotSupported"/>
    /// or <see cref="LedgerTcpErrorCode.BackupFailed"/> (then nothing of the backup is left).</exception>
    public Task<LedgerBackup> BackupAsync(string destination, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(destination);
        var request = new FrameBuffer(16 + (destination.Length * 3));
        BodyCodec.WriteValue(request, destination, BodyCodec.WriteBackupRequest);
        return CallAsync(TcpOperation.Backup, request, static body => BodyCodec.ReadValue(body, BodyCodec.ReadBackupResult), cancellationToken);
    }

    /// <summary>A round trip through the server (not the engine): checks liveness and measures latency.</summary>
    /// <returns>The round-trip time.</returns>
    public async Task<TimeSpan> PingAsync(CancellationToken cancellationToken = default)
    {
        long started = Stopwatch.GetTimestamp();
        ulong payload = (ulong)started;
        ulong echoed = await CallAsync(TcpOperation.Ping, Value(payload, BodyCodec.WriteUInt64), static body => BodyCodec.ReadValue(body, BodyCodec.ReadUInt64), cancellationToken).ConfigureAwait(false);
        if (echoed != payload) throw new LedgerTcpException(LedgerTcpErrorCode.MalformedBody, "The ping came back with a different payload.");
        return Stopwatch.GetElapsedTime(started);
    }

    /// <summary>Closes the connection; calls in flight fail with <see cref="LedgerTcpConnectionException"/>.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        ClientConnection? connection = Interlocked.Exchange(ref _connection, null);
        if (connection is not null) await connection.DisposeAsync().ConfigureAwait(false);
        (ClientConnection Connection, Task Retiring)[] retired;
        lock (_retired) retired = _retired.ToArray();
        foreach ((ClientConnection old, Task retiring) in retired)
        {
            await old.DisposeAsync().ConfigureAwait(false);
            await retiring.ConfigureAwait(false);
        }

        _connectLock.Dispose();
    }

    private static FrameBuffer Batch<T>(ReadOnlySpan<T> items, ItemWriter<T> write, int itemBytesMax, int countMax, string limitName)
    {
        // Checked against the latest handshake's limits; should a reconnect lower them, the server refuses with BatchTooLarge.
        if (items.Length > countMax) throw new ArgumentException($"The server takes at most {countMax} items in this request ({limitName}); this one holds {items.Length}. Split it.", nameof(items));
        var request = new FrameBuffer(5 + (items.Length * itemBytesMax));
        BodyCodec.WriteArray(request, items, write);
        return request;
    }

    private static FrameBuffer Value<T>(in T value, ItemWriter<T> write)
    {
        var request = new FrameBuffer(ModelCodec.EventBytesMax);
        BodyCodec.WriteValue(request, value, write);
        return request;
    }

    /// <summary>
    /// Sends a request, and again (the same bytes, so the same ids) while the answer is NotLeader, or the
    /// connection is lost and <see cref="LedgerTcpClientOptions.RetryLostConnections"/> is on: at most
    /// <see cref="RetriesMax"/> times, with a growing pause, all within the request timeout from the first send.
    /// </summary>
    private async Task<T> CallAsync<T>(TcpOperation operation, FrameBuffer request, Func<ReadOnlyMemory<byte>, T> decode, CancellationToken cancellationToken)
    {
        using (request)
        {
            long started = Stopwatch.GetTimestamp();
            ClientConnection? failed = null;
            string? leader = null;
            for (int attempt = 0; ; attempt++)
            {
                ClientConnection connection;
                try
                {
                    connection = failed is null
                        ? await ConnectionAsync(_options.AutoReconnect, cancellationToken).ConfigureAwait(false)
                        : await ReplaceAsync(failed, leader, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (_retryLost && IsUnreachable(ex) && MayRetry(attempt, started))
                {
                    // No endpoint answered (a leader gone, an election): pause and go round the list again.
                    await PauseAsync(attempt, started, cancellationToken).ConfigureAwait(false);
                    if (!HasTime(started)) throw;
                    continue;
                }

                try
                {
                    return await connection.CallAsync(operation, request, decode, Remaining(started), cancellationToken).ConfigureAwait(false);
                }
                catch (LedgerTcpException ex) when (ex.Code == LedgerTcpErrorCode.NotLeader && MayRetry(attempt, started))
                {
                    failed = connection;
                    leader = ex.LeaderEndpoint;

                    // Straight to a named leader the first time; after that (stale news, an election) pause first.
                    if (leader is null || attempt > 0) await PauseAsync(attempt, started, cancellationToken).ConfigureAwait(false);
                    if (!HasTime(started)) throw;
                }
                catch (Exception ex) when (_retryLost && IsLost(ex) && MayRetry(attempt, started))
                {
                    failed = connection;
                    leader = null;
                    await PauseAsync(attempt, started, cancellationToken).ConfigureAwait(false);
                    if (!HasTime(started)) throw;
                }
            }
        }
    }

    /// <summary>A connection lost with the request in flight, or a replica closing under it: the request may be sent again (same ids).</summary>
    private static bool IsLost(Exception ex) =>
        ex is LedgerTcpConnectionException || (ex is LedgerTcpException { Code: LedgerTcpErrorCode.ShuttingDown });

    /// <summary>A server that could not be reached or would not take the connection now; not a refusal of the client (token, certificate, ledger).</summary>
    private static bool IsUnreachable(Exception ex) =>
        ex is IOException or SocketException or TimeoutException || (ex is LedgerTcpException { Code: LedgerTcpErrorCode.TooManyConnections or LedgerTcpErrorCode.ShuttingDown });

    private bool MayRetry(int attempt, long started) =>
        attempt < RetriesMax && _options.AutoReconnect && Volatile.Read(ref _disposed) == 0 && HasTime(started);

    /// <summary>Whether the request timeout leaves time for another attempt (a pause may have used the rest: then the last failure is thrown, not a timeout).</summary>
    private bool HasTime(long started) =>
        _options.RequestTimeout == Timeout.InfiniteTimeSpan || Stopwatch.GetElapsedTime(started) < _options.RequestTimeout;

    /// <summary>What is left of the request timeout (at least a millisecond, so the last attempt can still be answered in time or time out).</summary>
    private TimeSpan Remaining(long started)
    {
        if (_options.RequestTimeout == Timeout.InfiniteTimeSpan) return Timeout.InfiniteTimeSpan;
        TimeSpan left = _options.RequestTimeout - Stopwatch.GetElapsedTime(started);
        return left > TimeSpan.FromMilliseconds(1) ? left : TimeSpan.FromMilliseconds(1);
    }

    /// <summary>Exponential pause from <see cref="PauseMin"/> to <see cref="PauseMax"/>, with jitter so that many clients do not return in step; never past the request timeout.</summary>
    private Task PauseAsync(int attempt, long started, CancellationToken cancellationToken)
    {
        double ceiling = Math.Min(PauseMax.TotalMilliseconds, PauseMin.TotalMilliseconds * Math.Pow(2, Math.Min(attempt, 10)));
        var pause = TimeSpan.FromMilliseconds(ceiling * (0.5 + (Random.Shared.NextDouble() / 2)));
        TimeSpan left = Remaining(started);
        return Task.Delay(left < pause ? left : pause, cancellationToken);
    }

    private async Task<ClientConnection> ConnectionAsync(bool reconnect, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        ClientConnection? current = Volatile.Read(ref _connection);
        if (current is { IsOpen: true }) return current;
        if (!reconnect)
        {
            if (current?.Fault is { } fault) throw fault;
            throw new LedgerTcpConnectionException($"Not connected to {Volatile.Read(ref _latest).Endpoint} (AutoReconnect is off): call ReconnectAsync.", LedgerTcpErrorCode.None, null);
        }

        return await ReplaceAsync(current, null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Replaces <paramref name="failed"/> (lost, or answering NotLeader) with a connection to
    /// <paramref name="leader"/> if named and reachable, else to the endpoints after it, in turn; unless
    /// another caller replaced it already. A replaced connection that is still open is retired: answers
    /// due on it are still delivered.
    /// </summary>
    private async Task<ClientConnection> ReplaceAsync(ClientConnection? failed, string? leader, CancellationToken cancellationToken)
    {
        await _connectLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            ClientConnection? current = Volatile.Read(ref _connection);
            if (current is { IsOpen: true } && current != failed) return current;

            int next = failed is null ? 0 : failed.EndpointIndex + 1;
            ClientConnection fresh = await ConnectAnyAsync(_options, _endpoints, leader, next, cancellationToken).ConfigureAwait(false);
            if (Volatile.Read(ref _disposed) != 0)
            {
                // Disposed while connecting: nobody would close this one.
                await fresh.DisposeAsync().ConfigureAwait(false);
                throw new ObjectDisposedException(nameof(LedgerTcpClient));
            }

            if (fresh.Handshake.LedgerId != LedgerId)
            {
                await fresh.DisposeAsync().ConfigureAwait(false);
                throw new InvalidOperationException($"The server at {fresh.Endpoint} now serves ledger {fresh.Handshake.LedgerId}, not {LedgerId}.");
            }

            Volatile.Write(ref _connection, fresh);
            Volatile.Write(ref _latest, fresh);
            if (current is not null) await RetireAsync(current).ConfigureAwait(false);
            return fresh;
        }
        finally
        {
            _connectLock.Release();
        }
    }

    private async Task RetireAsync(ClientConnection old)
    {
        if (!old.IsOpen)
        {
            await old.DisposeAsync().ConfigureAwait(false);
            return;
        }

        TimeSpan grace = _options.RequestTimeout == Timeout.InfiniteTimeSpan ? TimeSpan.FromMinutes(1) : _options.RequestTimeout;
        lock (_retired)
        {
            _retired.RemoveAll(static r => r.Retiring.IsCompleted);
            _retired.Add((old, old.RetireAsync(grace)));
        }
    }

    /// <summary>
    /// Connects to the first that answers of: <paramref name="leader"/> (a NotLeader answer's <c>host:port</c>),
    /// then every endpoint once, from <paramref name="next"/> on. A server that cannot be reached is passed
    /// over; the last one's failure, or any refusal of the client, is thrown.
    /// </summary>
    private static async Task<ClientConnection> ConnectAnyAsync(LedgerTcpClientOptions options, (string Host, int Port)[] endpoints, string? leader, int next, CancellationToken cancellationToken)
    {
        int leaderIndex = -2; // none
        if (HostPort.TryParse(leader, out string leaderHost, out int leaderPort))
        {
            leaderIndex = Array.IndexOf(endpoints, (leaderHost, leaderPort));
        }

        int candidates = endpoints.Length + (leaderIndex == -1 ? 1 : 0);
        int start = leaderIndex >= 0 ? leaderIndex : next % endpoints.Length;
        for (int i = 0; ; i++)
        {
            // With a leader outside the list: it first, then the list from next; else the list from the leader's (or next) position.
            bool outsider = leaderIndex == -1 && i == 0;
            int index = outsider ? -1 : (start + i - (leaderIndex == -1 ? 1 : 0)) % endpoints.Length;
            (string host, int port) = outsider ? (leaderHost, leaderPort) : endpoints[index];
            try
            {
                return await ClientConnection.ConnectAsync(options, host, port, index, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (i < candidates - 1 && IsUnreachable(ex))
            {
                // Try the next one.
            }
        }
    }
}
