using LedgerCore.Tests.Faults;
using NUnit.Framework;

namespace LedgerCore.Tests.Engine;

/// <summary>
/// The change feed and compaction, with small segments (the internal Open does not apply the 1 MiB
/// minimum of <see cref="LedgerOptions.SegmentBytesMax"/>, so a few batches fill a segment).
/// </summary>
public class CompactionFeedTests
{
    private static void SmallSegments(LedgerOptions o)
    {
        o.SegmentBytesMax = 2048;
        o.SnapshotIntervalEvents = 20;
    }

    private static Task WriteUntilCompactedAsync(LedgerEngine engine, FaultyStorage storage, ulong firstId) =>
        WriteUntilAsync(engine, firstId, () => !storage.Exists("journal-00000000000000000001.log"));

    private static async Task WriteUntilAsync(LedgerEngine engine, ulong firstId, Func<bool> done)
    {
        using var cts = new CancellationTokenSource(Ledgers.Timeout);
        for (ulong id = firstId; !done(); id += 10)
        {
            Assert.That(await engine.CreateTransfersAsync(Ledgers.Transfers(id, 10)).Within(), Is.Empty);
            await Task.Delay(2, cts.Token);
        }
    }

    [Test]
    public async Task Compaction_keeps_every_record_after_the_older_snapshot_and_restart_replays_from_the_newest()
    {
        using var dir = new TempDirectory();
        var storage = new FaultyStorage();
        UInt128 digest;
        long committed;
        await using (LedgerEngine engine = Ledgers.Open(dir.Path, storage, SmallSegments))
        {
            Assert.That(await engine.CreateAccountsAsync(Ledgers.Accounts(4)).Within(), Is.Empty);
            await WriteUntilCompactedAsync(engine, storage, 1);
            digest = await engine.ComputeDigestAsync().Within();
            committed = engine.CommittedSequence;
        }

        string[] snapshots = storage.List().Where(n => n.EndsWith(".snap", StringComparison.Ordinal)).ToArray();
        Assert.That(snapshots, Has.Length.EqualTo(2));
        long older = long.Parse(snapshots[0].AsSpan("snapshot-".Length, 20), System.Globalization.CultureInfo.InvariantCulture);

        await using LedgerEngine reopened = Ledgers.Open(dir.Path, storage.Crash(), SmallSegments);
        Assert.That(await reopened.ComputeDigestAsync().Within(), Is.EqualTo(digest));
        Assert.That(reopened.Recovery.RecordsReplayed, Is.EqualTo(committed - reopened.Recovery.SnapshotSequence));
        List<CommittedBatch> tail = await Ledgers.ReadFeedAsync(reopened, older + 1);
        Assert.That(tail.Select(b => b.Sequence), Is.EqualTo(Enumerable.Range((int)older + 1, (int)(committed - older)).Select(i => (long)i)));
    }

    [Test]
    public async Task With_every_snapshot_corrupt_and_the_journal_compacted_open_reports_corruption()
    {
        using var dir = new TempDirectory();
        var storage = new FaultyStorage();
        await using (LedgerEngine engine = Ledgers.Open(dir.Path, storage, SmallSegments))
        {
            Assert.That(await engine.CreateAccountsAsync(Ledgers.Accounts(4)).Within(), Is.Empty);
            await WriteUntilCompactedAsync(engine, storage, 1);
        }

        FaultyStorage image = storage.Crash();
        string[] snapshots = image.List().Where(n => n.EndsWith(".snap", StringComparison.Ordinal)).ToArray();
        Assert.That(snapshots, Has.Length.EqualTo(2));
        foreach (string snapshot in snapshots) image.FlipBit(snapshot, image.ReadAll(snapshot).Length / 2);

        LedgerCorruptedException? e = Assert.Throws<LedgerCorruptedException>(() => Ledgers.Open(dir.Path, image, SmallSegments));
        Assert.That(e!.File, Is.EqualTo(image.List().First(n => n.StartsWith("journal-", StringComparison.Ordinal))), "the journal no longer reaches back to sequence 1");
        Assert.That(e.Offset, Is.Zero);
    }

    /// <summary>
    /// A subscriber that fell behind compaction is told its sequences were compacted (the documented
    /// InvalidOperationException), not that the ledger is corrupt.
    /// </summary>
    [Test]
    public async Task A_subscriber_overtaken_by_compaction_is_told_so_not_that_the_ledger_is_corrupt()
    {
        using var dir = new TempDirectory();
        var storage = new FaultyStorage();
        await using LedgerEngine engine = Ledgers.Open(dir.Path, storage, SmallSegments);
        Assert.That(await engine.CreateAccountsAsync(Ledgers.Accounts(4)).Within(), Is.Empty);
        Assert.That(await engine.CreateTransfersAsync(Ledgers.Transfers(1, 10)).Within(), Is.Empty);

        using var cts = new CancellationTokenSource(Ledgers.Timeout);
        await using IAsyncEnumerator<CommittedBatch> slow = engine.ReadCommittedAsync(0, cts.Token).GetAsyncEnumerator(cts.Token);
        Assert.That(await slow.MoveNextAsync(), Is.True);
        Assert.That(slow.Current.Sequence, Is.EqualTo(1));

        // Compaction deletes the segments the subscriber will need next (it still holds the first one open).
        await WriteUntilAsync(engine, 100, () => string.CompareOrdinal(storage.List().First(n => n.StartsWith("journal-", StringComparison.Ordinal)), "journal-00000000000000000020.log") > 0);
        var seen = new List<long>();
        Exception? error = null;
        try
        {
            while (await slow.MoveNextAsync() && slow.Current.Sequence < engine.CommittedSequence) seen.Add(slow.Current.Sequence);
        }
        catch (Exception e) when (e is InvalidOperationException or IOException)
        {
            error = e;
        }

        Assert.That(error, Is.TypeOf<InvalidOperationException>(), "compacted, not corrupt");
        Assert.That(seen, Is.EqualTo(Enumerable.Range(2, seen.Count).Select(i => (long)i)), "what it did see was in order, without gaps");
    }
}
