using NUnit.Framework;

namespace LedgerCore.Tests.Engine;

/// <summary>
/// Checkpoints (snapshot format 5, docs/storage.md): with the stores in files, a snapshot names the
/// store files instead of copying the history, and a restart reopens them and replays only the journal
/// after the checkpoint. The files then hold more than the checkpoint knew (everything applied after
/// it): posts and voids of pending transfers it saw open, transfers, log entries and id-index entries
/// of the tail. The restart must give exactly the state the journal says.
/// </summary>
public class CheckpointTests
{
    private const int Pendings = 5_000;

    private static void InFiles(LedgerOptions o)
    {
        o.TransferCacheBytes = 1; // the smallest window: two pages per store
        o.SnapshotIntervalEvents = Pendings;
    }

    [Test]
    public async Task A_restart_reopens_the_store_files_and_replays_only_the_tail_after_the_checkpoint()
    {
        using var dir = new TempDirectory();
        using var crashed = new TempDirectory();
        UInt128 digest;
        Transfer[] all;
        Transfer[] history;
        ChangeEvent[] events;
        long checkpoint;
        await using (LedgerEngine engine = await LedgerEngine.OpenAsync(Ledgers.Options(dir.Path, InFiles)).Within())
        {
            Account[] accounts = Ledgers.Accounts(8);
            accounts[0].Flags = AccountFlags.History;
            Assert.That(await engine.CreateAccountsAsync(accounts).Within(), Is.Empty);

            // Pending transfers, half with a deadline an hour away: the checkpoint is taken after this batch.
            Transfer[] pendings = Ledgers.Transfers(1, Pendings, 8);
            for (int i = 0; i < pendings.Length; i++)
            {
                pendings[i].Flags = TransferFlags.Pending;
                pendings[i].Timeout = i % 2 == 0 ? 3600u : 0;
            }

            Assert.That(await engine.CreateTransfersAsync(pendings).Within(), Is.Empty);
            checkpoint = engine.CommittedSequence;

            // After it: posts and voids of pendings it saw open, plain transfers, and a linked chain that
            // fails after it stored two transfers (rolled back: their index entries and log entries go).
            var tail = new List<Transfer>();
            for (ulong id = 1; id <= 1_000; id++) tail.Add(new Transfer { Id = 100_000 + id, PendingId = id, Amount = UInt128.MaxValue, Flags = TransferFlags.PostPendingTransfer });
            for (ulong id = 1_001; id <= 2_000; id++) tail.Add(new Transfer { Id = 100_000 + id, PendingId = id, Flags = TransferFlags.VoidPendingTransfer });
            tail.AddRange(Ledgers.Transfers(200_001, 1_500, 8));
            Transfer[] chain = Ledgers.Transfers(300_001, 3, 8);
            chain[0].Flags = TransferFlags.Linked;
            chain[1].Flags = TransferFlags.Linked;
            chain[2].Amount = 0; chain[2].Ledger = 0; // fails: the chain before it is rolled back
            tail.AddRange(chain);
            CreateTransfersResult[] failed = await engine.CreateTransfersAsync(tail.ToArray()).Within();
            Assert.That(failed, Has.Length.EqualTo(3));

            digest = await engine.ComputeDigestAsync().Within();
            UInt128[] ids = [.. Enumerable.Range(1, Pendings).Select(i => (UInt128)(ulong)i), .. tail.Select(t => t.Id)];
            all = await LookupAsync(engine, ids);
            history = await engine.GetAccountTransfersAsync(new AccountFilter { AccountId = 1, Limit = 8_000, Flags = AccountFilterFlags.Debits | AccountFilterFlags.Credits }).Within();
            events = await engine.GetChangeEventsAsync(new ChangeEventsFilter(0, 0, LedgerStateMachine.ChangeEventsMax)).Within();

            // What a crash now would leave: the files as they are (the tail's writes included), the journal
            // fsynced, the checkpoint written. Copied while the engine is idle.
            for (int wait = 0; wait < 300 && engine.SnapshotsWritten < 1; wait++) await Task.Delay(100);
            Assert.That(engine.SnapshotsWritten, Is.EqualTo(1));
            CopyDirectory(dir.Path, crashed.Path);
        }

        Assert.That(Directory.GetFiles(Path.Combine(dir.Path, "store"), "ids-*.run"), Is.Not.Empty, "the id index keeps runs in files");

        // A clean stop left a checkpoint at its last batch: nothing to replay.
        await using (LedgerEngine stopped = await LedgerEngine.OpenAsync(Ledgers.Options(dir.Path, InFiles)).Within())
        {
            Assert.That(stopped.Recovery.EventsReplayed, Is.Zero);
            Assert.That(stopped.Recovery.SnapshotSequence, Is.GreaterThan(checkpoint));
            Assert.That(await stopped.ComputeDigestAsync().Within(), Is.EqualTo(digest));
            Assert.That(await LookupAsync(stopped, [.. all.Select(t => t.Id)]), Is.EqualTo(all));
        }

        await using LedgerEngine reopened = await LedgerEngine.OpenAsync(Ledgers.Options(crashed.Path, InFiles)).Within();
        Assert.That(reopened.Recovery.SnapshotSequence, Is.EqualTo(checkpoint), "recovery starts from the checkpoint");
        Assert.That(reopened.Recovery.EventsReplayed, Is.EqualTo(3_503), "only the tail is replayed");
        Assert.That(await reopened.ComputeDigestAsync().Within(), Is.EqualTo(digest));
        UInt128[] again = [.. Enumerable.Range(1, Pendings).Select(i => (UInt128)(ulong)i), .. all.Skip(Pendings).Select(t => t.Id)];
        Assert.That(await LookupAsync(reopened, again), Is.EqualTo(all));
        Assert.That(await reopened.GetAccountTransfersAsync(new AccountFilter { AccountId = 1, Limit = 8_000, Flags = AccountFilterFlags.Debits | AccountFilterFlags.Credits }).Within(), Is.EqualTo(history));
        Assert.That(await reopened.GetChangeEventsAsync(new ChangeEventsFilter(0, 0, LedgerStateMachine.ChangeEventsMax)).Within(), Is.EqualTo(events));
        Assert.That(await reopened.LookupTransfersAsync(new UInt128[] { 300_001, 300_002 }).Within(), Is.Empty, "the rolled-back chain stays absent");

        // Pending transfers the tail left open are still open; those it posted or voided are not.
        CreateTransfersResult[] results = await reopened.CreateTransfersAsync(new Transfer[]
        {
            new Transfer { Id = 400_001, PendingId = 2_001, Amount = UInt128.MaxValue, Flags = TransferFlags.PostPendingTransfer },
            new Transfer { Id = 400_002, PendingId = 1, Amount = UInt128.MaxValue, Flags = TransferFlags.PostPendingTransfer },
            new Transfer { Id = 400_003, PendingId = 1_001, Flags = TransferFlags.VoidPendingTransfer },
            Ledgers.Transfer(200_001, 2, 3, 1),
        }).Within();
        Assert.That(results, Is.EqualTo(new[]
        {
            new CreateTransfersResult(1, CreateTransferResult.PendingTransferAlreadyPosted),
            new CreateTransfersResult(2, CreateTransferResult.PendingTransferAlreadyVoided),
            new CreateTransfersResult(3, CreateTransferResult.ExistsWithDifferentAmount), // its id is indexed: a stored transfer of the tail
        }));
    }

    [TestCase("transfers-0000000000.seg", "delete")]
    [TestCase("transfers-0000000000.seg", "zero")]
    [TestCase("states-0000000000.seg", "delete")]
    [TestCase("ids-*.run", "delete")]
    [TestCase("ids-*.run", "zero")]
    public async Task A_store_file_a_checkpoint_names_missing_or_wiped_fails_the_open_as_corruption(string pattern, string damage)
    {
        using var dir = new TempDirectory();
        await using (LedgerEngine engine = await LedgerEngine.OpenAsync(Ledgers.Options(dir.Path, InFiles)).Within())
        {
            Assert.That(await engine.CreateAccountsAsync(Ledgers.Accounts(8)).Within(), Is.Empty);
            Assert.That(await engine.CreateTransfersAsync(Ledgers.Transfers(1, 6_000, 8)).Within(), Is.Empty);
        }

        string[] files = Directory.GetFiles(Path.Combine(dir.Path, "store"), pattern);
        Assert.That(files, Is.Not.Empty);
        foreach (string file in files)
        {
            if (damage == "delete") File.Delete(file);
            else File.WriteAllBytes(file, new byte[new FileInfo(file).Length]);
        }

        // Not started afresh either (that would empty the store): the open fails and says why.
        Assert.That(async () => await LedgerEngine.OpenAsync(Ledgers.Options(dir.Path, InFiles)), Throws.TypeOf<LedgerCorruptedException>());
    }

    [Test]
    public async Task A_damaged_checkpoint_falls_back_to_the_one_before_it_over_the_same_store_files()
    {
        using var dir = new TempDirectory();
        UInt128 digest;
        await using (LedgerEngine engine = await LedgerEngine.OpenAsync(Ledgers.Options(dir.Path, InFiles)).Within())
        {
            Assert.That(await engine.CreateAccountsAsync(Ledgers.Accounts(8)).Within(), Is.Empty);
            Assert.That(await engine.CreateTransfersAsync(Ledgers.Transfers(1, 6_000, 8)).Within(), Is.Empty);
            Assert.That(await engine.CreateTransfersAsync(Ledgers.Transfers(10_001, 1_000, 8)).Within(), Is.Empty);
            digest = await engine.ComputeDigestAsync().Within();
        }

        // Two checkpoints: after the first batch of transfers (the interval) and at the clean stop.
        string[] snapshots = [.. Directory.GetFiles(dir.Path, "snapshot-*.snap").Order(StringComparer.Ordinal)];
        Assert.That(snapshots, Has.Length.EqualTo(2));
        byte[] newest = File.ReadAllBytes(snapshots[^1]);
        newest[newest.Length / 2] ^= 0x40;
        File.WriteAllBytes(snapshots[^1], newest);

        await using LedgerEngine reopened = await LedgerEngine.OpenAsync(Ledgers.Options(dir.Path, InFiles)).Within();
        Assert.That(reopened.Recovery.EventsReplayed, Is.EqualTo(1_000), "the older checkpoint, then the batch after it from the journal");
        Assert.That(await reopened.ComputeDigestAsync().Within(), Is.EqualTo(digest));
    }

    private static async Task<Transfer[]> LookupAsync(LedgerEngine engine, UInt128[] ids)
    {
        var found = new List<Transfer>();
        foreach (UInt128[] chunk in ids.Chunk(8_000)) found.AddRange(await engine.LookupTransfersAsync(chunk).Within());
        return [.. found];
    }

    private static void CopyDirectory(string from, string to)
    {
        foreach (string directory in Directory.GetDirectories(from, "*", SearchOption.AllDirectories)) Directory.CreateDirectory(directory.Replace(from, to, StringComparison.Ordinal));
        foreach (string file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            if (Path.GetFileName(file) != "ledger.lock") File.Copy(file, file.Replace(from, to, StringComparison.Ordinal), overwrite: true); // held by the engine
        }
    }
}
