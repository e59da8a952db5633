using DotNext.Net.Cluster.Consensus.Raft.StateMachine;
using LedgerCore.StateMachine.Storage;

namespace LedgerCore.Cluster.Snapshots;

/// <summary>
/// Where a replica keeps its snapshots: the one seam between replication and the snapshot format, so
/// the storage work (docs/storage.md, checkpoints) can replace <see cref="SnapshotFileStore"/> without
/// touching the Raft adapter. Every method is durable when it returns.
/// </summary>
internal interface IReplicaSnapshots
{
    /// <summary>The newest complete snapshot, or null when there is none.</summary>
    ReplicaSnapshotInfo? Newest();

    /// <summary>Loads and verifies a snapshot into a new state machine.</summary>
    /// <exception cref="LedgerCorruptedException">It fails verification.</exception>
    (LedgerStateMachine Machine, ulong HighestFencingToken) Read(ReplicaSnapshotInfo snapshot);

    /// <summary>Writes a frozen image as the snapshot of Raft entry <paramref name="index"/>.</summary>
    ReplicaSnapshotInfo Write(long index, long term, long sequence, ulong highestFencingToken, SnapshotImage image);

    /// <summary>Streams a snapshot to a follower (what <see cref="ImportAsync"/> reads).</summary>
    ValueTask ExportAsync<TWriter>(ReplicaSnapshotInfo snapshot, TWriter writer, CancellationToken cancellationToken)
        where TWriter : DotNext.IO.IAsyncBinaryWriter;

    /// <summary>
    /// Installs a snapshot received from the leader as the one of <paramref name="entry"/>'s index and
    /// term: written, fsynced and renamed into place before it returns (the follower's reply to the
    /// leader does not wait for anything else), then loaded.
    /// </summary>
    /// <exception cref="LedgerCorruptedException">What arrived fails verification.</exception>
    Task<(ReplicaSnapshotInfo Snapshot, LedgerStateMachine Machine, ulong HighestFencingToken)> ImportAsync(LogEntry entry, CancellationToken cancellationToken);

    /// <summary>Deletes the snapshots of entries below <paramref name="index"/> (the log no longer reaches them).</summary>
    void DeleteBelow(long index);
}
