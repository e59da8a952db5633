using FsCheck;
using FsCheck.Fluent;
using LedgerCore.Tests.Faults;
using NUnit.Framework;

namespace LedgerCore.Tests.Engine;

/// <summary>
/// The durability property: whatever single fault hits the storage (a failed write or fsync, a crash
/// at any write, fsync or directory sync, a torn last write), after a restart on the surviving bytes
/// every acknowledged request is present, the ledger equals a reference machine fed exactly the
/// batches recovery reports as committed, and no request is half-applied.
/// </summary>
public class FaultPropertyTests
{
    private const int SetupAccounts = 5;

    [Test]
    public void Acknowledged_writes_survive_any_single_fault_and_nothing_is_half_applied()
    {
        Gen<FaultScenario> scenarios =
            from seed in Gen.Choose(0, int.MaxValue - 1)
            from kind in Gen.Frequency(
                (1, Gen.Constant(FaultKind.None)),
                (3, Gen.Constant(FaultKind.FailWrite)),
                (3, Gen.Constant(FaultKind.FailFlush)),
                (4, Gen.Constant(FaultKind.Crash)))
            from faultAt in Gen.Choose(1, 24)
            from journalOnly in Gen.Frequency((3, Gen.Constant(true)), (1, Gen.Constant(false)))
            from partial in Gen.Frequency((1, Gen.Constant(0)), (2, Gen.Choose(1, 3000)))
            from torn in Gen.Frequency((1, Gen.Constant<int?>(null)), (3, Gen.Choose(0, 4000).Select(b => (int?)b)))
            from enospc in Gen.Elements(true, false)
            from callers in Gen.Choose(1, 4)
            from maxBatch in Gen.Elements(8, 16, 64)
            from depth in Gen.Elements(1, 2, 8)
            from snapshots in Gen.Elements(0L, 0L, 25L)
            from segmentBytes in Gen.Elements(2048L, 1024L * 1024)
            from delay in Gen.Elements(0, 0, 1)
            select new FaultScenario(seed, kind, faultAt, journalOnly, partial, torn, enospc, callers, maxBatch, depth, snapshots, snapshots > 0 ? 1024 * 1024 : segmentBytes, delay);

        _stats = default;
        Prop.ForAll(scenarios.ToArbitrary(), scenario => RunAsync(scenario).GetAwaiter().GetResult())
            .Check(Config.QuickThrowOnFailure.WithMaxTest(300));

        // Coverage, so a run that never reaches a fault point shows: faults fired, tails cut, requests acknowledged or not.
        TestContext.Out.WriteLine($"faults fired {_stats.Faults} (engine faulted {_stats.Faulted}, open failed {_stats.OpenFailed}), torn tails cut {_stats.Truncated}, requests acknowledged {_stats.Acknowledged}, failed {_stats.Failed}, snapshots loaded {_stats.SnapshotsLoaded}, multi-segment journals {_stats.MultiSegment}");
        Assert.That(_stats.Faulted, Is.GreaterThan(0));
        Assert.That(_stats.Truncated, Is.GreaterThan(0));
        Assert.That(_stats.Failed, Is.GreaterThan(0));
    }

    private (int Faults, int Faulted, int OpenFailed, int Truncated, int Acknowledged, int Failed, int SnapshotsLoaded, int MultiSegment) _stats;

    private async Task RunAsync(FaultScenario s)
    {
        using var dir = new TempDirectory(); // holds only the lock: the data lives in the faulty storage
        var storage = new FaultyStorage
        {
            Fault = s.Kind,
            FaultAt = s.FaultAt,
            FaultMessage = s.Enospc ? FaultyStorage.Enospc : FaultyStorage.Eio,
            PartialWriteBytes = s.PartialWriteBytes,
            CrashTornBytes = s.TornBytes,
            FaultFilter = s.JournalOnly ? static name => name.StartsWith("journal-", StringComparison.Ordinal) : static _ => true,
        };
        Action<LedgerOptions> configure = o =>
        {
            o.MaxBatchSize = s.MaxBatchSize;
            o.QueueDepthMax = s.QueueDepthMax;
            o.SnapshotIntervalEvents = s.SnapshotIntervalEvents;
            o.SegmentBytesMax = s.SegmentBytesMax; // below the public minimum: the internal Open does not validate
            o.CommitDelayMax = TimeSpan.FromMilliseconds(s.CommitDelayMilliseconds);
        };

        List<WorkloadRequest>[] callers = Workload(s);
        var all = callers.SelectMany(c => c).ToList();
        long committedBefore = 0;
        List<string> fedBefore = [];
        LedgerEngine? engine = null;
        try
        {
            engine = Ledgers.Open(dir.Path, storage, configure);
        }
        catch (IOException) when (storage.FaultedFile is not null)
        {
            // The fault hit the metadata write during open: open fails, nothing was acknowledged.
            _stats.OpenFailed++;
        }

        if (engine is not null)
        {
            await using (engine)
            {
                await callers[0][0].SubmitAsync(engine); // the accounts, before the concurrent callers
                await Task.WhenAll(callers.Select(c => Task.Run(async () =>
                {
                    foreach (WorkloadRequest request in c.Where(r => !ReferenceEquals(r, callers[0][0]))) await request.SubmitAsync(engine);
                }))).Within();

                await AssertFaultBehaviourAsync(s, storage, engine, all);
                committedBefore = engine.CommittedSequence;
                fedBefore = (await Ledgers.ReadFeedAsync(engine)).Select(Describe).ToList();
                if (engine.IsFaulted) _stats.Faulted++;
            }

            if (storage.FaultedFile?.StartsWith("snapshot-", StringComparison.Ordinal) == true && s.Kind != FaultKind.Crash)
            {
                Assert.That(engine.LastSnapshotError, Is.InstanceOf<IOException>(), "a failed snapshot is reported, not fatal");
            }
        }

        FaultyStorage surviving = storage.CrashImage ?? storage.Crash(s.TornBytes);
        await using LedgerEngine reopened = Ledgers.Open(dir.Path, surviving, configure);
        await AssertRecoveredAsync(reopened, committedBefore, fedBefore, all);
        if (storage.FaultedFile is not null) _stats.Faults++;
        if (reopened.Recovery.TruncatedBytes > 0) _stats.Truncated++;
        if (reopened.Recovery.SnapshotSequence > 0) _stats.SnapshotsLoaded++;
        if (surviving.List().Count(n => n.StartsWith("journal-", StringComparison.Ordinal)) > 1) _stats.MultiSegment++;
        _stats.Acknowledged += all.Count(r => r.Acknowledged);
        _stats.Failed += all.Count(r => !r.Acknowledged);
    }

    private static string Describe(CommittedBatch b) =>
        $"{b.Sequence}/{b.Timestamp}/{b.FencingToken}/{b.Operation}/" +
        string.Join(",", b.Operation == LedgerOperation.CreateAccounts ? b.Accounts.ToArray().Select(a => a.Id) : b.Transfers.ToArray().Select(t => t.Id));

    private static async Task AssertRecoveredAsync(LedgerEngine reopened, long committedBefore, List<string> fedBefore, List<WorkloadRequest> all)
    {
        Assert.That(reopened.CommittedSequence, Is.GreaterThanOrEqualTo(committedBefore), "every batch reported committed survives");
        List<CommittedBatch> feed = await Ledgers.ReadFeedAsync(reopened);
        Assert.That(feed.Take(fedBefore.Count).Select(Describe), Is.EqualTo(fedBefore), "what the change feed delivered before the fault survives it, unchanged");
        Assert.That(feed.Select(b => b.Sequence), Is.EqualTo(Enumerable.Range(1, (int)reopened.CommittedSequence).Select(i => (long)i)), "the feed holds every committed batch once, in order");
        Assert.That(reopened.Recovery.RecordsReplayed, Is.EqualTo(reopened.CommittedSequence - reopened.Recovery.SnapshotSequence));

        // The reference machine, fed exactly the committed batches; per-event results by id.
        var reference = new LedgerStateMachine();
        var results = new Dictionary<UInt128, uint>();
        var committedIds = new List<UInt128>();
        foreach (CommittedBatch batch in feed)
        {
            if (batch.Operation == LedgerOperation.CreateAccounts)
            {
                foreach (CreateAccountsResult r in reference.CreateAccounts(batch.Accounts.Span, batch.Timestamp)) results[batch.Accounts.Span[r.Index].Id] = (uint)r.Result;
                foreach (Account a in batch.Accounts.Span) committedIds.Add(a.Id);
            }
            else
            {
                foreach (CreateTransfersResult r in reference.CreateTransfers(batch.Transfers.Span, batch.Timestamp)) results[batch.Transfers.Span[r.Index].Id] = (uint)r.Result;
                foreach (Transfer t in batch.Transfers.Span) committedIds.Add(t.Id);
            }
        }

        Assert.That(await reopened.ComputeDigestAsync().Within(), Is.EqualTo(reference.ComputeDigest()), "recovered ledger equals the reference fed the committed batches");

        var committed = committedIds.ToHashSet();
        Assert.That(committed, Has.Count.EqualTo(committedIds.Count), "no event is committed twice");
        int expectedEvents = 0;
        foreach (WorkloadRequest request in all)
        {
            UInt128[] ids = request.Ids;
            int present = ids.Count(committed.Contains);
            Assert.That(present, Is.EqualTo(0).Or.EqualTo(ids.Length), "a request is committed whole or not at all");
            expectedEvents += present;
            if (!request.Acknowledged) continue;

            Assert.That(present, Is.EqualTo(ids.Length), "an acknowledged request is committed");
            (int, uint)[] expected = ids.Select((id, i) => (i, id)).Where(x => results.ContainsKey(x.id)).Select(x => (x.i, results[x.id])).ToArray();
            Assert.That(request.Failures, Is.EqualTo(expected), "the caller got the results the committed batch has");
            UInt128[] succeeded = ids.Where(id => !results.ContainsKey(id)).ToArray();
            int found = request.Accounts is not null
                ? (await reopened.LookupAccountsAsync(succeeded).Within()).Length
                : (await reopened.LookupTransfersAsync(succeeded).Within()).Length;
            Assert.That(found, Is.EqualTo(succeeded.Length), "acknowledged events are found after the restart");
        }

        Assert.That(committedIds, Has.Count.EqualTo(expectedEvents), "nothing but whole requests was committed");

        // The recovered engine accepts writes on top of what it recovered.
        Assert.That(await reopened.CreateAccountsAsync(new[] { new Account { Id = 999_999, Ledger = 1, Code = 1 } }).Within(), Is.Empty);
    }

    private static async Task AssertFaultBehaviourAsync(FaultScenario s, FaultyStorage storage, LedgerEngine engine, List<WorkloadRequest> all)
    {
        foreach (WorkloadRequest request in all.Where(r => r.SubmittedAfterFault))
        {
            Assert.That(request.Acknowledged, Is.False, "a faulted engine acknowledges nothing more");
            Assert.That(request.Error, Is.InstanceOf<LedgerFaultedException>());
        }

        bool journalFault = storage.FaultedFile?.StartsWith("journal-", StringComparison.Ordinal) == true;
        if (journalFault && s.Kind is FaultKind.FailWrite or FaultKind.FailFlush)
        {
            Assert.That(engine.IsFaulted, Is.True, $"a failed journal {s.Kind} faults the engine");
            Assert.That(engine.Fault, Is.InstanceOf<IOException>());
            Assert.That(engine.Fault!.Message, Does.Contain(storage.FaultMessage));
            Assert.That(all.Where(r => r.Error is IOException and not LedgerCorruptedException), Is.Not.Empty, "the group's callers get the I/O error");
            var ex = await Assert.ThrowsAsync<LedgerFaultedException>(() => engine.CreateTransfersAsync(new[] { Ledgers.Transfer(5_000_000, 1, 2) }));
            Assert.That(ex!.InnerException, Is.SameAs(engine.Fault));
        }

        if (storage.FaultedFile is null || (!journalFault && s.Kind != FaultKind.Crash))
        {
            Assert.That(engine.IsFaulted, Is.False, "only a journal fault faults the engine");
            Assert.That(all.All(r => r.Acknowledged), Is.True, "without a journal fault every request is acknowledged");
        }
    }

    /// <summary>
    /// The callers' requests: caller 0 starts with the setup accounts; then transfers (some invalid, some
    /// linked, some ending in an open chain) and now and then more accounts, with ids unique per kind.
    /// </summary>
    private static List<WorkloadRequest>[] Workload(FaultScenario s)
    {
        var random = new Random(s.Seed);
        ulong nextTransfer = 1_000, nextAccount = 100;
        var callers = new List<WorkloadRequest>[s.Callers];
        for (int c = 0; c < s.Callers; c++)
        {
            callers[c] = [];
            if (c == 0) callers[c].Add(new WorkloadRequest(Ledgers.Accounts(SetupAccounts)));
            int requests = random.Next(2, 10);
            for (int r = 0; r < requests; r++)
            {
                int size = random.Next(1, Math.Min(s.MaxBatchSize, 12) + 1);
                if (random.Next(8) == 0)
                {
                    callers[c].Add(new WorkloadRequest(Enumerable.Range(0, size).Select(_ => new Account { Id = nextAccount++, Ledger = 1, Code = 1 }).ToArray()));
                    continue;
                }

                var transfers = new Transfer[size];
                for (int i = 0; i < size; i++)
                {
                    ulong debit = (ulong)random.Next(1, SetupAccounts + 2); // SetupAccounts + 1 does not exist
                    ulong credit = random.Next(10) == 0 ? debit : (ulong)random.Next(1, SetupAccounts + 1);
                    transfers[i] = Ledgers.Transfer(nextTransfer++, debit, credit, (ulong)random.Next(1, 1000));
                    if (random.Next(10) == 0) transfers[i].Flags = TransferFlags.Linked;
                }

                callers[c].Add(new WorkloadRequest(transfers));
            }
        }

        return callers;
    }
}
