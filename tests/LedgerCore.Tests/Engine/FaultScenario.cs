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
    long SnapshotIntervalEvents);
