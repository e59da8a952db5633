using LedgerCore.Journal;
using NUnit.Framework;

namespace LedgerCore.Tests.Journal;

/// <summary>The change feed's reader: durable records only, across segments, from any sequence still in the journal.</summary>
public class JournalCursorTests
{
    [Test]
    public void The_cursor_follows_the_journal_across_segments_in_steps()
    {
        (var storage, var records) = JournalFixture.Build(12, segmentBytesMax: 600);
        using var cursor = new JournalCursor(storage, JournalFixture.LedgerId, 0);
        var batches = new List<CommittedBatch>();
        cursor.ReadUpTo(5, batches);
        Assert.That(batches.Select(b => b.Sequence), Is.EqualTo(new long[] { 1, 2, 3, 4, 5 }));
        cursor.ReadUpTo(5, batches);
        Assert.That(batches, Has.Count.EqualTo(5), "nothing new");
        cursor.ReadUpTo(12, batches);
        Assert.That(batches.Select(b => b.Sequence), Is.EqualTo(Enumerable.Range(1, 12).Select(i => (long)i)));
        Assert.That(batches.Select(b => b.Transfers.Length), Is.EqualTo(Enumerable.Range(0, 12).Select(i => (i % 3) + 1)));
        Assert.That(batches[4].Transfers.Span[1].Id, Is.EqualTo((UInt128)42));
        Assert.That(batches[4].Timestamp, Is.EqualTo(1_040UL));
        Assert.That(cursor.NextSequence, Is.EqualTo(13));
    }

    [Test]
    public void The_cursor_starts_at_a_middle_sequence_in_a_later_segment()
    {
        (var storage, var records) = JournalFixture.Build(12, segmentBytesMax: 600);
        using var cursor = new JournalCursor(storage, JournalFixture.LedgerId, 9);
        var batches = new List<CommittedBatch>();
        cursor.ReadUpTo(12, batches);
        Assert.That(batches.Select(b => b.Sequence), Is.EqualTo(new long[] { 9, 10, 11, 12 }));
    }

    [Test]
    public void Sequences_compacted_away_are_reported_as_such()
    {
        (var storage, var records) = JournalFixture.Build(12, segmentBytesMax: 600);
        storage.Delete(records[0].Segment);
        using var cursor = new JournalCursor(storage, JournalFixture.LedgerId, 1);
        Assert.Throws<InvalidOperationException>(() => cursor.ReadUpTo(12, []));
    }

    [Test]
    public void A_cursor_overtaken_by_compaction_reports_its_sequences_compacted()
    {
        (var storage, var records) = JournalFixture.Build(12, segmentBytesMax: 600);
        string[] segments = records.Select(r => r.Segment).Distinct().ToArray();
        using var cursor = new JournalCursor(storage, JournalFixture.LedgerId, 0);
        var batches = new List<CommittedBatch>();
        cursor.ReadUpTo(1, batches);
        storage.Delete(segments[0]);
        storage.Delete(segments[1]);

        Assert.Throws<InvalidOperationException>(() => cursor.ReadUpTo(12, batches));
    }

    [Test]
    public void A_segment_missing_between_others_is_corruption_for_the_cursor()
    {
        (var storage, var records) = JournalFixture.Build(12, segmentBytesMax: 600);
        string[] segments = records.Select(r => r.Segment).Distinct().ToArray();
        using var cursor = new JournalCursor(storage, JournalFixture.LedgerId, 0);
        storage.Delete(segments[1]);

        LedgerCorruptedException? e = Assert.Throws<LedgerCorruptedException>(() => cursor.ReadUpTo(12, []));
        Assert.That(e!.File, Is.EqualTo(segments[1]));
    }

    [Test]
    public void A_corrupt_committed_record_is_corruption_with_its_offset()
    {
        (var storage, var records) = JournalFixture.Build(5);
        storage.FlipBit(records[2].Segment, records[2].Offset + 70);
        using var cursor = new JournalCursor(storage, JournalFixture.LedgerId, 0);
        var batches = new List<CommittedBatch>();
        LedgerCorruptedException? e = Assert.Throws<LedgerCorruptedException>(() => cursor.ReadUpTo(5, batches));
        Assert.That((e!.File, e.Offset), Is.EqualTo((records[2].Segment, records[2].Offset)));
        Assert.That(batches.Select(b => b.Sequence), Is.EqualTo(new long[] { 1, 2 }));
    }
}
