using System.Buffers;
using LedgerCore.Journal;

namespace LedgerCore.Cluster.Replication;

/// <summary>A Raft entry's payload is one journal record: copied out and verified the way recovery verifies the journal.</summary>
internal static class RecordCodec
{
    /// <summary>Copies the entry's payload into <paramref name="record"/> and verifies it as a journal record.</summary>
    /// <exception cref="LedgerCorruptedException">The payload is not a valid journal record.</exception>
    public static JournalRecordInfo Read(long index, ReadOnlySequence<byte> payload, byte[] record)
    {
        if (payload.Length < JournalFormat.RecordHeaderSize || payload.Length > record.Length)
        {
            throw new LedgerCorruptedException($"Raft entry {index} holds {payload.Length} bytes, not a journal record.");
        }

        payload.CopyTo(record);
        ReadOnlySpan<byte> header = record.AsSpan(0, JournalFormat.RecordHeaderSize);
        string? problem = JournalFormat.TryReadRecordHeader(header, out JournalRecordInfo info, out int payloadLength);
        if (problem is null && payload.Length != JournalFormat.RecordHeaderSize + payloadLength) problem = "record length does not match the entry";
        if (problem is null && !JournalFormat.ChecksumMatches(header, record.AsSpan(JournalFormat.RecordHeaderSize, payloadLength))) problem = "record checksum mismatch";
        if (problem is not null) throw new LedgerCorruptedException($"Raft entry {index} is not a valid journal record: {problem}.");
        return info;
    }
}
