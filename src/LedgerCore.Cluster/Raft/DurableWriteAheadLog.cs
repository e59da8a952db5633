using DotNext.IO.Log;
using DotNext.Net.Cluster.Consensus.Raft;
using DotNext.Net.Cluster.Consensus.Raft.StateMachine;
using LedgerCore.Storage;

namespace LedgerCore.Cluster.Raft;

/// <summary>
/// DotNext's write-ahead log, made to keep the majority-fsync promise (docs/replication.md). In 6.12.0 a
/// follower answers AppendEntries after <c>AppendAsync</c> (entries in memory) and <c>CommitAsync</c> (which
/// waits for a flush only up to the leader's previous commit index), so its reply can count toward a
/// commit while what it just received is still unflushed. <c>RaftCluster</c> calls the log through the
/// <see cref="IAuditTrail{TEntry}"/> interface, so re-implementing that interface here puts a flush
/// between the append and the reply. The version is pinned exactly for that reason, and
/// <see cref="AppendReplies"/>/<see cref="RepliesWithUnflushedEntries"/> let a regression test check
/// that the call path still goes through here.
/// </summary>
/// <remarks>
/// The log never fsyncs its directories after creating chunk files (a power-loss hazard, not a process
/// kill one). After each flush this class compares the modification time of the chunk directories with
/// the last one it synced (one stat each) and fsyncs those that changed, before the commit it precedes.
/// </remarks>
internal sealed class DurableWriteAheadLog : WriteAheadLog, IAuditTrail<IRaftLogEntry>
{
    private readonly string[] _directories;
    private readonly DateTime[] _synced;
    private readonly Lock _syncLock = new();
    private long _appendReplies;
    private long _repliesWithUnflushed;
    private int _followerAppendPending;

    public DurableWriteAheadLog(Options options, IStateMachine stateMachine)
        : base(options, stateMachine)
    {
        // The WAL's own layout: chunk files under data/ and metadata/, checkpoint and node state in the root.
        _directories = [options.Location, Path.Combine(options.Location, "data"), Path.Combine(options.Location, "metadata")];
        _synced = new DateTime[_directories.Length];
    }

    /// <summary>Follower appends (AppendEntries handled) since open: the replies that can count toward a commit.</summary>
    public long AppendReplies => Interlocked.Read(ref _appendReplies);

    /// <summary>Of <see cref="AppendReplies"/>, those after which an appended entry was still not flushed: must stay 0.</summary>
    public long RepliesWithUnflushedEntries => Interlocked.Read(ref _repliesWithUnflushed);

    /// <summary>Reads the highest index the log has flushed (its checkpoint); set by tests only, since reading it costs a file read per reply.</summary>
    internal Func<long>? FlushedIndexProbe { get; set; }

    /// <summary>
    /// Test only: a follower replies without flushing what it just appended, as DotNext 6.12.0 does on its
    /// own (the bug this class exists to fix). Set only by tests/LedgerCore.ClusterNode when started with
    /// <c>--unsafe-skip-follower-flush</c>, so the process tests can show whether they catch that loss.
    /// </summary>
    internal bool UnsafeSkipFollowerFlush { get; set; }

    /// <summary>Follower path (AppendEntries): the base append, then a flush through everything appended.</summary>
    async ValueTask IAuditTrail<IRaftLogEntry>.AppendAsync<TEntry>(ILogEntryProducer<TEntry> entries, long startIndex, bool skipCommitted, CancellationToken token)
    {
        await AppendAsync(entries, startIndex, skipCommitted, token).ConfigureAwait(false);
        if (!UnsafeSkipFollowerFlush)
        {
            await FlushAsync(token).ConfigureAwait(false);
            SyncDirectoriesIfChanged();
        }

        Volatile.Write(ref _followerAppendPending, 1);
    }

    /// <summary>
    /// Every commit (the leader's after a replication round, a follower's right after its append and
    /// right before its reply): the base commit waits for the flush of the index; before it, the
    /// directories of any chunk file that flush created are fsynced, so nothing counts as committed while
    /// a file holding it could vanish in a power loss.
    /// </summary>
    async ValueTask<long> IAuditTrail.CommitAsync(long endIndex, CancellationToken token)
    {
        bool skip = UnsafeSkipFollowerFlush && Volatile.Read(ref _followerAppendPending) == 1;
        if (endIndex > LastCommittedEntryIndex && !skip)
        {
            await FlushAsync(token).ConfigureAwait(false);
            SyncDirectoriesIfChanged();
        }

        long committed = await CommitAsync(endIndex, token).ConfigureAwait(false);

        // The follower's last log call before its AppendEntries reply: measure what the reply covers.
        if (Interlocked.Exchange(ref _followerAppendPending, 0) == 1)
        {
            Interlocked.Increment(ref _appendReplies);
            if (FlushedIndexProbe is { } probe && probe() < LastEntryIndex) Interlocked.Increment(ref _repliesWithUnflushed);
        }

        return committed;
    }

    /// <summary>Fsyncs each log directory whose entries changed since it was last synced (creation, deletion).</summary>
    public void SyncDirectoriesIfChanged()
    {
        lock (_syncLock)
        {
            for (int i = 0; i < _directories.Length; i++)
            {
                if (!Directory.Exists(_directories[i])) continue;
                DateTime modified = Directory.GetLastWriteTimeUtc(_directories[i]);
                if (modified == _synced[i]) continue;
                new FileStorage(_directories[i]).SyncDirectory();
                _synced[i] = modified;
            }
        }
    }
}
