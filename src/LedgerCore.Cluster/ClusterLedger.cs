using System.Net;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using DotNext.IO.Log;
using DotNext.Net.Cluster.Consensus.Raft;
using DotNext.Net.Cluster.Consensus.Raft.StateMachine;
using LedgerCore.Cluster.Feed;
using LedgerCore.Cluster.Raft;
using LedgerCore.Cluster.Replication;
using LedgerCore.Cluster.Snapshots;
using LedgerCore.Pipeline;
using LedgerCore.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace LedgerCore.Cluster;

/// <summary>
/// One replica of a replicated ledger (docs/replication.md): replicas agree on one Raft log of sequenced
/// batches (DotNext.Net.Cluster), and each applies it in order to its own state machine, so every
/// replica holds the same ledger (same <see cref="ComputeDigestAsync"/>).
/// </summary>
/// <remarks>
/// <para><b>Writes</b> go to the leader: a create completes only once its batch is fsynced on a majority of
/// replicas and applied on the leader. On a follower a create fails at once with
/// <see cref="NotLeaderException"/> naming the leader; a leader deposed while a write is in flight fails it
/// with <see cref="NotLeaderException"/> too, with an unknown outcome. Both derive from
/// <see cref="IOException"/>: resubmit the same ids to the leader, and what was applied answers <c>Exists</c>.</para>
/// <para><b>Reads</b> on the leader are linearizable (a read barrier, a replication round, precedes them).
/// On a follower they are served from what it has applied, which may lag the leader by the batches
/// committed but not yet applied there (<see cref="AppliedSequence"/> says how far it is).</para>
/// <para>Thread-safe.</para>
/// </remarks>
public sealed class ClusterLedger : ILedger
{
    // Batches between append and apply on the leader: bounds memory and the log's unapplied tail.
    private const int ReplicationWindow = 32;
    private const int ChunkSize = 8 << 20;

    private readonly FileStream _lock;
    private readonly IPEndPoint _self;
    private readonly RaftCluster _cluster;
    private readonly DurableWriteAheadLog _wal;
    private readonly MembersStorage _members;
    private readonly LedgerStateMachineAdapter _adapter;
    private readonly Channel<ProcessorWork> _processorQueue;
    private readonly Task _processor;
    private readonly ILogger _logger;
    private readonly ReplicaFeed _feed;
    private readonly ClusterMetrics _metrics;
    private readonly Lock _leaderLock = new();
    private EndPoint? _knownLeader;
    private readonly CancellationTokenSource _lifetime = new();
    private Task _leadershipLoop = Task.CompletedTask;
    private LeaderSession? _session;
    private Exception? _fault;
    private int _disposed;

    private ClusterLedger(ClusterOptions options, FileStream directoryLock, RaftCluster cluster, DurableWriteAheadLog wal, MembersStorage members,
        LedgerStateMachineAdapter adapter, Channel<ProcessorWork> processorQueue, Task processor, ILogger logger)
    {
        LedgerId = options.LedgerId;
        MaxBatchSize = options.MaxBatchSize;
        _lock = directoryLock;
        _cluster = cluster;
        _wal = wal;
        _members = members;
        _adapter = adapter;
        _processorQueue = processorQueue;
        _processor = processor;
        _logger = logger;
        _feed = new ReplicaFeed(wal, adapter.Feed);
        _self = options.EndPoint;
        _metrics = new ClusterMetrics(this, options.EndPoint.ToString());
    }

    /// <summary>The ledger's identity, the same on every replica.</summary>
    public UInt128 LedgerId { get; }

    /// <summary>The most events one create call accepts.</summary>
    public int MaxBatchSize { get; }

    /// <summary>The sequence of the last batch this replica applied: committed on a majority, so durable.</summary>
    public long CommittedSequence => _adapter.AppliedSequence;

    /// <summary>The sequence of the last batch this replica applied (on a follower, how stale its reads may be).</summary>
    public long AppliedSequence => _adapter.AppliedSequence;

    /// <summary>Whether this replica leads and accepts writes (its term's no-op is applied and its sequencer runs).</summary>
    public bool IsLeader => Volatile.Read(ref _session) is { Leadership.IsCancellationRequested: false };

    /// <summary>The leader as this replica knows it (itself when it leads), or null during an election.</summary>
    public EndPoint? LeaderEndpoint => _cluster.Leader?.EndPoint;

    /// <summary>The current Raft term as this replica knows it; the fencing token of the batches its leadership sequences.</summary>
    public long Term => ((IPersistentState)_wal).Term;

    /// <summary>
    /// Raft entries in this replica's log not yet known committed: on the leader, appended and awaiting a
    /// majority; on a follower, received before the leader's commit index reached them. Reported by
    /// <see cref="ClusterHealthCheck"/> and the <c>ledgercore.cluster.commit.lag</c> gauge.
    /// </summary>
    public long CommitLag => Math.Max(0, ((IAuditTrail)_wal).LastEntryIndex - ((IAuditTrail)_wal).LastCommittedEntryIndex);

    /// <summary>
    /// Raft entries committed but not yet applied on this replica: how far its reads (and its change feed)
    /// trail what it knows committed. Reported by <see cref="ClusterHealthCheck"/> and the
    /// <c>ledgercore.cluster.apply.lag</c> gauge.
    /// </summary>
    public long ApplyLag => Math.Max(0, ((IAuditTrail)_wal).LastCommittedEntryIndex - _adapter.AppliedIndex);

    /// <summary>The replica's Raft log (tests instrument it).</summary>
    internal DurableWriteAheadLog Log => _wal;

    /// <summary>The replica's state machine adapter (tests read its snapshot counters).</summary>
    internal LedgerStateMachineAdapter Adapter => _adapter;

    /// <summary>The error that stopped this replica applying (a corrupt entry, a failed snapshot install), or null.</summary>
    public Exception? Fault => Volatile.Read(ref _fault);

    /// <summary>
    /// Raised (on a background thread) when this replica gains or loses leadership, or learns of another
    /// leader; read <see cref="IsLeader"/> and <see cref="LeaderEndpoint"/> for the new state.
    /// </summary>
    public event EventHandler? LeadershipChanged;

    /// <summary>
    /// Starts a replica: opens (or creates) its data directory, restores its newest snapshot, starts Raft
    /// on <see cref="ClusterOptions.EndPoint"/> and replays its committed log. Returns without waiting
    /// for a leader.
    /// </summary>
    /// <param name="options">Validated before anything is touched.</param>
    /// <param name="logger">Where the replica logs (never per transfer); null logs nowhere.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <exception cref="ArgumentException">An option is invalid (see <see cref="ClusterOptions.Validate"/>).</exception>
    /// <exception cref="LedgerLockedException">Another replica or engine has the directory open.</exception>
    /// <exception cref="LedgerCorruptedException">The directory belongs to another ledger, or its snapshot fails verification.</exception>
    /// <exception cref="IOException">The directory cannot be read or written, or the endpoint cannot be bound.</exception>
    public static async Task<ClusterLedger> StartAsync(ClusterOptions options, ILogger? logger = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        logger ??= NullLogger.Instance;
        string root = Path.GetFullPath(options.DataDirectory);
        string raft = Path.Combine(root, "raft");
        string snapshots = Path.Combine(root, "snapshots");
        Directory.CreateDirectory(raft);
        Directory.CreateDirectory(snapshots);
        FileStream directoryLock = DataDirectory.Lock(root);
        var cleanup = new List<IDisposable>();
        try
        {
            var storage = new FileStorage(root);
            if (DataDirectory.Read(storage) is { } stored)
            {
                if (stored.LedgerId != options.LedgerId) throw new LedgerCorruptedException(DataDirectory.MetadataName, 8, $"the directory holds ledger {stored.LedgerId}, not {options.LedgerId}");
            }
            else
            {
                // The epoch field is unused on a replica: the Raft term is the fencing token.
                DataDirectory.Write(storage, options.LedgerId, 0);
            }

            var store = new SnapshotFileStore(snapshots, options.LedgerId, 0, 0);
            ReplicaSnapshotInfo? newest = store.Newest();
            (LedgerStateMachine machine, ulong fencingToken) = newest is null ? (new LedgerStateMachine(), 0UL) : store.Read(newest);

            var queue = Channel.CreateBounded<ProcessorWork>(new BoundedChannelOptions(1024) { FullMode = BoundedChannelFullMode.Wait, SingleReader = true });
            ClusterLedger? ledger = null;
            var processor = new Processor(machine, queue.Reader, fencingToken, static (_, _) => { }, e => ledger?.OnFaulted(e));
            Task processorTask = Task.Run(processor.RunAsync, CancellationToken.None);
            var adapter = new LedgerStateMachineAdapter(queue.Writer, store, newest, machine, options.SnapshotIntervalEvents, logger);
            cleanup.Add(adapter);

            // PrivateMemory: the mode the flush-before-reply fix was measured in (writes with O_DSYNC at flush).
            var wal = new DurableWriteAheadLog(new WriteAheadLog.Options { Location = raft, MemoryManagement = WriteAheadLog.MemoryManagementStrategy.PrivateMemory, ChunkSize = ChunkSize }, adapter);
            cleanup.Add(wal);
            string membersFile = Path.Combine(raft, "members");
            await MembersStorage.SeedAsync(membersFile, options.Members, cancellationToken).ConfigureAwait(false);
            var members = new MembersStorage(membersFile);
            cleanup.Add(members);
            var cluster = new RaftCluster(new RaftCluster.TcpConfiguration(options.EndPoint)
            {
                ConfigurationStorage = members,
                LowerElectionTimeout = (int)options.ElectionTimeoutMin.TotalMilliseconds,
                UpperElectionTimeout = (int)options.ElectionTimeoutMax.TotalMilliseconds,
                ColdStart = options.ColdStart,
            })
            { AuditTrail = wal };
            cleanup.Add(cluster);

            ledger = new ClusterLedger(options, directoryLock, cluster, wal, members, adapter, queue, processorTask, logger);
            adapter.Faulted = ledger.OnFaulted;
            cluster.LeaderChanged += ledger.OnLeaderChanged;
            await cluster.StartAsync(cancellationToken).ConfigureAwait(false);
            wal.SyncDirectoriesIfChanged();
            ClusterLog.Started(logger, newest?.Index ?? 0, newest?.Sequence ?? 0, ledger.Term);
            ledger._leadershipLoop = Task.Run(ledger.LeadAsync, CancellationToken.None);
            return ledger;
        }
        catch
        {
            for (int i = cleanup.Count - 1; i >= 0; i--) cleanup[i].Dispose();
            await directoryLock.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <inheritdoc/>
    /// <exception cref="NotLeaderException">This replica is not the leader, or was deposed while the write was in flight (outcome unknown).</exception>
    public Task<CreateAccountsResult[]> CreateAccountsAsync(ReadOnlyMemory<Account> accounts, CancellationToken cancellationToken = default) =>
        SubmitAsync<Account, CreateAccountsResult>(LedgerOperation.CreateAccounts, accounts, LedgerEngine.IsCoalescable(accounts.Span), cancellationToken);

    /// <inheritdoc/>
    /// <exception cref="NotLeaderException">This replica is not the leader, or was deposed while the write was in flight (outcome unknown).</exception>
    public Task<CreateTransfersResult[]> CreateTransfersAsync(ReadOnlyMemory<Transfer> transfers, CancellationToken cancellationToken = default) =>
        SubmitAsync<Transfer, CreateTransfersResult>(LedgerOperation.CreateTransfers, transfers, LedgerEngine.IsCoalescable(transfers.Span), cancellationToken);

    /// <inheritdoc/>
    public Task<Account[]> LookupAccountsAsync(ReadOnlyMemory<UInt128> ids, CancellationToken cancellationToken = default) =>
        ReadAsync(m => m.LookupAccounts(ids.Span), cancellationToken);

    /// <inheritdoc/>
    public Task<Transfer[]> LookupTransfersAsync(ReadOnlyMemory<UInt128> ids, CancellationToken cancellationToken = default) =>
        ReadAsync(m => m.LookupTransfers(ids.Span), cancellationToken);

    /// <inheritdoc/>
    public Task<Transfer[]> GetAccountTransfersAsync(AccountFilter filter, CancellationToken cancellationToken = default) =>
        ReadAsync(m => m.GetAccountTransfers(filter), cancellationToken);

    /// <inheritdoc/>
    public Task<AccountBalance[]> GetAccountBalancesAsync(AccountFilter filter, CancellationToken cancellationToken = default) =>
        ReadAsync(m => m.GetAccountBalances(filter), cancellationToken);

    /// <inheritdoc/>
    public Task<Account[]> QueryAccountsAsync(QueryFilter filter, CancellationToken cancellationToken = default) =>
        ReadAsync(m => m.QueryAccounts(filter), cancellationToken);

    /// <inheritdoc/>
    public Task<Transfer[]> QueryTransfersAsync(QueryFilter filter, CancellationToken cancellationToken = default) =>
        ReadAsync(m => m.QueryTransfers(filter), cancellationToken);

    /// <inheritdoc/>
    public Task<ChangeEvent[]> GetChangeEventsAsync(ChangeEventsFilter filter, CancellationToken cancellationToken = default) =>
        ReadAsync(m => m.GetChangeEvents(filter), cancellationToken);

    /// <summary>
    /// The feed of outcomes on this replica, leader or follower: every change event with a timestamp at or
    /// after <paramref name="timestampMin"/>, in timestamp order and once each (expiries included), a page
    /// at a time as the enumeration advances, then live as this replica applies batches, until cancelled or
    /// the replica is disposed. Events are computed from the replica's state, so they reach back to the
    /// first batch whatever was compacted; a follower's feed trails the leader by its apply lag. To resume,
    /// pass one past the last timestamp seen.
    /// </summary>
    public async IAsyncEnumerable<ChangeEvent> ReadChangeEventsAsync(ulong timestampMin, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ulong from = timestampMin;
        while (true)
        {
            // Read before the page: a batch applied after it wakes the wait below even if the page saw it.
            long seen = AppliedSequence;
            ChangeEvent[] page;
            try
            {
                page = await GetChangeEventsAsync(new ChangeEventsFilter(from, 0, LedgerStateMachine.ChangeEventsMax), cancellationToken).ConfigureAwait(false);
            }
            catch (ObjectDisposedException)
            {
                yield break;
            }

            foreach (ChangeEvent e in page)
            {
                yield return e;
            }

            if (page.Length > 0) from = page[^1].Timestamp + 1;
            if (page.Length == LedgerStateMachine.ChangeEventsMax) continue;
            if (!await _adapter.Feed.WaitAppliedAfterAsync(seen, cancellationToken).ConfigureAwait(false)) yield break;
        }
    }

    /// <inheritdoc/>
    public Task<UInt128> ComputeDigestAsync(CancellationToken cancellationToken = default) =>
        ReadAsync(m => m.ComputeDigest(), cancellationToken);

    /// <summary>
    /// The change feed of this replica, leader or follower: every batch it applied from
    /// <paramref name="fromSequence"/> on (0 or 1: from the first), in order and once each, then live as it
    /// applies more, until cancelled or the replica is disposed. Sequences are gap-free across leader
    /// changes; the fencing token is the term of the leader that sequenced the batch. The batches are read
    /// back from this replica's Raft log, so the feed reaches back to the batch after its newest snapshot
    /// (taken every <see cref="ClusterOptions.SnapshotIntervalEvents"/> applied events, or received from the
    /// leader): older sequences, and a reader that falls behind a snapshot taken meanwhile, get
    /// <see cref="InvalidOperationException"/> (rebuild from reads, then follow from <see cref="AppliedSequence"/>).
    /// A follower's feed trails the leader by its apply lag.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="fromSequence"/> is negative.</exception>
    /// <exception cref="InvalidOperationException">The requested sequences are covered by this replica's newest snapshot.</exception>
    /// <exception cref="LedgerCorruptedException">An applied batch's entry fails verification when read back.</exception>
    public IAsyncEnumerable<CommittedBatch> ReadCommittedAsync(long fromSequence, CancellationToken cancellationToken = default) =>
        _feed.ReadAsync(fromSequence, cancellationToken);

    /// <summary>
    /// Adds a replica to the cluster, on the leader only, one member at a time. Start the new replica first
    /// with an empty <see cref="ClusterOptions.Members"/> and <see cref="ClusterOptions.ColdStart"/> false: it
    /// then waits without voting (DotNext's standby) until the leader, here, replicates the log to it for a
    /// few warm-up rounds (a snapshot first when the log is compacted) and commits a configuration naming
    /// it; from then on it votes and counts toward the majority. To replace a replica, add the new one, then
    /// remove the old one: the cluster has four members in between (a majority of three).
    /// </summary>
    /// <param name="endpoint">The new replica's <see cref="ClusterOptions.EndPoint"/>.</param>
    /// <param name="cancellationToken">Cancels the change (its outcome is then unknown: read the membership again).</param>
    /// <returns>True once the configuration with the new member is committed; false when the new replica did not
    /// catch up in the warm-up rounds or the configuration could not be committed.</returns>
    /// <exception cref="NotLeaderException">This replica is not the leader, or lost leadership during the change (outcome unknown).</exception>
    /// <exception cref="InvalidOperationException">Another membership change is in progress.</exception>
    public Task<bool> AddMemberAsync(EndPoint endpoint, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        return ChangeMembersAsync(_cluster.AddMemberAsync, endpoint, cancellationToken);
    }

    /// <summary>
    /// Removes a replica from the cluster, on the leader only, one member at a time: once the configuration
    /// without it is committed the majority is counted without it, and it receives nothing more (dispose it,
    /// and delete its directory before it ever joins again). Remove a follower; to retire the leader, stop it
    /// first and remove it from the new leader.
    /// </summary>
    /// <param name="endpoint">The replica's <see cref="ClusterOptions.EndPoint"/>.</param>
    /// <param name="cancellationToken">Cancels the change (its outcome is then unknown: read the membership again).</param>
    /// <returns>True once the configuration without the member is committed; false when it could not be committed.</returns>
    /// <exception cref="NotLeaderException">This replica is not the leader, or lost leadership during the change (outcome unknown).</exception>
    /// <exception cref="InvalidOperationException">Another membership change is in progress.</exception>
    public Task<bool> RemoveMemberAsync(EndPoint endpoint, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        return ChangeMembersAsync(_cluster.RemoveMemberAsync, endpoint, cancellationToken);
    }

    /// <summary>Leaves the cluster: fails writes in flight (outcome unknown), stops Raft, drains the applier and releases the directory.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        await _lifetime.CancelAsync().ConfigureAwait(false);
        _adapter.Feed.Close();
        try
        {
            await _leadershipLoop.ConfigureAwait(false);
            await _cluster.StopAsync(CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            _cluster.LeaderChanged -= OnLeaderChanged;
            _cluster.Dispose();
            await _wal.DisposeAsync().ConfigureAwait(false);
            _processorQueue.Writer.TryComplete();
            await _processor.ConfigureAwait(false);
            await _adapter.DrainAsync().ConfigureAwait(false);
            _adapter.Dispose();
            _members.Dispose();
            _metrics.Dispose();
            _lifetime.Dispose();
            await _lock.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The leadership loop: wait to lead (the term's no-op applied, so everything before it is applied
    /// here), run a sequencer from the last applied batch until leadership ends, then fail what is in
    /// flight and wait again.
    /// </summary>
    private async Task LeadAsync()
    {
        CancellationToken lifetime = _lifetime.Token;
        while (!lifetime.IsCancellationRequested)
        {
            CancellationToken leadership;
            try
            {
                leadership = await _cluster.WaitForLeadershipAsync(lifetime).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (lifetime.IsCancellationRequested)
            {
                return;
            }

            long term = Term;
            if (leadership.IsCancellationRequested) continue;
            long next = _adapter.AppliedSequence + 1;
            using var session = new LeaderSession(_cluster, _wal, term, next, _adapter.AppliedTimestamp, MaxBatchSize, ReplicationWindow, () => OtherLeader, leadership);
            Volatile.Write(ref _session, session);
            ClusterLog.Leading(_logger, term, next, _adapter.AppliedIndex);
            RaiseLeadershipChanged();
            try
            {
                using var ended = CancellationTokenSource.CreateLinkedTokenSource(leadership, lifetime);
                await Task.Delay(Timeout.Infinite, ended.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
            finally
            {
                Volatile.Write(ref _session, null);
                session.Requests.TryComplete();
                await session.StopAsync().ConfigureAwait(false);
                if (session.FailedInFlight > 0) ClusterLog.Deposed(_logger, term, session.FailedInFlight);
                else ClusterLog.StoppedLeading(_logger, term);
                RaiseLeadershipChanged();
            }
        }
    }

    private async Task<TResult[]> SubmitAsync<TEvent, TResult>(LedgerOperation operation, ReadOnlyMemory<TEvent> events, bool coalescable, CancellationToken cancellationToken)
        where TEvent : unmanaged
        where TResult : struct
    {
        if (events.Length > MaxBatchSize)
        {
            throw new ArgumentException($"A batch holds at most {MaxBatchSize} events; this one holds {events.Length}.", nameof(events));
        }

        cancellationToken.ThrowIfCancellationRequested();
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        ThrowIfFaulted();
        LeaderSession session = Volatile.Read(ref _session) ?? throw NotLeader();
        if (events.IsEmpty) return [];
        var request = new WriteRequest<TEvent, TResult>(operation, events, coalescable, cancellationToken);
        if (!session.Requests.TryWrite(request))
        {
            try
            {
                await session.Requests.WriteAsync(request, cancellationToken).ConfigureAwait(false);
            }
            catch (ChannelClosedException)
            {
                throw NotLeader();
            }
        }

        return await request.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<T> ReadAsync<T>(Func<LedgerStateMachine, T> read, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (IsLeader)
        {
            try
            {
                // Linearizable: a replication round confirms leadership, then everything committed is applied.
                await _cluster.ApplyReadBarrierAsync(ReadBarrierType.Strong, cancellationToken).ConfigureAwait(false);
            }
            catch (DotNext.Net.Cluster.Consensus.Raft.NotLeaderException)
            {
                // Deposed meanwhile: served as a follower read (from applied state), as documented.
            }
        }

        var work = new CallWork<T>(p => read(p.Machine), cancellationToken);
        try
        {
            await _processorQueue.Writer.WriteAsync(work, cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            throw new ObjectDisposedException(nameof(ClusterLedger));
        }

        return await work.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<bool> ChangeMembersAsync(Func<EndPoint, CancellationToken, Task<bool>> change, EndPoint endpoint, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        ThrowIfFaulted();
        if (!IsLeader) throw NotLeader();
        try
        {
            return await change(endpoint, cancellationToken).ConfigureAwait(false);
        }
        catch (DotNext.Net.Cluster.Consensus.Raft.NotLeaderException e)
        {
            throw new NotLeaderException($"Leadership ended during the membership change of {endpoint}: it may or may not be committed.", OtherLeader, e);
        }
        catch (RaftCluster<RaftClusterMember>.ConcurrentMembershipModificationException e)
        {
            throw new InvalidOperationException("Another membership change is in progress: change one member at a time.", e);
        }
    }

    /// <summary>
    /// The leader to name in a <see cref="NotLeaderException"/>: never this replica. While it is being deposed
    /// DotNext may still report it as the leader, and naming it would send the retry straight back here.
    /// </summary>
    private EndPoint? OtherLeader => LeaderEndpoint is { } leader && !leader.Equals(_self) ? leader : null;

    private NotLeaderException NotLeader()
    {
        EndPoint? leader = OtherLeader;
        return new NotLeaderException(leader is null
            ? "This replica is not the leader and no leader is known (an election is under way); retry shortly."
            : $"This replica is not the leader; the leader is {leader}.", leader);
    }

    private void OnLeaderChanged(RaftCluster<RaftClusterMember> cluster, RaftClusterMember? leader)
    {
        EndPoint? endpoint = leader?.EndPoint;
        bool changed;
        lock (_leaderLock)
        {
            changed = !Equals(endpoint, _knownLeader);
            _knownLeader = endpoint;
        }

        if (changed)
        {
            _metrics.LeaderChanged();
            if (endpoint is null) ClusterLog.NoLeader(_logger, Term);
            else ClusterLog.LeaderChanged(_logger, endpoint, Term);
        }

        RaiseLeadershipChanged();
    }

    private void RaiseLeadershipChanged() => LeadershipChanged?.Invoke(this, EventArgs.Empty);

    private void OnFaulted(Exception exception)
    {
        if (Interlocked.CompareExchange(ref _fault, exception, null) is null) ClusterLog.Faulted(_logger, exception);
    }

    private void ThrowIfFaulted()
    {
        if (Volatile.Read(ref _fault) is { } fault)
        {
            throw new LedgerFaultedException("The replica faulted and applies nothing more; rebuild it from the others.", fault);
        }
    }
}
