namespace LedgerCore.Journal;

/// <summary>What a journal record says about its batch, besides the events themselves.</summary>
internal readonly record struct JournalRecordInfo(
    long Sequence,
    ulong Timestamp,
    ulong FencingToken,
    LedgerOperation Operation,
    int EventCount);
