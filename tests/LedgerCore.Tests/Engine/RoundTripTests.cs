using NUnit.Framework;

namespace LedgerCore.Tests.Engine;

/// <summary>Write, dispose, reopen on the real file system: the recovered ledger is the one that was acknowledged.</summary>
public class RoundTripTests
{
    private const int AccountCount = 6;

    [Test]
    public async Task Concurrent_writes_survive_a_restart_with_equal_digest_and_lookups()
    {
        using var dir = new TempDirectory();
        (UInt128 digest, UInt128[] ids, Transfer[] before, long committed) = await WriteConcurrentlyAsync(dir.Path, snapshotIntervalEvents: 0);

        await using LedgerEngine reopened = await LedgerEngine.OpenAsync(Ledgers.Options(dir.Path)).Within();
        Assert.That(await reopened.ComputeDigestAsync().Within(), Is.EqualTo(digest));
        Assert.That(await reopened.LookupTransfersAsync(ids).Within(), Is.EqualTo(before));
        Assert.That(reopened.CommittedSequence, Is.EqualTo(committed));
        Assert.That(reopened.Recovery.SnapshotSequence, Is.Zero);
        Assert.That(reopened.Recovery.RecordsReplayed, Is.EqualTo(committed));
        Assert.That(reopened.Recovery.EventsReplayed, Is.EqualTo(AccountCount + ids.Length));
        Assert.That(reopened.Recovery.TruncatedBytes, Is.Zero);
        Assert.That(reopened.Recovery.TruncationReason, Is.Null);

        // The change feed holds exactly what recovery replayed: a reference machine fed it agrees.
        List<CommittedBatch> feed = await Ledgers.ReadFeedAsync(reopened);
        Assert.That(feed.Select(b => b.Sequence), Is.EqualTo(Enumerable.Range(1, (int)committed).Select(i => (long)i)));
        Assert.That(Ledgers.Reference(feed).ComputeDigest(), Is.EqualTo(digest));
    }

    [Test]
    public async Task Restart_loads_the_snapshot_and_replays_only_the_records_after_it()
    {
        using var dir = new TempDirectory();
        (UInt128 digest, UInt128[] ids, Transfer[] before, long committed) = await WriteConcurrentlyAsync(dir.Path, snapshotIntervalEvents: 300);
        Assert.That(Directory.GetFiles(dir.Path, "snapshot-*.snap"), Is.Not.Empty);

        await using LedgerEngine reopened = await LedgerEngine.OpenAsync(Ledgers.Options(dir.Path, o => o.SnapshotIntervalEvents = 300)).Within();
        LedgerRecovery recovery = reopened.Recovery;
        Assert.That(recovery.SnapshotSequence, Is.GreaterThan(0).And.LessThanOrEqualTo(committed));
        Assert.That(recovery.RecordsReplayed, Is.EqualTo(committed - recovery.SnapshotSequence));
        Assert.That(await reopened.ComputeDigestAsync().Within(), Is.EqualTo(digest));
        Assert.That(await reopened.LookupTransfersAsync(ids).Within(), Is.EqualTo(before));
        Assert.That(await reopened.LookupAccountsAsync(Ledgers.Accounts(AccountCount).Select(a => a.Id).ToArray()).Within(), Has.Length.EqualTo(AccountCount));

        // The restored machine keeps working: a write after the restart lands on top of the snapshot.
        Assert.That(await reopened.CreateTransfersAsync(Ledgers.Transfers(1_000_000, 3)).Within(), Is.Empty);
        Assert.That(await reopened.LookupTransfersAsync(new UInt128[] { 1_000_000, 1_000_002 }).Within(), Has.Length.EqualTo(2));
    }

    [Test]
    public async Task After_compaction_restart_replays_only_the_tail_and_old_sequences_are_gone_from_the_feed()
    {
        using var dir = new TempDirectory();
        Action<LedgerOptions> configure = o =>
        {
            o.SegmentBytesMax = 1024 * 1024; // ~8,000 transfers a segment
            o.SnapshotIntervalEvents = 4_000; // about one snapshot a batch below
        };

        UInt128 digest;
        long committed;
        await using (LedgerEngine engine = await LedgerEngine.OpenAsync(Ledgers.Options(dir.Path, configure)).Within())
        {
            Assert.That(await engine.CreateAccountsAsync(Ledgers.Accounts(AccountCount)).Within(), Is.Empty);
            for (int i = 0; i < 10; i++)
            {
                Assert.That(await engine.CreateTransfersAsync(Ledgers.Transfers(1 + ((ulong)i * 4_000), 4_000, AccountCount)).Within(), Is.Empty);

                // Let the snapshot finish so the next interval takes one too (one in progress is not doubled up).
                int written = engine.SnapshotsWritten;
                await WaitUntilAsync(() => engine.SnapshotsWritten > written);
                await Task.Delay(20); // the counter moves just before the snapshot task completes
            }

            digest = await engine.ComputeDigestAsync().Within();
            committed = engine.CommittedSequence;
            Assert.That(engine.LastSnapshotError, Is.Null);
            Assert.That(engine.SnapshotsWritten, Is.GreaterThanOrEqualTo(3));
        }

        string[] segments = Directory.GetFiles(dir.Path, "journal-*.log").Select(Path.GetFileName).ToArray()!;
        Assert.That(segments, Does.Not.Contain("journal-00000000000000000001.log"), "segments covered by the older snapshot are deleted");
        Assert.That(Directory.GetFiles(dir.Path, "snapshot-*.snap"), Has.Length.EqualTo(2), "two snapshots are kept");

        await using LedgerEngine reopened = await LedgerEngine.OpenAsync(Ledgers.Options(dir.Path, configure)).Within();
        Assert.That(reopened.Recovery.SnapshotSequence, Is.GreaterThan(0));
        Assert.That(reopened.Recovery.RecordsReplayed, Is.EqualTo(committed - reopened.Recovery.SnapshotSequence).And.LessThan(committed));
        Assert.That(await reopened.ComputeDigestAsync().Within(), Is.EqualTo(digest));
        Assert.That(reopened.CommittedSequence, Is.EqualTo(committed));
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await Ledgers.ReadFeedAsync(reopened, 0));

        // The feed still serves everything after the older snapshot.
        long oldest = long.Parse(segments.Min()!.AsSpan("journal-".Length, 20), System.Globalization.CultureInfo.InvariantCulture);
        List<CommittedBatch> tail = await Ledgers.ReadFeedAsync(reopened, oldest);
        Assert.That(tail[0].Sequence, Is.EqualTo(oldest));
        Assert.That(tail[^1].Sequence, Is.EqualTo(committed));
    }

    /// <summary>Polls for up to 2 s; the assertions after it tell whether what was waited for happened.</summary>
    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(2);
        while (!condition() && DateTime.UtcNow < deadline) await Task.Delay(5);
    }

    /// <summary>Eight callers write 25 batches of 20 transfers each, concurrently; returns what the ledger holds at the end.</summary>
    private static async Task<(UInt128 Digest, UInt128[] Ids, Transfer[] Transfers, long Committed)> WriteConcurrentlyAsync(string directory, long snapshotIntervalEvents)
    {
        await using LedgerEngine engine = await LedgerEngine.OpenAsync(Ledgers.Options(directory, o =>
        {
            o.SnapshotIntervalEvents = snapshotIntervalEvents;
            o.MaxBatchSize = 64;
        })).Within();
        Assert.That(await engine.CreateAccountsAsync(Ledgers.Accounts(AccountCount)).Within(), Is.Empty);

        const int callers = 8, batches = 25, size = 20;
        await Task.WhenAll(Enumerable.Range(0, callers).Select(c => Task.Run(async () =>
        {
            for (int b = 0; b < batches; b++)
            {
                ulong first = 1 + (ulong)((((c * batches) + b) * size));
                CreateTransfersResult[] failures = await engine.CreateTransfersAsync(Ledgers.Transfers(first, size, AccountCount));
                Assert.That(failures, Is.Empty);
            }
        }))).Within();

        UInt128[] ids = Enumerable.Range(1, callers * batches * size).Select(i => (UInt128)(ulong)i).ToArray();
        Transfer[] transfers = await engine.LookupTransfersAsync(ids).Within();
        Assert.That(transfers, Has.Length.EqualTo(ids.Length), "reads after awaited writes see them");
        return (await engine.ComputeDigestAsync().Within(), ids, transfers, engine.CommittedSequence);
    }
}
