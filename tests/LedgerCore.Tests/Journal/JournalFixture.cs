using System.Runtime.InteropServices;
using LedgerCore.Journal;
using LedgerCore.Tests.Faults;

namespace LedgerCore.Tests.Journal;

/// <summary>Builds journals record by record in a <see cref="FaultyStorage"/>, one group (write + fsync) per record.</summary>
internal static class JournalFixture
{
    public static readonly UInt128 LedgerId = 0x1234_5678;

    /// <summary>
    /// Writes <paramref name="records"/> records (record i holds i % 3 + 1 transfers) into segments of at most
    /// <paramref name="segmentBytesMax"/> bytes; returns the storage and, per sequence, its segment and offset.
    /// </summary>
    public static (FaultyStorage Storage, List<(string Segment, long Offset, long End)> Records) Build(int records, long segmentBytesMax = 1024 * 1024)
    {
        var storage = new FaultyStorage();
        using (JournalWriter writer = JournalWriter.Open(storage, LedgerId, segmentBytesMax, 64 * 1024, nextSequence: 1, lastSegment: null, endOffset: 0))
        {
            for (int i = 0; i < records; i++)
            {
                Transfer[] transfers = Enumerable.Range(0, (i % 3) + 1).Select(k => new Transfer { Id = (ulong)((i * 10) + k + 1), Amount = 1 }).ToArray();
                writer.Append(LedgerOperation.CreateTransfers, (ulong)(1_000 + (i * 10)), 1, transfers.Length, MemoryMarshal.AsBytes(transfers.AsSpan()));
                writer.Commit();
            }
        }

        var layout = new List<(string, long, long)>();
        foreach ((long _, string name) in JournalReader.ListSegments(storage))
        {
            (List<long> offsets, long end) = SegmentLayout.Records(storage.ReadAll(name));
            for (int i = 0; i < offsets.Count; i++) layout.Add((name, offsets[i], i + 1 < offsets.Count ? offsets[i + 1] : end));
        }

        return (storage, layout);
    }

    /// <summary>Reads the whole journal with the recovery settings; returns the scan and the sequences handed over.</summary>
    public static (JournalScan Scan, List<long> Sequences) Read(FaultyStorage storage, bool repairTail = true, long after = 0, long until = long.MaxValue)
    {
        var sequences = new List<long>();
        JournalScan scan = JournalReader.Read(storage, LedgerId, after, until, repairTail, (in JournalRecordInfo info, ReadOnlySpan<byte> payload) => sequences.Add(info.Sequence));
        return (scan, sequences);
    }
}
