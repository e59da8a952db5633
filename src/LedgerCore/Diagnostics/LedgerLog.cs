using Microsoft.Extensions.Logging;

namespace LedgerCore.Diagnostics;

/// <summary>The engine's log events: structured, source-generated, and never per transfer.</summary>
internal static partial class LedgerLog
{
    [LoggerMessage(1, LogLevel.Information, "Ledger {LedgerId} opened at epoch {Epoch}: snapshot at batch {SnapshotSequence}, {RecordsReplayed} journal records ({EventsReplayed} events) replayed in {DurationMs} ms")]
    public static partial void Recovered(ILogger logger, UInt128 ledgerId, ulong epoch, long snapshotSequence, long recordsReplayed, long eventsReplayed, long durationMs);

    [LoggerMessage(2, LogLevel.Warning, "Journal tail truncated: {TruncatedBytes} bytes dropped ({Reason}); they were never acknowledged")]
    public static partial void TailTruncated(ILogger logger, long truncatedBytes, string reason);

    [LoggerMessage(3, LogLevel.Warning, "{StaleRecords} journal records from a stale fencing token were skipped on replay")]
    public static partial void StaleRecordsSkipped(ILogger logger, long staleRecords);

    [LoggerMessage(4, LogLevel.Information, "Snapshot at batch {Sequence} written in {DurationMs} ms")]
    public static partial void SnapshotWritten(ILogger logger, long sequence, long durationMs);

    [LoggerMessage(5, LogLevel.Warning, "Snapshot at batch {Sequence} failed; the journal still holds everything")]
    public static partial void SnapshotFailed(ILogger logger, Exception exception, long sequence);

    [LoggerMessage(6, LogLevel.Critical, "Ledger faulted: journal I/O failed; no further writes are accepted")]
    public static partial void Faulted(ILogger logger, Exception exception);

    [LoggerMessage(7, LogLevel.Information, "Backup at batch {Sequence} written to {Directory}: {Bytes} bytes in {DurationMs} ms")]
    public static partial void BackupWritten(ILogger logger, long sequence, string directory, long bytes, long durationMs);

    [LoggerMessage(8, LogLevel.Information, "Opened a backup taken at batch {Sequence}: every file and the recovered digest match its manifest; the directory is now a live ledger")]
    public static partial void BackupRestored(ILogger logger, long sequence);
}
