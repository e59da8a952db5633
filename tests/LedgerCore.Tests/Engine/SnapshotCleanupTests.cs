using LedgerCore.Tests.Faults;
using NUnit.Framework;

namespace LedgerCore.Tests.Engine;

/// <summary>What snapshots leave on disk: two snapshots, and no temporary file from one a crash interrupted.</summary>
public class SnapshotCleanupTests
{
    [Test]
    public async Task The_temporary_file_of_a_snapshot_interrupted_by_a_crash_is_removed_by_the_next_snapshot()
    {
        using var dir = new TempDirectory();
        var storage = new FaultyStorage();
        await using (LedgerEngine engine = Ledgers.Open(dir.Path, storage))
        {
            Assert.That(await engine.CreateAccountsAsync(Ledgers.Accounts(4)).Within(), Is.Empty);
        }

        // What a process killed while writing the snapshot of sequence 1 leaves behind.
        const string leftover = "snapshot-00000000000000000001.snap.tmp";
        storage.WriteAll(leftover, new byte[1000]);

        await using (LedgerEngine engine = Ledgers.Open(dir.Path, storage, o => o.SnapshotIntervalEvents = 10))
        {
            Assert.That(engine.Recovery.SnapshotSequence, Is.Zero, "a temporary file is never taken for a snapshot");
            Assert.That(await engine.CreateTransfersAsync(Ledgers.Transfers(1, 10)).Within(), Is.Empty);
            using var cts = new CancellationTokenSource(Ledgers.Timeout);
            while (engine.SnapshotsWritten == 0 && engine.LastSnapshotError is null) await Task.Delay(5, cts.Token);
            Assert.That(engine.LastSnapshotError, Is.Null);
        }

        Assert.That(storage.List().Where(n => n.EndsWith(".tmp", StringComparison.Ordinal)), Is.Empty);
        Assert.That(storage.List(), Does.Contain("snapshot-00000000000000000002.snap"));
    }
}
