using LedgerCore.Journal;
using NUnit.Framework;

namespace LedgerCore.Tests.Journal;

/// <summary>
/// The reading rules of docs/journal-format.md, exhaustively over small journals: a tail cut at any byte
/// is repaired; a flipped bit anywhere before the last record is corruption at that record's offset.
/// </summary>
public class JournalReaderTests
{
    [Test]
    public void A_journal_reads_back_every_record_in_order()
    {
        (var storage, var records) = JournalFixture.Build(7);
        (JournalScan scan, List<long> sequences) = JournalFixture.Read(storage);
        Assert.That(sequences, Is.EqualTo(Enumerable.Range(1, 7).Select(i => (long)i)));
        Assert.That(scan.LastSequence, Is.EqualTo(7));
        Assert.That(scan.EndOffset, Is.EqualTo(records[^1].End));
        Assert.That(scan.TruncatedBytes, Is.Zero);
        Assert.That(scan.TruncationReason, Is.Null);
    }

    [Test]
    public void A_tail_cut_at_any_byte_of_the_last_record_is_repaired()
    {
        (var pristine, var records) = JournalFixture.Build(4);
        (string segment, long start, long end) = records[^1];
        byte[] bytes = pristine.ReadAll(segment);
        for (long cut = start + 1; cut < end; cut++)
        {
            (var storage, _) = JournalFixture.Build(4);
            storage.WriteAll(segment, bytes.AsSpan(0, (int)cut).ToArray());

            (JournalScan scan, List<long> sequences) = JournalFixture.Read(storage);
            Assert.That(sequences, Is.EqualTo(new long[] { 1, 2, 3 }), $"cut at {cut}");
            Assert.That((scan.LastSequence, scan.EndOffset, scan.TruncatedBytes), Is.EqualTo((3L, start, cut - start)), $"cut at {cut}");
            Assert.That(scan.TruncationReason, Does.Contain("truncated"));
            Assert.That(storage.ReadAll(segment), Has.Length.EqualTo(start), "the torn bytes are cut from the file");
        }
    }

    [Test]
    public void Without_repair_the_scan_stops_before_a_torn_tail_and_leaves_the_file_alone()
    {
        (var storage, var records) = JournalFixture.Build(4);
        (string segment, long start, long end) = records[^1];
        storage.WriteAll(segment, storage.ReadAll(segment).AsSpan(0, (int)end - 5).ToArray());

        (JournalScan scan, List<long> sequences) = JournalFixture.Read(storage, repairTail: false);
        Assert.That(sequences, Is.EqualTo(new long[] { 1, 2, 3 }));
        Assert.That(scan.EndOffset, Is.EqualTo(start));
        Assert.That(storage.ReadAll(segment), Has.Length.EqualTo(end - 5));
    }

    [Test]
    public void A_flipped_bit_anywhere_before_the_last_record_is_corruption_at_that_record()
    {
        (var pristine, var records) = JournalFixture.Build(4);
        string segment = records[0].Segment;
        long lastStart = records[^1].Offset;
        int checkedBytes = 0;
        for (long offset = 0; offset < lastStart; offset++)
        {
            foreach (int bit in new[] { 0, 7 })
            {
                (var storage, _) = JournalFixture.Build(4);
                storage.FlipBit(segment, offset, bit);
                long expected = offset < SegmentLayout.SegmentHeaderSize ? 0 : records.Last(r => r.Offset <= offset).Offset;

                LedgerCorruptedException? e = Assert.Throws<LedgerCorruptedException>(() => JournalFixture.Read(storage), $"bit {bit} of byte {offset}");
                Assert.That((e!.File, e.Offset), Is.EqualTo((segment, expected)), $"bit {bit} of byte {offset}");
                Assert.That(storage.ReadAll(segment), Has.Length.EqualTo(records[^1].End), "nothing is cut from a corrupt journal");
                checkedBytes++;
            }
        }

        Assert.That(checkedBytes, Is.EqualTo(2 * lastStart));
    }

    [Test]
    public void A_flipped_bit_in_the_last_record_is_taken_for_a_torn_tail()
    {
        (var pristine, var records) = JournalFixture.Build(4);
        (string segment, long start, long end) = records[^1];
        for (long offset = start; offset < end; offset += 7)
        {
            (var storage, _) = JournalFixture.Build(4);
            storage.FlipBit(segment, offset, 3);
            (JournalScan scan, List<long> sequences) = JournalFixture.Read(storage);
            Assert.That(sequences, Is.EqualTo(new long[] { 1, 2, 3 }), $"byte {offset}");
            Assert.That(scan.TruncatedBytes, Is.EqualTo(end - start));
        }
    }

    [Test]
    public void Records_are_read_across_segments_and_from_any_sequence()
    {
        (var storage, var records) = JournalFixture.Build(12, segmentBytesMax: 600);
        Assert.That(records.Select(r => r.Segment).Distinct().Count(), Is.GreaterThanOrEqualTo(4));

        Assert.That(JournalFixture.Read(storage).Sequences, Is.EqualTo(Enumerable.Range(1, 12).Select(i => (long)i)));
        Assert.That(JournalFixture.Read(storage, after: 5).Sequences, Is.EqualTo(Enumerable.Range(6, 7).Select(i => (long)i)));
        Assert.That(JournalFixture.Read(storage, after: 5, until: 8).Sequences, Is.EqualTo(new long[] { 6, 7, 8 }));
        Assert.That(JournalFixture.Read(storage, after: 12).Sequences, Is.Empty);
    }

    [Test]
    public void A_torn_record_at_the_end_of_an_older_segment_is_corruption()
    {
        (var storage, var records) = JournalFixture.Build(12, segmentBytesMax: 600);
        string older = records[0].Segment;
        (string _, long start, long end) = records.Last(r => r.Segment == older);
        storage.WriteAll(older, storage.ReadAll(older).AsSpan(0, (int)end - 1).ToArray());

        LedgerCorruptedException? e = Assert.Throws<LedgerCorruptedException>(() => JournalFixture.Read(storage));
        Assert.That((e!.File, e.Offset), Is.EqualTo((older, start)));
    }

    [Test]
    public void A_missing_segment_is_corruption_at_the_segment_after_the_gap()
    {
        (var storage, var records) = JournalFixture.Build(12, segmentBytesMax: 600);
        string[] segments = records.Select(r => r.Segment).Distinct().ToArray();
        storage.Delete(segments[1]);

        LedgerCorruptedException? e = Assert.Throws<LedgerCorruptedException>(() => JournalFixture.Read(storage));
        Assert.That((e!.File, e.Offset), Is.EqualTo((segments[2], 0L)));

        // Starting after the gap (a snapshot covers it) is fine.
        long firstOfThird = records.First(r => r.Segment == segments[2]).Offset;
        Assert.That(firstOfThird, Is.EqualTo(SegmentLayout.SegmentHeaderSize));
        long after = records.FindIndex(r => r.Segment == segments[2]);
        Assert.That(JournalFixture.Read(storage, after: after).Sequences[0], Is.EqualTo(after + 1));
    }

    [Test]
    public void A_journal_whose_oldest_segment_is_gone_cannot_be_read_from_the_start()
    {
        (var storage, var records) = JournalFixture.Build(12, segmentBytesMax: 600);
        storage.Delete(records[0].Segment);
        Assert.Throws<LedgerCorruptedException>(() => JournalFixture.Read(storage));
    }

    [Test]
    public void A_segment_of_another_ledger_is_corruption()
    {
        (var storage, var records) = JournalFixture.Build(3);
        var sequences = new List<long>();
        LedgerCorruptedException? e = Assert.Throws<LedgerCorruptedException>(() =>
            JournalReader.Read(storage, JournalFixture.LedgerId + 1, 0, long.MaxValue, repairTail: false, (in JournalRecordInfo info, ReadOnlySpan<byte> _) => sequences.Add(info.Sequence)));
        Assert.That((e!.File, e.Offset), Is.EqualTo((records[0].Segment, 0L)));
        Assert.That(e.Message, Does.Contain("another ledger"));
    }
}
