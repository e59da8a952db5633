using System.Buffers.Binary;
using System.IO.Hashing;

namespace LedgerCore.Journal;

/// <summary>
/// Byte layout of journal segments (docs/journal-format.md is the prose version; keep both in step).
/// Every integer is little-endian. Records are 64-byte aligned: the record header is 64 bytes and
/// events are 128 bytes, so a scan for a valid record after a corrupt one only tries 64-byte offsets.
/// </summary>
internal static class JournalFormat
{
    public const int FormatVersion = 1;

    /// <summary>"LCJOURNL": the first 8 bytes of every segment.</summary>
    public const ulong SegmentMagic = 0x4C4E_5255_4F4A_434C;

    public const int SegmentHeaderSize = 64;
    public const int RecordHeaderSize = 64;
    public const int EventSize = 128;
    public const int RecordAlignment = 64;

    /// <summary>The largest payload a record may declare: one full batch.</summary>
    public const int PayloadBytesMax = LedgerStateMachine.BatchEventsMax * EventSize;

    public const string SegmentPrefix = "journal-";
    public const string SegmentSuffix = ".log";

    // Segment header offsets.
    private const int SegmentMagicOffset = 0;
    private const int SegmentVersionOffset = 8;
    private const int SegmentHeaderSizeOffset = 12;
    private const int SegmentLedgerIdOffset = 16;
    private const int SegmentFirstSequenceOffset = 32;
    private const int SegmentChecksumOffset = 56;

    // Record header offsets. The checksum covers bytes 8..63 of the header and then the payload.
    private const int RecordChecksumOffset = 0;
    private const int RecordPayloadLengthOffset = 8;
    private const int RecordEventCountOffset = 12;
    private const int RecordSequenceOffset = 16;
    private const int RecordTimestampOffset = 24;
    private const int RecordFencingTokenOffset = 32;
    private const int RecordOperationOffset = 40;

    public static string SegmentName(long firstSequence) => $"{SegmentPrefix}{firstSequence:D20}{SegmentSuffix}";

    /// <summary>Parses a segment file name; false for any other file.</summary>
    public static bool TryParseSegmentName(string name, out long firstSequence)
    {
        firstSequence = 0;
        return name.StartsWith(SegmentPrefix, StringComparison.Ordinal) &&
               name.EndsWith(SegmentSuffix, StringComparison.Ordinal) &&
               name.Length == SegmentPrefix.Length + 20 + SegmentSuffix.Length &&
               long.TryParse(name.AsSpan(SegmentPrefix.Length, 20), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out firstSequence);
    }

    public static void WriteSegmentHeader(Span<byte> destination, UInt128 ledgerId, long firstSequence)
    {
        Span<byte> header = destination[..SegmentHeaderSize];
        header.Clear();
        BinaryPrimitives.WriteUInt64LittleEndian(header[SegmentMagicOffset..], SegmentMagic);
        BinaryPrimitives.WriteInt32LittleEndian(header[SegmentVersionOffset..], FormatVersion);
        BinaryPrimitives.WriteInt32LittleEndian(header[SegmentHeaderSizeOffset..], SegmentHeaderSize);
        BinaryPrimitives.WriteUInt128LittleEndian(header[SegmentLedgerIdOffset..], ledgerId);
        BinaryPrimitives.WriteInt64LittleEndian(header[SegmentFirstSequenceOffset..], firstSequence);
        BinaryPrimitives.WriteUInt64LittleEndian(header[SegmentChecksumOffset..], XxHash3.HashToUInt64(header[..SegmentChecksumOffset]));
    }

    /// <summary>Validates a segment header; returns null when valid, else what is wrong.</summary>
    public static string? CheckSegmentHeader(ReadOnlySpan<byte> header, UInt128 ledgerId, long firstSequence)
    {
        if (header.Length < SegmentHeaderSize) return "segment header is truncated";
        if (BinaryPrimitives.ReadUInt64LittleEndian(header[SegmentMagicOffset..]) != SegmentMagic) return "not a journal segment (bad magic)";
        if (BinaryPrimitives.ReadUInt64LittleEndian(header[SegmentChecksumOffset..]) != XxHash3.HashToUInt64(header[..SegmentChecksumOffset])) return "segment header checksum mismatch";
        int version = BinaryPrimitives.ReadInt32LittleEndian(header[SegmentVersionOffset..]);
        if (version != FormatVersion) return $"unsupported journal format version {version} (this build reads {FormatVersion})";
        if (BinaryPrimitives.ReadUInt128LittleEndian(header[SegmentLedgerIdOffset..]) != ledgerId) return "segment belongs to another ledger";
        if (BinaryPrimitives.ReadInt64LittleEndian(header[SegmentFirstSequenceOffset..]) != firstSequence) return "segment's first sequence does not match its name";
        return null;
    }

    /// <summary>Writes a record header for <paramref name="payload"/> (already in place after it) and seals it with the checksum.</summary>
    public static void WriteRecordHeader(Span<byte> header, in JournalRecordInfo info, ReadOnlySpan<byte> payload)
    {
        header = header[..RecordHeaderSize];
        header.Clear();
        BinaryPrimitives.WriteInt32LittleEndian(header[RecordPayloadLengthOffset..], payload.Length);
        BinaryPrimitives.WriteInt32LittleEndian(header[RecordEventCountOffset..], info.EventCount);
        BinaryPrimitives.WriteInt64LittleEndian(header[RecordSequenceOffset..], info.Sequence);
        BinaryPrimitives.WriteUInt64LittleEndian(header[RecordTimestampOffset..], info.Timestamp);
        BinaryPrimitives.WriteUInt64LittleEndian(header[RecordFencingTokenOffset..], info.FencingToken);
        header[RecordOperationOffset] = (byte)info.Operation;
        BinaryPrimitives.WriteUInt64LittleEndian(header[RecordChecksumOffset..], RecordChecksum(header, payload));
    }

    /// <summary>
    /// Reads the fixed part of a record header without trusting it: the payload length is bounded
    /// before anyone allocates or reads by it. Returns null when plausible, else what is wrong.
    /// </summary>
    public static string? TryReadRecordHeader(ReadOnlySpan<byte> header, out JournalRecordInfo info, out int payloadLength)
    {
        info = default;
        payloadLength = BinaryPrimitives.ReadInt32LittleEndian(header[RecordPayloadLengthOffset..]);
        int eventCount = BinaryPrimitives.ReadInt32LittleEndian(header[RecordEventCountOffset..]);
        var operation = (LedgerOperation)header[RecordOperationOffset];
        if (payloadLength < 0 || payloadLength > PayloadBytesMax) return $"payload length {payloadLength} out of range";
        if (eventCount < 0 || eventCount > LedgerStateMachine.BatchEventsMax || payloadLength != eventCount * EventSize) return "event count does not match payload length";
        if (operation is not (LedgerOperation.CreateAccounts or LedgerOperation.CreateTransfers)) return $"unknown operation {(byte)operation}";
        for (int i = RecordOperationOffset + 1; i < RecordHeaderSize; i++)
        {
            if (header[i] != 0) return "reserved header bytes are not zero";
        }

        info = new JournalRecordInfo(
            BinaryPrimitives.ReadInt64LittleEndian(header[RecordSequenceOffset..]),
            BinaryPrimitives.ReadUInt64LittleEndian(header[RecordTimestampOffset..]),
            BinaryPrimitives.ReadUInt64LittleEndian(header[RecordFencingTokenOffset..]),
            operation,
            eventCount);
        return null;
    }

    public static bool ChecksumMatches(ReadOnlySpan<byte> header, ReadOnlySpan<byte> payload) =>
        BinaryPrimitives.ReadUInt64LittleEndian(header[RecordChecksumOffset..]) == RecordChecksum(header, payload);

    private static ulong RecordChecksum(ReadOnlySpan<byte> header, ReadOnlySpan<byte> payload)
    {
        var hash = new XxHash3();
        hash.Append(header[8..RecordHeaderSize]);
        hash.Append(payload);
        return hash.GetCurrentHashAsUInt64();
    }
}
