using System.IO.Hashing;
using FsCheck;
using FsCheck.Fluent;
using LedgerCore.Journal;
using LedgerCore.Tests.Faults;
using LedgerCore.Tests.Journal;
using NUnit.Framework;

namespace LedgerCore.Tests.Fuzzing;

/// <summary>
/// Fuzzes the journal decoders (record header parsing, the recovery reader and the change-feed cursor) with
/// generated and mutated bytes: truncations, bit flips, valid records spliced elsewhere, header fields
/// overwritten with arbitrary values, random runs. Whatever the bytes, a decoder must end in a typed error
/// (<see cref="LedgerCorruptedException"/>) or a clean truncation, hand over only records that are exactly
/// the originals, in order, and allocate no more than one frame (the largest record) whatever the length
/// fields claim.
/// </summary>
public class JournalDecoderFuzzTests
{
    // One frame (the largest record), the reader's header buffer and small bookkeeping (lists, names).
    private const long AllocationBound = JournalFormat.PayloadBytesMax + (256 * 1024);

    private static readonly Gen<ByteMutation> Mutation =
        from kind in Gen.Choose(0, 5)
        from a in Gen.Choose(0, int.MaxValue)
        from b in Gen.Choose(int.MinValue, int.MaxValue)
        select new ByteMutation(kind, a, b);

    [Test]
    public void Record_header_parsing_never_throws_and_bounds_what_it_accepts()
    {
        Gen<byte[]> headers = Gen.ArrayOf(Gen.Choose(0, 255).Select(i => (byte)i), 64);
        Prop.ForAll(headers.ToArbitrary(), header =>
        {
            string? problem = JournalFormat.TryReadRecordHeader(header, out JournalRecordInfo info, out int payloadLength);
            if (problem is not null) return;
            Assert.That(payloadLength, Is.InRange(0, JournalFormat.PayloadBytesMax));
            Assert.That(payloadLength, Is.EqualTo(info.EventCount * JournalFormat.EventSize));
            Assert.That(info.Operation, Is.EqualTo(LedgerOperation.CreateAccounts).Or.EqualTo(LedgerOperation.CreateTransfers));
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(2000));

        // Valid headers with one field overwritten: plausible-looking lengths are where allocation bugs hide.
        (FaultyStorage storage, _) = JournalFixture.Build(1);
        byte[] valid = storage.ReadAll(JournalFormat.SegmentName(1)).AsSpan(JournalFormat.SegmentHeaderSize, JournalFormat.RecordHeaderSize).ToArray();
        Prop.ForAll(Mutation.ToArbitrary(), mutation =>
        {
            byte[] header = mutation.Apply(valid, []);
            if (header.Length < JournalFormat.RecordHeaderSize) Array.Resize(ref header, JournalFormat.RecordHeaderSize);
            string? problem = JournalFormat.TryReadRecordHeader(header.AsSpan(0, JournalFormat.RecordHeaderSize), out JournalRecordInfo info, out int payloadLength);
            if (problem is null) Assert.That(payloadLength, Is.InRange(0, JournalFormat.PayloadBytesMax).And.EqualTo(info.EventCount * JournalFormat.EventSize));
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(2000));
    }

    [Test]
    public void Recovery_reader_ends_in_a_typed_error_or_a_clean_truncation_on_mutated_journals()
    {
        // Three segments of small records, so mutations hit segment headers, boundaries and the newest segment's tail.
        (FaultyStorage original, List<(string Segment, long Offset, long End)> layout) = JournalFixture.Build(24, segmentBytesMax: 1024);
        List<(long First, string Name)> segments = JournalReader.ListSegments(original);
        Assert.That(segments, Has.Count.GreaterThanOrEqualTo(3));
        Dictionary<long, ulong> originals = Payloads(original);

        Gen<(int Segment, ByteMutation[] Mutations, bool Repair)> cases =
            from segment in Gen.Choose(0, segments.Count - 1)
            from mutations in Gen.ArrayOf(Mutation).Where(m => m.Length is > 0 and <= 4)
            from repair in Gen.Elements(true, false)
            select (segment, mutations, repair);

        int corrupt = 0, truncated = 0;
        Prop.ForAll(cases.ToArbitrary(), c =>
        {
            FaultyStorage storage = Copy(original);
            string name = segments[c.Segment].Name;
            var records = layout.Where(r => r.Segment == name).Select(r => (r.Offset, (int)(r.End - r.Offset))).ToList();
            byte[] bytes = storage.ReadAll(name);
            foreach (ByteMutation m in c.Mutations) bytes = m.Apply(bytes, records);
            storage.WriteAll(name, bytes);

            var handed = new List<(long Sequence, ulong Hash)>(64);
            long before = GC.GetAllocatedBytesForCurrentThread();
            try
            {
                JournalScan scan = JournalReader.Read(storage, JournalFixture.LedgerId, 0, long.MaxValue, c.Repair,
                    (in JournalRecordInfo info, ReadOnlySpan<byte> payload) => handed.Add((info.Sequence, XxHash64.HashToUInt64(payload))));
                if (scan.TruncatedBytes > 0) truncated++;
                Assert.That(scan.LastSequence, Is.EqualTo(handed.Count));
            }
            catch (LedgerCorruptedException)
            {
                corrupt++;
            }

            Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.LessThanOrEqualTo(AllocationBound), "allocated more than one frame");
            for (int i = 0; i < handed.Count; i++)
            {
                Assert.That(handed[i].Sequence, Is.EqualTo(i + 1), "records are handed over in order, without gaps");
                Assert.That(handed[i].Hash, Is.EqualTo(originals[i + 1]), "a handed-over record is exactly the one written");
            }
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(1500));

        TestContext.Out.WriteLine($"corruption reported {corrupt}, tails cut {truncated}");
        Assert.That(corrupt, Is.GreaterThan(0));
        Assert.That(truncated, Is.GreaterThan(0));
    }

    [Test]
    public void Change_feed_cursor_ends_in_a_typed_error_on_mutated_journals()
    {
        (FaultyStorage original, List<(string Segment, long Offset, long End)> layout) = JournalFixture.Build(12, segmentBytesMax: 1024);
        List<(long First, string Name)> segments = JournalReader.ListSegments(original);
        Dictionary<long, ulong> originals = Payloads(original);
        Gen<(int Segment, ByteMutation[] Mutations)> cases =
            from segment in Gen.Choose(0, segments.Count - 1)
            from mutations in Gen.ArrayOf(Mutation).Where(m => m.Length is > 0 and <= 3)
            select (segment, mutations);

        Prop.ForAll(cases.ToArbitrary(), c =>
        {
            FaultyStorage storage = Copy(original);
            string name = segments[c.Segment].Name;
            var records = layout.Where(r => r.Segment == name).Select(r => (r.Offset, (int)(r.End - r.Offset))).ToList();
            byte[] bytes = storage.ReadAll(name);
            foreach (ByteMutation m in c.Mutations) bytes = m.Apply(bytes, records);
            storage.WriteAll(name, bytes);

            var batches = new List<CommittedBatch>();
            using var cursor = new JournalCursor(storage, JournalFixture.LedgerId, 1);
            try
            {
                cursor.ReadUpTo(originals.Count, batches);
            }
            catch (LedgerCorruptedException)
            {
                // Committed data that does not verify is reported, never skipped.
            }

            for (int i = 0; i < batches.Count; i++)
            {
                Assert.That(batches[i].Sequence, Is.EqualTo(i + 1));
                Assert.That(XxHash64.HashToUInt64(System.Runtime.InteropServices.MemoryMarshal.AsBytes(batches[i].Transfers.Span)), Is.EqualTo(originals[i + 1]));
            }
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(800));
    }

    private static Dictionary<long, ulong> Payloads(FaultyStorage storage)
    {
        var payloads = new Dictionary<long, ulong>();
        JournalReader.Read(storage, JournalFixture.LedgerId, 0, long.MaxValue, repairTail: false,
            (in JournalRecordInfo info, ReadOnlySpan<byte> payload) => payloads[info.Sequence] = XxHash64.HashToUInt64(payload));
        return payloads;
    }

    private static FaultyStorage Copy(FaultyStorage original)
    {
        var copy = new FaultyStorage();
        foreach (string name in original.List()) copy.WriteAll(name, original.ReadAll(name));

        return copy;
    }
}
