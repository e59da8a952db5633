namespace LedgerCore.Journal;

/// <summary>Receives one verified journal record; <paramref name="payload"/> is valid only during the call.</summary>
internal delegate void JournalRecordHandler(in JournalRecordInfo info, ReadOnlySpan<byte> payload);
