using System.Buffers;
using System.Threading.Channels;
using DotNext.Net.Cluster.Consensus.Raft.StateMachine;
using LedgerCore.Cluster.Feed;
using LedgerCore.Cluster.Snapshots;
using LedgerCore.Journal;
using LedgerCore.Pipeline;
using Microsoft.Extensions.Logging;

namespace LedgerCore.Cluster.Replication;

/// <summary>
/// DotNext's state machine on every replica: each committed entry with a payload is one journal record
/// (the bytes the single-node journal would hold), verified here and applied on the processor in log
/// order; entries without payload (no-ops, configuration) only advance the applied index. Every
/// <c>snapshotIntervalEvents</c> applied events the state is frozen on the processor and written in the
/// background; <see cref="Snapshot"/> names only snapshots already durable.
/// </summary>
internal sealed class LedgerStateMachineAdapter : IStateMachine, IDisposable
{
    private readonly ChannelWriter<ProcessorWork> _processor;
    private readonly IReplicaSnapshots _snapshots;
    private readonly long _snapshotIntervalEvents;
    private readonly ILogger _logger;
    // Writes, imports and deletions of snapshots never overlap (DotNext may reclaim while it applies).
    private readonly SemaphoreSlim _snapshotLock = new(1, 1);
    // The applier never runs concurrently and waits for each record: one buffer serves every entry.
    private readonly byte[] _record = new byte[JournalFormat.RecordHeaderSize + JournalFormat.PayloadBytesMax];
    private ReplicaSnapshot? _snapshot;
    private long _appliedIndex;
    private long _appliedSequence;
    private ulong _appliedTimestamp;
    private long _eventsSinceSnapshot;
    private Task _snapshotWrite = Task.CompletedTask;

    public LedgerStateMachineAdapter(ChannelWriter<ProcessorWork> processor, IReplicaSnapshots snapshots, ReplicaSnapshotInfo? restored, LedgerStateMachine machine, long snapshotIntervalEvents, ILogger logger)
    {
        _processor = processor;
        _snapshots = snapshots;
        _snapshotIntervalEvents = snapshotIntervalEvents;
        _logger = logger;
        if (restored is not null)
        {
            _snapshot = new ReplicaSnapshot(restored, snapshots);
            _appliedIndex = restored.Index;
            _appliedSequence = restored.Sequence;
        }

        Feed = new AppliedBatchIndex(_appliedSequence);

        _appliedTimestamp = machine.CommitTimestamp;
    }

    /// <summary>The sequence of the last applied batch.</summary>
    public long AppliedSequence => Volatile.Read(ref _appliedSequence);

    /// <summary>The timestamp of the last applied batch: a new leader's sequencer starts after it.</summary>
    public ulong AppliedTimestamp => Volatile.Read(ref _appliedTimestamp);

    /// <summary>The Raft index of the last applied entry.</summary>
    public long AppliedIndex => Volatile.Read(ref _appliedIndex);

    /// <summary>Where the change feed finds each applied batch in the log.</summary>
    public AppliedBatchIndex Feed { get; }

    /// <summary>Told of an entry that fails verification (the processor reports its own faults).</summary>
    public Action<Exception>? Faulted { get; set; }

    public ISnapshot? Snapshot => Volatile.Read(ref _snapshot);

    /// <summary>Snapshots written or installed since start.</summary>
    public int SnapshotsTaken { get; private set; }

    /// <summary>Snapshots received from a leader and installed since start.</summary>
    public int SnapshotsInstalled { get; private set; }

    public async ValueTask<long> ApplyAsync(LogEntry entry, CancellationToken token)
    {
        if (entry.Index <= AppliedIndex) return AppliedIndex;
        if (entry.IsSnapshot) return await InstallAsync(entry, token).ConfigureAwait(false);
        if (!entry.TryGetPayload(out ReadOnlySequence<byte> payload) || payload.IsEmpty)
        {
            Volatile.Write(ref _appliedIndex, entry.Index);
            return entry.Index;
        }

        JournalRecordInfo info;
        try
        {
            info = RecordCodec.Read(entry.Index, payload, _record);
        }
        catch (LedgerCorruptedException e)
        {
            // DotNext's applier stops at an entry that fails: nothing after it is applied here.
            Faulted?.Invoke(e);
            throw;
        }

        var record = new ReplicatedRecord(this, entry.Index, entry.Term, in info, _record, entry.Context as PendingBatch);
        await _processor.WriteAsync(record, token).ConfigureAwait(false);
        await record.Done.ConfigureAwait(false);
        if (record.Applied) Feed.Add(info.Sequence, entry.Index);
        return entry.Index;
    }

    public async ValueTask ReclaimGarbageAsync(long watermark, CancellationToken token)
    {
        await _snapshotLock.WaitAsync(token).ConfigureAwait(false);
        try
        {
            _snapshots.DeleteBelow(watermark);
        }
        finally
        {
            _snapshotLock.Release();
        }
    }

    /// <summary>Waits for a snapshot being written in the background (at shutdown).</summary>
    public Task DrainAsync() => _snapshotWrite;

    public void Dispose() => _snapshotLock.Dispose();

    /// <summary>
    /// On the processor, as soon as a record was applied and before its caller is completed: a caller
    /// that reads the applied positions (the change feed, a follower read) right after its await must
    /// see its own batch.
    /// </summary>
    internal void Advance(long index, in JournalRecordInfo info)
    {
        Volatile.Write(ref _appliedSequence, info.Sequence);
        Volatile.Write(ref _appliedTimestamp, info.Timestamp);
        Volatile.Write(ref _appliedIndex, index);
    }

    /// <summary>On the processor, after the record's caller was completed: a snapshot at the interval.</summary>
    internal void Applied(Processor processor, long index, long term, in JournalRecordInfo info)
    {
        _eventsSinceSnapshot += info.EventCount;
        if (_snapshotIntervalEvents == 0 || _eventsSinceSnapshot < _snapshotIntervalEvents || !_snapshotWrite.IsCompleted) return;
        _eventsSinceSnapshot = 0;
        var image = processor.Machine.CaptureImage();
        long sequence = info.Sequence;
        ulong fencingToken = processor.HighestFencingToken;
        _snapshotWrite = Task.Run(async () =>
        {
            await _snapshotLock.WaitAsync().ConfigureAwait(false);
            try
            {
                ReplicaSnapshotInfo written = _snapshots.Write(index, term, sequence, fencingToken, image);
                Publish(written);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The Raft log still holds everything after the previous snapshot: this costs log space, not data.
                ClusterLog.SnapshotFailed(_logger, e, index);
            }
            finally
            {
                _snapshotLock.Release();
            }
        });
    }

    /// <summary>On the processor, for a stale record skipped: only the index moves.</summary>
    internal void Skipped(long index) => Volatile.Write(ref _appliedIndex, index);

    private async ValueTask<long> InstallAsync(LogEntry entry, CancellationToken token)
    {
        await _snapshotWrite.ConfigureAwait(false);
        await _snapshotLock.WaitAsync(token).ConfigureAwait(false);
        try
        {
            (ReplicaSnapshotInfo info, LedgerStateMachine machine, ulong fencingToken) = await _snapshots.ImportAsync(entry, token).ConfigureAwait(false);
            var install = new SnapshotInstall(machine, fencingToken, _ =>
            {
                Volatile.Write(ref _appliedSequence, info.Sequence);
                Volatile.Write(ref _appliedTimestamp, machine.CommitTimestamp);
                Volatile.Write(ref _appliedIndex, info.Index);
                _eventsSinceSnapshot = 0;
            });
            await _processor.WriteAsync(install, token).ConfigureAwait(false);
            await install.Done.ConfigureAwait(false);
            Publish(info);
            SnapshotsInstalled++;
            ClusterLog.SnapshotInstalled(_logger, info.Index, info.Sequence);
            return info.Index;
        }
        finally
        {
            _snapshotLock.Release();
        }
    }

    private void Publish(ReplicaSnapshotInfo info)
    {
        // Only forward: an install may have moved past a snapshot that was being written meanwhile.
        if (_snapshot is { } current && current.Index >= info.Index) return;
        Volatile.Write(ref _snapshot, new ReplicaSnapshot(info, _snapshots));
        Feed.Compact(info.Sequence);
        SnapshotsTaken++;
    }
}
