using System.Buffers.Binary;

namespace LedgerCore.Tests.Journal;

/// <summary>Where the records of a (valid) journal segment start, read from the bytes per docs/journal-format.md.</summary>
internal static class SegmentLayout
{
    public const int SegmentHeaderSize = 64;
    public const int RecordHeaderSize = 64;

    /// <summary>The offsets of the records, in order, and the offset where the last one ends.</summary>
    public static (List<long> Offsets, long End) Records(byte[] segment)
    {
        var offsets = new List<long>();
        long offset = SegmentHeaderSize;
        while (offset + RecordHeaderSize <= segment.Length)
        {
            int payload = BinaryPrimitives.ReadInt32LittleEndian(segment.AsSpan((int)offset + 8));
            if (payload < 0 || offset + RecordHeaderSize + payload > segment.Length) break;
            offsets.Add(offset);
            offset += RecordHeaderSize + payload;
        }

        return (offsets, offset);
    }

    public static string SegmentName(long firstSequence) => $"journal-{firstSequence:D20}.log";
}
