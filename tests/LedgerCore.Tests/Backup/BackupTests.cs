using LedgerCore.Backup;
using LedgerCore.Journal;
using LedgerCore.Storage;
using LedgerCore.Tests.Engine;
using LedgerCore.Tests.Faults;
using NUnit.Framework;

namespace LedgerCore.Tests.Backup;

/// <summary><see cref="LedgerEngine.BackupAsync"/> and opening a backup (restore).</summary>
public class BackupTests
{
    [Test]
    public async Task Backup_under_concurrent_writes_holds_the_source_journal_up_to_its_sequence_and_restores_as_a_writable_ledger()
    {
        using var dir = new TempDirectory();
        string source = dir.File("source");
        string copy = dir.File("copy");
        LedgerBackup backup;
        ulong sourceEpoch;
        long committedAfter;
        await using (LedgerEngine engine = await LedgerEngine.OpenAsync(Ledgers.Options(source, o => o.SnapshotIntervalEvents = 0)).Within())
        {
            sourceEpoch = engine.Epoch;
            await engine.CreateAccountsAsync(Ledgers.Accounts(8)).Within();
            using var stop = new CancellationTokenSource();
            Task[] writers = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
            {
                for (int round = 0; round < 5_000 && !stop.IsCancellationRequested; round++)
                {
                    CreateTransfersResult[] failures = await engine.CreateTransfersAsync(Ledgers.Transfers(((ulong)w << 32) + ((ulong)round * 64) + 1, 1 + (round % 50), accounts: 8)).Within();
                    Assert.That(failures, Is.Empty);
                }
            })).ToArray();

            while (engine.CommittedSequence < 200 && !writers.Any(t => t.IsCompleted)) await Task.Delay(1);
            backup = await engine.BackupAsync(copy).Within();
            long atBackup = engine.CommittedSequence;
            while (engine.CommittedSequence < atBackup + 20 && !writers.Any(t => t.IsCompleted)) await Task.Delay(1);
            await stop.CancelAsync();
            await Task.WhenAll(writers).Within();
            committedAfter = engine.CommittedSequence;
        }

        Assert.That(backup.Sequence, Is.GreaterThanOrEqualTo(200).And.LessThan(committedAfter), "taken while writes went on, and they went on after it");
        Assert.That(backup.Directory, Is.EqualTo(Path.GetFullPath(copy)));
        Assert.That(backup.Bytes, Is.EqualTo(Directory.GetFiles(copy).Sum(f => new FileInfo(f).Length)));
        Assert.That(Directory.GetFiles(copy).Select(Path.GetFileName), Is.EquivalentTo(new[] { SnapshotFile.Name(backup.Sequence), DataDirectory.MetadataName, BackupManifest.Name }));

        // The manifest says what the result says, and an independent replay of the source's journal to the backup's sequence agrees.
        BackupManifest manifest = BackupManifest.Read(new FileStorage(copy))!;
        Assert.That((manifest.Sequence, manifest.Digest, manifest.CommitTimestamp), Is.EqualTo((backup.Sequence, backup.Digest, backup.CommitTimestamp)));
        Assert.That(ReplaySource(source, backup.Sequence, out ulong timestamp), Is.EqualTo(backup.Digest));
        Assert.That(timestamp, Is.EqualTo(backup.CommitTimestamp));

        UInt128 afterWrites;
        await using (LedgerEngine restored = await LedgerEngine.OpenAsync(Ledgers.Options(copy)).Within())
        {
            Assert.That(restored.CommittedSequence, Is.EqualTo(backup.Sequence));
            Assert.That(await restored.ComputeDigestAsync().Within(), Is.EqualTo(backup.Digest));
            Assert.That(restored.Epoch, Is.GreaterThan(sourceEpoch), "the copy is a new writer");
            Assert.That(File.Exists(Path.Combine(copy, BackupManifest.Name)), Is.False, "a restored directory is live: its manifest is gone");
            Assert.That(await restored.CreateTransfersAsync(Ledgers.Transfers(1UL << 50, 10, accounts: 8)).Within(), Is.Empty);
            Assert.That(restored.CommittedSequence, Is.EqualTo(backup.Sequence + 1));
            afterWrites = await restored.ComputeDigestAsync().Within();
        }

        Assert.That(File.Exists(Path.Combine(copy, JournalFormat.SegmentName(backup.Sequence + 1))), Is.True, "the journal starts after the backup's snapshot");
        await using (LedgerEngine reopened = await LedgerEngine.OpenAsync(Ledgers.Options(copy)).Within())
        {
            Assert.That(reopened.CommittedSequence, Is.EqualTo(backup.Sequence + 1));
            Assert.That(await reopened.ComputeDigestAsync().Within(), Is.EqualTo(afterWrites));
        }
    }

    [Test]
    public async Task Backups_taken_between_periodic_snapshots_all_restore_and_the_snapshots_still_happen()
    {
        using var dir = new TempDirectory();
        await using LedgerEngine engine = await LedgerEngine.OpenAsync(Ledgers.Options(dir.File("source"), o => o.SnapshotIntervalEvents = 50)).Within();
        await engine.CreateAccountsAsync(Ledgers.Accounts(4)).Within();
        var backups = new List<Task<LedgerBackup>>();
        for (int i = 0; i < 20; i++)
        {
            await engine.CreateTransfersAsync(Ledgers.Transfers(((ulong)i * 100) + 1, 60)).Within();
            if (i % 5 == 0) backups.Add(engine.BackupAsync(dir.File("copy" + i)));
        }

        LedgerBackup[] done = await Task.WhenAll(backups).Within();
        Assert.That(engine.SnapshotsWritten, Is.GreaterThan(0));
        foreach (LedgerBackup b in done)
        {
            await using LedgerEngine restored = await LedgerEngine.OpenAsync(Ledgers.Options(b.Directory)).Within();
            Assert.That(await restored.ComputeDigestAsync().Within(), Is.EqualTo(b.Digest));
        }
    }

    [Test]
    public async Task Backup_of_a_ledger_with_no_batch_restores_empty()
    {
        using var dir = new TempDirectory();
        LedgerBackup backup;
        await using (LedgerEngine engine = await LedgerEngine.OpenAsync(Ledgers.Options(dir.File("source"))).Within())
        {
            backup = await engine.BackupAsync(dir.File("copy")).Within();
        }

        Assert.That(backup.Sequence, Is.Zero);
        await using LedgerEngine restored = await LedgerEngine.OpenAsync(Ledgers.Options(backup.Directory)).Within();
        Assert.That(await restored.CreateAccountsAsync(Ledgers.Accounts(2)).Within(), Is.Empty);
    }

    [TestCase("flip snapshot")]
    [TestCase("truncate snapshot")]
    [TestCase("flip metadata")]
    [TestCase("flip manifest")]
    [TestCase("truncate manifest")]
    [TestCase("extra segment")]
    [TestCase("missing snapshot")]
    public async Task A_damaged_backup_is_refused_on_open_and_left_as_it_is(string damage)
    {
        using var dir = new TempDirectory();
        LedgerBackup backup = await BackupOfSmallLedgerAsync(dir);
        string snapshot = Path.Combine(backup.Directory, SnapshotFile.Name(backup.Sequence));
        switch (damage)
        {
            case "flip snapshot": FlipByte(snapshot, new FileInfo(snapshot).Length / 2); break;
            case "truncate snapshot": Truncate(snapshot); break;
            case "flip metadata": FlipByte(Path.Combine(backup.Directory, DataDirectory.MetadataName), 30); break;
            case "flip manifest": FlipByte(Path.Combine(backup.Directory, BackupManifest.Name), 40); break;
            case "truncate manifest": Truncate(Path.Combine(backup.Directory, BackupManifest.Name)); break;
            case "extra segment": File.Copy(Directory.GetFiles(dir.File("source"), "journal-*").First(), Path.Combine(backup.Directory, JournalFormat.SegmentName(backup.Sequence + 1))); break;
            case "missing snapshot": File.Delete(snapshot); break;
        }

        Dictionary<string, long> before = Directory.GetFiles(backup.Directory).ToDictionary(f => f, f => new FileInfo(f).Length);
        await Assert.ThrowsAsync<LedgerCorruptedException>(() => LedgerEngine.OpenAsync(Ledgers.Options(backup.Directory)).Within());
        Dictionary<string, long> after = Directory.GetFiles(backup.Directory).Where(f => Path.GetFileName(f) != DataDirectory.LockName).ToDictionary(f => f, f => new FileInfo(f).Length);
        Assert.That(after, Is.EqualTo(before), "a refused backup is not repaired or changed");
    }

    [Test]
    public async Task A_backup_that_never_completed_is_refused_on_open()
    {
        using var dir = new TempDirectory();
        BackupWriter.Begin(dir.File("copy")); // as a kill right after the start would leave it
        LedgerCorruptedException? e = await Assert.ThrowsAsync<LedgerCorruptedException>(() => LedgerEngine.OpenAsync(Ledgers.Options(dir.File("copy"))).Within());
        Assert.That(e!.Message, Does.Contain("did not complete"));
    }

    [Test]
    public async Task A_cancelled_backup_leaves_nothing_and_the_engine_goes_on()
    {
        using var dir = new TempDirectory();
        var scheduler = new GatedScheduler();
        await using LedgerEngine engine = await LedgerEngine.OpenAsync(Ledgers.Options(dir.File("source"), o => o.SnapshotScheduler = scheduler)).Within();
        await engine.CreateAccountsAsync(Ledgers.Accounts(4)).Within();
        await engine.CreateTransfersAsync(Ledgers.Transfers(1, 100)).Within();
        using var cancel = new CancellationTokenSource();
        Task<LedgerBackup> backup = engine.BackupAsync(dir.File("copy"), cancel.Token);

        await scheduler.Queued.Within(); // captured; its writing is held
        Assert.That(File.Exists(Path.Combine(dir.File("copy"), BackupManifest.Name)), Is.True, "the directory is marked as a backup in progress");
        await cancel.CancelAsync();
        scheduler.Release();

        Assert.That(async () => await backup.Within(), Throws.InstanceOf<OperationCanceledException>());
        Assert.That(Directory.Exists(dir.File("copy")), Is.False, "the directory the backup created is removed");
        Assert.That(await engine.CreateTransfersAsync(Ledgers.Transfers(1000, 10)).Within(), Is.Empty);
        LedgerBackup again = await engine.BackupAsync(dir.File("copy")).Within();
        Assert.That(again.Sequence, Is.EqualTo(engine.CommittedSequence));
    }

    [Test]
    public async Task A_cancelled_backup_into_an_existing_empty_directory_leaves_it_empty()
    {
        using var dir = new TempDirectory();
        Directory.CreateDirectory(dir.File("copy"));
        var scheduler = new GatedScheduler();
        await using LedgerEngine engine = await LedgerEngine.OpenAsync(Ledgers.Options(dir.File("source"), o => o.SnapshotScheduler = scheduler)).Within();
        await engine.CreateAccountsAsync(Ledgers.Accounts(4)).Within();
        using var cancel = new CancellationTokenSource();
        Task<LedgerBackup> backup = engine.BackupAsync(dir.File("copy"), cancel.Token);
        await scheduler.Queued.Within();
        await cancel.CancelAsync();
        scheduler.Release();

        Assert.That(async () => await backup.Within(), Throws.InstanceOf<OperationCanceledException>());
        Assert.That(Directory.Exists(dir.File("copy")), Is.True, "a directory the caller made is kept");
        Assert.That(Directory.EnumerateFileSystemEntries(dir.File("copy")), Is.Empty);
    }

    [Test]
    public async Task A_backup_captured_before_the_engine_faults_completes_and_restores_the_captured_state()
    {
        using var dir = new TempDirectory();
        var storage = new FaultyStorage { Fault = FaultKind.FailWrite, FaultAt = int.MaxValue, FaultFilter = static n => n.StartsWith("journal-", StringComparison.Ordinal) };
        var scheduler = new GatedScheduler();
        await using LedgerEngine engine = Ledgers.Open(dir.File("source"), storage, o => o.SnapshotScheduler = scheduler);
        await engine.CreateAccountsAsync(Ledgers.Accounts(4)).Within();
        await engine.CreateTransfersAsync(Ledgers.Transfers(1, 50)).Within();
        UInt128 digest = await engine.ComputeDigestAsync().Within();
        long sequence = engine.CommittedSequence;
        Task<LedgerBackup> backup = engine.BackupAsync(dir.File("copy"));
        await scheduler.Queued.Within(); // captured; its writing is held

        storage.FaultAt = storage.Writes + 1;
        Assert.That(async () => await engine.CreateTransfersAsync(Ledgers.Transfers(1000, 10)).Within(), Throws.InstanceOf<IOException>());
        Assert.That(engine.IsFaulted, Is.True);
        scheduler.Release();

        LedgerBackup done = await backup.Within();
        Assert.That((done.Sequence, done.Digest), Is.EqualTo((sequence, digest)));
        await using LedgerEngine restored = await LedgerEngine.OpenAsync(Ledgers.Options(done.Directory)).Within();
        Assert.That(await restored.ComputeDigestAsync().Within(), Is.EqualTo(digest));
    }

    [Test]
    public async Task Destination_that_is_not_empty_or_is_a_file_is_refused_and_untouched()
    {
        using var dir = new TempDirectory();
        await using LedgerEngine engine = await LedgerEngine.OpenAsync(Ledgers.Options(dir.File("source"))).Within();
        Directory.CreateDirectory(dir.File("full"));
        await File.WriteAllTextAsync(Path.Combine(dir.File("full"), "keep.txt"), "mine");
        await File.WriteAllTextAsync(dir.File("file"), "mine");

        Assert.That(async () => await engine.BackupAsync(dir.File("full")).Within(), Throws.InstanceOf<IOException>().With.Message.Contains("not empty"));
        Assert.That(async () => await engine.BackupAsync(dir.File("file")).Within(), Throws.InstanceOf<IOException>().With.Message.Contains("is a file"));
        Assert.That(async () => await engine.BackupAsync(dir.File("source")).Within(), Throws.InstanceOf<IOException>(), "not over the ledger itself");
        Assert.That(Directory.GetFiles(dir.File("full")).Select(Path.GetFileName), Is.EqualTo(new[] { "keep.txt" }));
        Assert.That(await File.ReadAllTextAsync(dir.File("file")), Is.EqualTo("mine"));
        Assert.That(async () => await engine.BackupAsync(" ").Within(), Throws.InstanceOf<ArgumentException>());
    }

    [Test]
    public async Task Backup_after_dispose_is_refused()
    {
        using var dir = new TempDirectory();
        LedgerEngine engine = await LedgerEngine.OpenAsync(Ledgers.Options(dir.File("source"))).Within();
        await engine.DisposeAsync();
        Assert.That(async () => await engine.BackupAsync(dir.File("copy")).Within(), Throws.InstanceOf<ObjectDisposedException>());
        Assert.That(Directory.Exists(dir.File("copy")), Is.False);
    }

    internal static async Task<LedgerBackup> BackupOfSmallLedgerAsync(TempDirectory dir)
    {
        await using LedgerEngine engine = await LedgerEngine.OpenAsync(Ledgers.Options(dir.File("source"))).Within();
        await engine.CreateAccountsAsync(Ledgers.Accounts(4)).Within();
        for (int i = 0; i < 5; i++) await engine.CreateTransfersAsync(Ledgers.Transfers(((ulong)i * 100) + 1, 30)).Within();
        return await engine.BackupAsync(dir.File("copy")).Within();
    }

    /// <summary>The digest of a fresh machine fed the source's journal up to <paramref name="sequence"/>.</summary>
    private static UInt128 ReplaySource(string source, long sequence, out ulong commitTimestamp)
    {
        var storage = new FileStorage(source);
        (UInt128 ledgerId, ulong _) = DataDirectory.Read(storage)!.Value;
        var machine = new LedgerStateMachine();
        var replay = new JournalReplay(machine, 0);
        JournalScan scan = JournalReader.Read(storage, ledgerId, 0, sequence, repairTail: false, replay.Apply);
        Assert.That(scan.LastSequence, Is.EqualTo(sequence));
        commitTimestamp = machine.CommitTimestamp;
        return machine.ComputeDigest();
    }

    private static void FlipByte(string path, long offset)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
        file.Position = offset;
        int b = file.ReadByte();
        file.Position = offset;
        file.WriteByte((byte)(b ^ 0x40));
    }

    private static void Truncate(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
        file.SetLength(file.Length - 1);
    }
}
