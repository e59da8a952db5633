using System.Buffers.Binary;
using LedgerCore.Storage;

namespace LedgerCore.Journal;

/// <summary>
/// Reads the journal back in sequence order, verifying every record. Used by recovery (which may cut a
/// torn tail) and by the change feed (which reads only what is already durable).
/// </summary>
/// <remarks>
/// The rule that separates a torn tail from corruption: an invalid record is the tail only when it is
/// in the newest segment and no valid record with a later sequence follows it. Then it is the last
/// write, which did not complete, and it was never acknowledged (acknowledgement follows the fsync).
/// Anything else is <see cref="LedgerCorruptedException"/>: skipping it would drop acknowledged data.
/// </remarks>
internal static class JournalReader
{
    /// <summary>
    /// Reads every record with a sequence after <paramref name="afterSequence"/> and at most
    /// <paramref name="untilSequence"/>, in order, into <paramref name="handler"/>. With
    /// <paramref name="repairTail"/>, a torn tail is cut from the file (and an empty torn segment
    /// deleted); without it, the scan stops before it.
    /// </summary>
    /// <exception cref="LedgerCorruptedException">Corruption before the tail, or a missing segment.</exception>
    public static JournalScan Read(IStorage storage, UInt128 ledgerId, long afterSequence, long untilSequence,
        bool repairTail, JournalRecordHandler handler)
    {
        List<(long First, string Name)> segments = ListSegments(storage);

        // Skip segments wholly before the first record needed: the next segment starts at or before it.
        int start = 0;
        while (start + 1 < segments.Count && segments[start + 1].First <= afterSequence + 1)
        {
            start++;
        }

        long lastSequence = afterSequence;
        long expected = -1; // the next sequence the journal must hold; -1 until the first record is read
        string? lastSegment = null;
        long endOffset = 0;
        long recordsRead = 0;
        byte[] header = new byte[JournalFormat.RecordHeaderSize];
        byte[] payload = new byte[JournalFormat.PayloadBytesMax];

        for (int s = start; s < segments.Count; s++)
        {
            (long first, string name) = segments[s];
            bool newest = s == segments.Count - 1;
            if (expected >= 0 && first != expected)
            {
                throw new LedgerCorruptedException(name, 0, $"segment starts at sequence {first} but {expected} was expected (a segment is missing)");
            }

            if (s == start && first > afterSequence + 1)
            {
                throw new LedgerCorruptedException(name, 0, $"journal starts at sequence {first} but sequence {afterSequence + 1} is needed (a segment is missing)");
            }

            using IStorageFile file = storage.Open(name, create: false);
            long length = file.Length;
            int headerRead = file.Read(0, header);
            string? headerProblem = headerRead < JournalFormat.SegmentHeaderSize
                ? "segment header is truncated"
                : JournalFormat.CheckSegmentHeader(header, ledgerId, first);
            if (headerProblem is not null)
            {
                if (newest && !HasValidRecordAfter(file, 0, length, first - 1, header, payload))
                {
                    // The segment was being created when the process stopped (or, seen by a reader beside a running
                    // engine, is being created now): it never held a durable record. Recovery deletes it; a reader
                    // that may not repair reports the whole file as the tail, from its start.
                    if (!repairTail) return new JournalScan(lastSequence, name, 0, recordsRead, length, headerProblem);
                    file.Dispose();
                    storage.Delete(name);
                    storage.SyncDirectory();
                    return new JournalScan(lastSequence, lastSegment, endOffset, recordsRead, length, headerProblem);
                }

                throw new LedgerCorruptedException(name, 0, headerProblem);
            }

            long offset = JournalFormat.SegmentHeaderSize;
            expected = first;
            lastSegment = name;
            while (offset < length)
            {
                string? problem = TryReadRecord(file, offset, length, expected, header, payload, out JournalRecordInfo info);
                if (problem is not null)
                {
                    if (newest && !HasValidRecordAfter(file, offset + JournalFormat.RecordAlignment, length, expected - 1, header, payload))
                    {
                        if (repairTail)
                        {
                            file.Truncate(offset);
                            file.Flush();
                        }

                        return new JournalScan(lastSequence, lastSegment, offset, recordsRead, length - offset, problem);
                    }

                    throw new LedgerCorruptedException(name, offset, problem);
                }

                if (info.Sequence > untilSequence)
                {
                    return new JournalScan(lastSequence, lastSegment, offset, recordsRead, 0, null);
                }

                if (info.Sequence > afterSequence)
                {
                    handler(in info, payload.AsSpan(0, info.EventCount * JournalFormat.EventSize));
                    lastSequence = info.Sequence;
                    recordsRead++;
                }

                offset += JournalFormat.RecordHeaderSize + (info.EventCount * JournalFormat.EventSize);
                expected = info.Sequence + 1;
            }

            endOffset = offset;
        }

        return new JournalScan(lastSequence, lastSegment, endOffset, recordsRead, 0, null);
    }

    /// <summary>Journal segments by first sequence.</summary>
    public static List<(long First, string Name)> ListSegments(IStorage storage)
    {
        var segments = new List<(long First, string Name)>();
        foreach (string name in storage.List())
        {
            if (JournalFormat.TryParseSegmentName(name, out long first)) segments.Add((first, name));
        }

        segments.Sort((a, b) => a.First.CompareTo(b.First));
        return segments;
    }

    /// <summary>Reads and verifies the record at <paramref name="offset"/>; null when valid, else what is wrong.</summary>
    internal static string? TryReadRecord(IStorageFile file, long offset, long length, long expectedSequence,
        byte[] header, byte[] payload, out JournalRecordInfo info)
    {
        info = default;
        if (length - offset < JournalFormat.RecordHeaderSize) return "record header is truncated";
        if (file.Read(offset, header) < JournalFormat.RecordHeaderSize) return "record header is truncated";
        string? problem = JournalFormat.TryReadRecordHeader(header, out info, out int payloadLength);
        if (problem is not null) return problem;
        if (length - offset - JournalFormat.RecordHeaderSize < payloadLength) return "record payload is truncated";
        Span<byte> body = payload.AsSpan(0, payloadLength);
        if (file.Read(offset + JournalFormat.RecordHeaderSize, body) < payloadLength) return "record payload is truncated";
        if (!JournalFormat.ChecksumMatches(header, body)) return "record checksum mismatch";
        if (expectedSequence >= 0 && info.Sequence != expectedSequence) return $"record has sequence {info.Sequence} but {expectedSequence} was expected";
        return null;
    }

    /// <summary>Whether any 64-byte-aligned offset from <paramref name="from"/> holds a valid record later than <paramref name="after"/>.</summary>
    private static bool HasValidRecordAfter(IStorageFile file, long from, long length, long after, byte[] header, byte[] payload)
    {
        long aligned = from + ((JournalFormat.RecordAlignment - (from % JournalFormat.RecordAlignment)) % JournalFormat.RecordAlignment);
        for (long offset = Math.Max(aligned, JournalFormat.SegmentHeaderSize); offset + JournalFormat.RecordHeaderSize <= length; offset += JournalFormat.RecordAlignment)
        {
            if (TryReadRecord(file, offset, length, -1, header, payload, out JournalRecordInfo info) is null && info.Sequence > after)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The sequence of the first record in a segment's bytes, for tests and tools.</summary>
    internal static long FirstSequenceOf(ReadOnlySpan<byte> segmentHeader) =>
        BinaryPrimitives.ReadInt64LittleEndian(segmentHeader[32..]);
}
