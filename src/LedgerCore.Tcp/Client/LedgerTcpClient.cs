using System.Diagnostics;
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
/// <para>Requests are bounded by what the server announced in its handshake: <see cref="BatchEventsMax"/>
/// events per create and <see cref="ResultsMax"/> ids per lookup (larger requests are refused before
/// sending), at most <see cref="ResultsMax"/> records per filter or query answer, and at most
/// <see cref="ChangeEventsMax"/> change events per <see cref="GetChangeEventsAsync"/> answer.</para>
/// <para>Thread-safe.</para>
/// </remarks>
public sealed class LedgerTcpClient : IAsyncDisposable
{
    private readonly LedgerTcpClientOptions _options;
    private readonly SemaphoreSlim _connectLock = new(1, 1);
    private ClientConnection? _connection;

    // The most recent connection, kept after disposal so the announced limits stay readable.
    private ClientConnection _latest;
    private int _disposed;

    private LedgerTcpClient(LedgerTcpClientOptions options, ClientConnection connection)
    {
        _options = options;
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

    /// <summary>Connects, negotiates TLS when configured, and completes the handshake.</summary>
    /// <exception cref="LedgerTcpException">The server refused the handshake (e.g. <see cref="LedgerTcpErrorCode.AuthenticationFailed"/>, <see cref="LedgerTcpErrorCode.TooManyConnections"/>).</exception>
    /// <exception cref="TimeoutException">Not connected within <see cref="LedgerTcpClientOptions.ConnectTimeout"/>.</exception>
    /// <exception cref="IOException">The connection failed (including TLS). A server that refuses the client
    /// certificate (mutual TLS) closes the connection without an error frame: a <see cref="LedgerTcpConnectionException"/>
    /// that says the server refused the TLS handshake.</exception>
    /// <exception cref="System.Security.Authentication.AuthenticationException">The server's certificate was not trusted.</exception>
    /// <exception cref="ArgumentException"><see cref="LedgerTcpClientOptions.ClientCertificate"/> has no private key.</exception>
    public static async Task<LedgerTcpClient> ConnectAsync(LedgerTcpClientOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ClientConnection connection = await ClientConnection.ConnectAsync(options, cancellationToken).ConfigureAwait(false);
        return new LedgerTcpClient(options, connection);
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

    private async Task<T> CallAsync<T>(TcpOperation operation, FrameBuffer request, Func<ReadOnlyMemory<byte>, T> decode, CancellationToken cancellationToken)
    {
        ClientConnection connection;
        try
        {
            connection = await ConnectionAsync(_options.AutoReconnect, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            request.Dispose();
            throw;
        }

        return await connection.CallAsync(operation, request, decode, cancellationToken).ConfigureAwait(false);
    }

    private async Task<ClientConnection> ConnectionAsync(bool reconnect, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        ClientConnection? current = Volatile.Read(ref _connection);
        if (current is { IsOpen: true }) return current;
        if (!reconnect)
        {
            if (current?.Fault is { } fault) throw fault;
            throw new LedgerTcpConnectionException($"Not connected to {_options.Host}:{_options.Port} (AutoReconnect is off): call ReconnectAsync.", LedgerTcpErrorCode.None, null);
        }

        await _connectLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            current = Volatile.Read(ref _connection);
            if (current is { IsOpen: true }) return current;
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);

            ClientConnection fresh = await ClientConnection.ConnectAsync(_options, cancellationToken).ConfigureAwait(false);
            if (fresh.Handshake.LedgerId != LedgerId)
            {
                await fresh.DisposeAsync().ConfigureAwait(false);
                throw new InvalidOperationException($"The server at {_options.Host}:{_options.Port} now serves ledger {fresh.Handshake.LedgerId}, not {LedgerId}.");
            }

            if (current is not null) await current.DisposeAsync().ConfigureAwait(false);
            Volatile.Write(ref _connection, fresh);
            Volatile.Write(ref _latest, fresh);
            return fresh;
        }
        finally
        {
            _connectLock.Release();
        }
    }
}
