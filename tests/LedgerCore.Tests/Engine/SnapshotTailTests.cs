using LedgerCore.Tests.Faults;
using LedgerCore.Tests.Journal;
using NUnit.Framework;

namespace LedgerCore.Tests.Engine;

/// <summary>
/// A journal that ends before the snapshot (its last records lost or cut, the snapshot holding them):
/// the records written after the restart must not land in the old segment right after the older
/// records, or the next recovery sees a sequence gap and cuts them as a torn tail.
/// </summary>
public class SnapshotTailTests
{
    [Test]
    public async Task Writes_after_a_cut_tail_that_the_snapshot_covers_survive_the_next_restart()
    {
        using var dir = new TempDirectory();
        var storage = new FaultyStorage();
        await using (LedgerEngine engine = Ledgers.Open(dir.Path, storage, o => o.SnapshotIntervalEvents = 10))
        {
            Assert.That(await engine.CreateAccountsAsync(Ledgers.Accounts(4)).Within(), Is.Empty);
            Assert.That(await engine.CreateTransfersAsync(Ledgers.Transfers(1, 10)).Within(), Is.Empty); // sequence 2: snapshot
            using var cts = new CancellationTokenSource(Ledgers.Timeout);
            while (engine.SnapshotsWritten == 0) await Task.Delay(5, cts.Token);
        }

        // Media corruption in the last record: recovery takes it for a torn tail; the snapshot still holds it.
        string segment = SegmentLayout.SegmentName(1);
        (List<long> offsets, _) = SegmentLayout.Records(storage.ReadAll(segment));
        storage.FlipBit(segment, offsets[^1] + 100);
        await using (LedgerEngine engine = Ledgers.Open(dir.Path, storage))
        {
            Assert.That(engine.Recovery.SnapshotSequence, Is.EqualTo(2));
            Assert.That(engine.Recovery.TruncatedBytes, Is.GreaterThan(0));
            Assert.That(engine.CommittedSequence, Is.EqualTo(2));
            Assert.That(await engine.LookupTransfersAsync(new UInt128[] { 1 }).Within(), Has.Length.EqualTo(1));
            Assert.That(await engine.CreateTransfersAsync(Ledgers.Transfers(100, 5)).Within(), Is.Empty); // sequence 3
        }

        await using LedgerEngine again = Ledgers.Open(dir.Path, storage.Crash());
        Assert.That(again.Recovery.TruncatedBytes, Is.Zero);
        Assert.That(again.CommittedSequence, Is.EqualTo(3));
        Assert.That(await again.LookupTransfersAsync(new UInt128[] { 100, 104 }).Within(), Has.Length.EqualTo(2), "an acknowledged durable write survives");
    }

    [Test]
    public async Task Writes_after_a_non_durable_session_lost_its_journal_behind_a_snapshot_survive()
    {
        using var dir = new TempDirectory();
        var storage = new FaultyStorage();
        await using (LedgerEngine engine = Ledgers.Open(dir.Path, storage, o => { o.Durable = false; o.SnapshotIntervalEvents = 10; }))
        {
            Assert.That(await engine.CreateAccountsAsync(Ledgers.Accounts(4)).Within(), Is.Empty);
            Assert.That(await engine.CreateTransfersAsync(Ledgers.Transfers(1, 10)).Within(), Is.Empty);
            using var cts = new CancellationTokenSource(Ledgers.Timeout);
            while (engine.SnapshotsWritten == 0) await Task.Delay(5, cts.Token);
        }

        // Power loss: the unsynced journal is gone, the (always synced) snapshot of sequence 2 is not.
        FaultyStorage image = storage.Crash();
        await using (LedgerEngine engine = Ledgers.Open(dir.Path, image))
        {
            Assert.That(engine.Recovery.SnapshotSequence, Is.EqualTo(2));
            Assert.That(await engine.CreateTransfersAsync(Ledgers.Transfers(100, 5)).Within(), Is.Empty);
        }

        await using LedgerEngine again = Ledgers.Open(dir.Path, image.Crash());
        Assert.That(again.Recovery.TruncatedBytes, Is.Zero);
        Assert.That(await again.LookupTransfersAsync(new UInt128[] { 100, 104 }).Within(), Has.Length.EqualTo(2));
        Assert.That(await again.LookupTransfersAsync(new UInt128[] { 1, 10 }).Within(), Has.Length.EqualTo(2));
    }
}
