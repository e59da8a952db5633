using LedgerCore.Tests.Faults;

namespace LedgerCore.Tests.Engine;

/// <summary>One generated case of the fault property: a workload (from <see cref="Seed"/>) and one fault point.</summary>
/// <param name="Seed">Drives the workload: callers' requests, their events and sizes.</param>
/// <param name="Kind">The planned fault.</param>
/// <param name="FaultAt">The write, fsync or mutation (from 1) the fault hits.</param>
/// <param name="JournalOnly">Whether a failing write/fsync targets only journal segments (else any file: metadata, snapshots).</param>
/// <param name="PartialWriteBytes">Bytes of a failing write that reach the page cache anyway.</param>
/// <param name="TornBytes">How much of the last unsynced write survives the crash (null: nothing unsynced survives).</param>
/// <param name="Enospc">ENOSPC instead of EIO.</param>
/// <param name="Callers">Concurrent callers.</param>
/// <param name="MaxBatchSize">The engine's batch limit (small, so requests coalesce and split into many groups).</param>
/// <param name="QueueDepthMax">The engine's queue bound (small: backpressure).</param>
/// <param name="SnapshotIntervalEvents">0 or a small interval, so snapshots are written (and hit by faults) too.</param>
/// <param name="SegmentBytesMax">Tiny (a few records, so segments roll under faults) or large; tiny only without snapshots, whose compaction would cut the feed the property reads from 0.</param>
/// <param name="CommitDelayMilliseconds">The journal's commit delay (0: commit as soon as the previous fsync returns).</param>
internal sealed record FaultScenario(
    int Seed,
    FaultKind Kind,
    int FaultAt,
    bool JournalOnly,
    int PartialWriteBytes,
    int? TornBytes,
    bool Enospc,
    int Callers,
    int MaxBatchSize,
    int QueueDepthMax,
    long SnapshotIntervalEvents,
    long SegmentBytesMax,
    int CommitDelayMilliseconds);
