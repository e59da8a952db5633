namespace LedgerCore.Journal;

/// <summary>What a journal scan found: where the valid journal ends, and what it cut.</summary>
internal readonly record struct JournalScan(
    long LastSequence,
    string? LastSegment,
    long EndOffset,
    long RecordsRead,
    long TruncatedBytes,
    string? TruncationReason);
