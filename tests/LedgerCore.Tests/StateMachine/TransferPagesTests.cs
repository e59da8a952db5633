using LedgerCore.StateMachine.Storage;
using LedgerCore.Tests.Engine;
using LedgerCore.Tests.Properties;
using NUnit.Framework;

namespace LedgerCore.Tests.StateMachine;

/// <summary>
/// Where stored transfers live changes memory only: transfers in native pages, and in files mapped
/// with a resident window far smaller than the data (every old read maps a dropped page back), give
/// the same results, reads and digest as each other, through posts and voids of old pending
/// transfers, duplicates, rolled-back chains, queries and change events across the whole history.
/// </summary>
public class TransferPagesTests
{
    private const int Accounts = 24;

    private static readonly UInt128[] SampleIds = [1, 17_000, 50_001, 95_999];

    [Test]
    public void Transfers_in_mapped_files_with_a_small_window_behave_exactly_like_transfers_in_memory()
    {
        using var dir = new TempDirectory();
        var memory = new LedgerStateMachine();
        // Two pages resident (4 MiB) while the workload stores ~12 pages: most reads of history miss.
        using var pages = new MappedPageSource(dir.File("store"), "transfers", NativePagedArray<Transfer>.PageBytes, 1);
        var mapped = new LedgerStateMachine(pages);
        var random = new Random(5);
        ulong timestamp = 1_000_000;

        Account[] accounts = [.. Enumerable.Range(1, Accounts).Select(i => new Account
        {
            Id = (UInt128)i,
            Ledger = 1,
            Code = 1,
            Flags = i % 5 == 0 ? AccountFlags.History : i % 7 == 0 ? AccountFlags.DebitsMustNotExceedCredits : AccountFlags.None,
        })];
        Assert.That(mapped.CreateAccounts(accounts, timestamp), Is.EqualTo(memory.CreateAccounts(accounts, timestamp)));

        var pendings = new List<UInt128>();
        ulong nextId = 1;
        for (int b = 0; b < 26; b++)
        {
            var batch = new Transfer[LedgerStateMachine.BatchEventsMax];
            for (int i = 0; i < batch.Length; i++)
            {
                batch[i] = NextTransfer(random, ref nextId, pendings, i == batch.Length - 1);
            }

            timestamp += 10_000_000_000; // 10 s a batch: some pending transfers time out on the way
            CreateTransfersResult[] expected = memory.CreateTransfers(batch, timestamp);
            Assert.That(mapped.CreateTransfers(batch, timestamp), Is.EqualTo(expected), $"batch {b}");
        }

        Assert.That(pages.AllocatedBytes, Is.GreaterThan(10L * NativePagedArray<Transfer>.PageBytes), "the workload must span many pages beyond the resident window");
        Assert.That(Directory.GetFiles(dir.File("store"), "transfers-*.seg"), Is.Not.Empty);
        Assert.That(mapped.TransferCount, Is.EqualTo(memory.TransferCount));
        Assert.That(mapped.ComputeDigest(), Is.EqualTo(memory.ComputeDigest()));

        UInt128[] ids = [.. Enumerable.Range(0, 2000).Select(_ => (UInt128)(ulong)random.NextInt64(1, (long)nextId + 100))];
        Assert.That(mapped.LookupTransfers(ids), Is.EqualTo(memory.LookupTransfers(ids)));
        for (int a = 1; a <= Accounts; a += 3)
        {
            var filter = new AccountFilter { AccountId = (UInt128)a, Limit = 8190, Flags = AccountFilterFlags.Debits | AccountFilterFlags.Credits | (a % 2 == 0 ? AccountFilterFlags.Reversed : 0) };
            Assert.That(mapped.GetAccountTransfers(filter), Is.EqualTo(memory.GetAccountTransfers(filter)), $"account {a} transfers");
            Assert.That(mapped.GetAccountBalances(filter), Is.EqualTo(memory.GetAccountBalances(filter)), $"account {a} balances");
        }

        var query = new QueryFilter { Ledger = 1, Code = 2, Limit = 8190, TimestampMin = 1_000_000 + 30_000_000_000 };
        Assert.That(mapped.QueryTransfers(query), Is.EqualTo(memory.QueryTransfers(query)));
        var events = new ChangeEventsFilter { TimestampMin = 1_000_000 + 50_000_000_000, Limit = 8190 };
        Assert.That(mapped.GetChangeEvents(events), Is.EqualTo(memory.GetChangeEvents(events)));
    }

    [Test]
    public void Account_logs_and_checkpoints_in_mapped_files_with_a_small_window_read_exactly_like_in_memory()
    {
        // 60,000 accounts each take at least one 256-byte chunk: ~4 pages of chunks, 2 of them resident.
        const int manyAccounts = 60_000;
        using var dir = new TempDirectory();
        using var logPages = new MappedPageSource(dir.File("store"), "logs", LogChunks.PageBytes, 1);
        using var checkpointPages = new MappedPageSource(dir.File("store"), "checkpoints", NativePagedArray<BalanceCheckpoint>.PageBytes, 1);
        var mapped = new LedgerStateMachine(new StorePages(new AnonymousPageSource(NativePagedArray<Transfer>.PageBytes), new AnonymousPageSource(NativePagedArray<TransferState>.PageBytes), logPages, checkpointPages));
        var memory = new LedgerStateMachine();
        ulong timestamp = 1_000_000;
        for (int start = 1; start <= manyAccounts; start += LedgerStateMachine.BatchEventsMax)
        {
            Account[] accounts = [.. Enumerable.Range(start, Math.Min(LedgerStateMachine.BatchEventsMax, manyAccounts - start + 1)).Select(i => new Account
            {
                Id = (UInt128)i,
                Ledger = 1,
                Code = 1,
                Flags = i % 3 == 0 ? AccountFlags.History : AccountFlags.None,
            })];
            timestamp += (ulong)accounts.Length;
            Assert.That(mapped.CreateAccounts(accounts, timestamp), Is.EqualTo(memory.CreateAccounts(accounts, timestamp)));
        }

        var random = new Random(9);
        ulong nextId = 1;
        for (int b = 0; b < 40; b++)
        {
            var batch = new Transfer[LedgerStateMachine.BatchEventsMax];
            for (int i = 0; i < batch.Length; i++)
            {
                // Half the credits go to 500 accounts, whose logs then pass 32 events (checkpoints).
                ulong debit = (ulong)random.Next(1, manyAccounts + 1);
                ulong credit = i % 2 == 0 ? (ulong)random.Next(1, 501) : debit % manyAccounts + 1;
                if (credit == debit) credit = debit % manyAccounts + 1;
                batch[i] = new Transfer { Id = nextId++, DebitAccountId = debit, CreditAccountId = credit, Amount = 1, Ledger = 1, Code = 1 };
            }

            timestamp += (ulong)batch.Length;
            Assert.That(mapped.CreateTransfers(batch, timestamp), Is.EqualTo(memory.CreateTransfers(batch, timestamp)), $"batch {b}");
        }

        Assert.That(logPages.AllocatedBytes, Is.GreaterThan(3L * LogChunks.PageBytes), "the logs must span more pages than stay resident");
        Assert.That(mapped.ComputeDigest(), Is.EqualTo(memory.ComputeDigest()));
        for (int a = 1; a <= manyAccounts; a += 89)
        {
            var filter = new AccountFilter { AccountId = (UInt128)a, Limit = 8190, Flags = AccountFilterFlags.Debits | AccountFilterFlags.Credits | (a % 2 == 0 ? AccountFilterFlags.Reversed : 0) };
            Assert.That(mapped.GetAccountTransfers(filter), Is.EqualTo(memory.GetAccountTransfers(filter)), $"account {a} transfers");
            Assert.That(mapped.GetAccountBalances(filter), Is.EqualTo(memory.GetAccountBalances(filter)), $"account {a} balances");
        }

        Assert.That(checkpointPages.AllocatedBytes, Is.GreaterThan(0), "the accounts' 32nd events left checkpoints in files");
        var events = new ChangeEventsFilter { TimestampMin = timestamp - 20_000, Limit = 8190 };
        Assert.That(mapped.GetChangeEvents(events), Is.EqualTo(memory.GetChangeEvents(events)));
    }

    [Test]
    public void Generated_workloads_give_the_same_results_reads_and_digest_with_transfers_in_files() =>
        LedgerHarness.Check(LedgerGenerators.Workloads(), workload =>
        {
            IReadOnlyList<LedgerBatch> batches = WorkloadBuilder.Build(workload);
            using var dir = new TempDirectory();
            using var pages = new MappedPageSource(dir.File("store"), "transfers", NativePagedArray<Transfer>.PageBytes, 1);
            var mapped = new LedgerStateMachine(pages);
            var memory = new LedgerStateMachine();
            foreach (LedgerBatch batch in batches)
            {
                uint[] expected = LedgerHarness.Apply(memory, batch);
                PropertyFailedException.Unless(LedgerHarness.Apply(mapped, batch).SequenceEqual(expected), () => "results differ");
            }

            PropertyFailedException.Unless(mapped.ComputeDigest() == memory.ComputeDigest(), () => "digests differ");
            string? difference = LedgerHarness.FirstDifference(
                LedgerHarness.Transfers(memory), LedgerHarness.Transfers(mapped), x => x);
            PropertyFailedException.Unless(difference is null, () => $"transfers differ: {difference}");
        });

    [Test]
    public void Pages_keep_their_items_through_growth_truncation_and_a_reader_view()
    {
        using var source = new AnonymousPageSource(NativePagedArray<long>.PageBytes);
        var array = new NativePagedArray<long>(source);
        int items = (NativePagedArray<long>.ItemsPerPage * 5) + 3; // past the initial table of four pages
        for (int i = 0; i < items; i++) Assert.That(array.Add(i * 3L), Is.EqualTo(i));

        NativePages<long> view = array.BorrowPages();
        array.Truncate(NativePagedArray<long>.ItemsPerPage - 1); // back across four page boundaries
        Assert.That(array.Count, Is.EqualTo(NativePagedArray<long>.ItemsPerPage - 1));
        for (long i = array.Count; i < items; i++) array.Add(-i);

        Span<long> tail = array.AppendInPlace(10);
        Assert.That(tail.Length, Is.EqualTo(10));
        tail.Fill(7);
        Assert.That(array[items + 9], Is.EqualTo(7));
        Assert.That(array[17], Is.EqualTo(51));
        Assert.That(array[NativePagedArray<long>.ItemsPerPage + 1], Is.EqualTo(-(NativePagedArray<long>.ItemsPerPage + 1)));
        Assert.That(view[5], Is.EqualTo(15), "a view reads the same pages");
        Assert.That(source.AllocatedBytes, Is.EqualTo(7L * NativePagedArray<long>.PageBytes), "truncation keeps pages for reuse; one page is allocated ahead of the appends");
    }

    [Test]
    public async Task Engine_with_transfers_in_files_recovers_the_same_state_from_its_checkpoints()
    {
        using var dir = new TempDirectory();
        Action<LedgerOptions> configure = o =>
        {
            o.TransferCacheBytes = 1; // the smallest window: two pages
            o.SnapshotIntervalEvents = 40_000;
        };

        UInt128 digest;
        Transfer[] sample;
        await using (LedgerEngine engine = await LedgerEngine.OpenAsync(Ledgers.Options(dir.Path, configure)).Within())
        {
            Assert.That(await engine.CreateAccountsAsync(Ledgers.Accounts(8)).Within(), Is.Empty);
            for (int i = 0; i < 12; i++)
            {
                Assert.That(await engine.CreateTransfersAsync(Ledgers.Transfers(1 + ((ulong)i * 8_000), 8_000, 8)).Within(), Is.Empty);
            }

            digest = await engine.ComputeDigestAsync().Within();
            sample = await engine.LookupTransfersAsync(SampleIds).Within();
            // Written in the background (the id index's tables copied, the files fsynced): wait for it.
            for (int wait = 0; wait < 300 && engine.SnapshotsWritten < 1; wait++) await Task.Delay(100);
            Assert.That(engine.SnapshotsWritten, Is.GreaterThanOrEqualTo(1));
            Assert.That(engine.LastSnapshotError, Is.Null);
        }

        string store = Path.Combine(dir.Path, "store");
        string[] before = Directory.GetFiles(store, "transfers-*.seg");
        Assert.That(before, Is.Not.Empty);

        await using (LedgerEngine reopened = await LedgerEngine.OpenAsync(Ledgers.Options(dir.Path, configure)).Within())
        {
            Assert.That(reopened.Recovery.SnapshotSequence, Is.GreaterThan(0), "recovery starts from a checkpoint naming the mapped files");
            Assert.That(await reopened.ComputeDigestAsync().Within(), Is.EqualTo(digest));
            Assert.That(await reopened.LookupTransfersAsync(SampleIds).Within(), Is.EqualTo(sample));
        }

        // The same directory opened without a cache size: its checkpoints name the store files, so they are reopened.
        await using LedgerEngine inMemory = await LedgerEngine.OpenAsync(Ledgers.Options(dir.Path, o => o.SnapshotIntervalEvents = 0)).Within();
        Assert.That(await inMemory.ComputeDigestAsync().Within(), Is.EqualTo(digest));
    }

    [Test]
    public void A_store_path_that_is_not_a_directory_fails_the_open_with_an_IOException()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("store"), "not a directory");
        Assert.That(async () => await LedgerEngine.OpenAsync(Ledgers.Options(dir.Path, o => o.TransferCacheBytes = 1 << 20)),
            Throws.InstanceOf<IOException>());
    }

    [Test]
    public void Negative_transfer_cache_is_refused() =>
        Assert.That(() => new LedgerOptions { DataDirectory = "x", TransferCacheBytes = -1 }.Validate(), Throws.TypeOf<ArgumentOutOfRangeException>());

    // A mix that reads history: pending transfers (some with timeouts), posts and voids of pendings
    // from any earlier batch, resubmitted ids (Exists and its variants), and linked chains that fail.
    private static Transfer NextTransfer(Random random, ref ulong nextId, List<UInt128> pendings, bool last)
    {
        ulong debit = (ulong)random.Next(1, Accounts + 1);
        ulong credit = (debit % Accounts) + 1;
        int kind = random.Next(100);
        if (kind < 6 && pendings.Count > 0)
        {
            UInt128 pending = pendings[random.Next(pendings.Count)];
            return new Transfer
            {
                Id = nextId++,
                PendingId = pending,
                Amount = kind < 3 ? (UInt128)ulong.MaxValue : 0,
                Ledger = 1,
                Code = 2,
                Flags = kind < 3 ? TransferFlags.PostPendingTransfer : TransferFlags.VoidPendingTransfer,
            };
        }

        if (kind < 9 && nextId > 10)
        {
            // An old id again: same fields answer Exists, other amounts an ExistsWith... result.
            ulong old = (ulong)random.NextInt64(1, (long)nextId);
            return Ledgers.Transfer(old, debit, credit, (ulong)random.Next(1, 3));
        }

        Transfer t = Ledgers.Transfer(nextId++, debit, credit, (ulong)random.Next(1, 100));
        t.Code = (ushort)(1 + (kind % 2));
        if (kind < 25)
        {
            t.Flags |= TransferFlags.Pending;
            t.Timeout = kind < 15 ? (uint)random.Next(1, 60) : 0;
            pendings.Add(t.Id);
        }

        if (!last && kind > 95)
        {
            t.Flags |= TransferFlags.Linked; // the next event completes the chain (or breaks it)
        }

        return t;
    }
}
