namespace LedgerCore;

/// <summary>What <see cref="LedgerEngine.OpenAsync(LedgerOptions, CancellationToken)"/> found and did while recovering the data directory.</summary>
/// <param name="SnapshotSequence">The sequence of the snapshot loaded (0: none, replay from the start).</param>
/// <param name="RecordsReplayed">Journal records (batches) replayed after the snapshot.</param>
/// <param name="EventsReplayed">Events in those records.</param>
/// <param name="StaleRecordsSkipped">Records rejected because a higher fencing token came before them.</param>
/// <param name="TruncatedBytes">Bytes of torn tail cut from the journal (0 when it ended cleanly).</param>
/// <param name="TruncationReason">Why the tail was cut, or null.</param>
/// <param name="Duration">Wall time of the recovery.</param>
/// <param name="SnapshotLoadDuration">The part of <paramref name="Duration"/> spent loading the snapshot (zero without one).</param>
public sealed record LedgerRecovery(
    long SnapshotSequence,
    long RecordsReplayed,
    long EventsReplayed,
    long StaleRecordsSkipped,
    long TruncatedBytes,
    string? TruncationReason,
    TimeSpan Duration,
    TimeSpan SnapshotLoadDuration);
