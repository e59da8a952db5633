using LedgerCore.Tests.Faults;
using NUnit.Framework;

namespace LedgerCore.Tests.Engine;

/// <summary>Options validation, batch limits, cancellation, disposal with work in flight, read-your-writes.</summary>
public class LifecycleTests
{
    private static IEnumerable<TestCaseData> InvalidOptions()
    {
        yield return Case<ArgumentException>("DataDirectory", o => o.DataDirectory = "");
        yield return Case<ArgumentException>("DataDirectory", o => o.DataDirectory = "   ");
        yield return Case<ArgumentOutOfRangeException>("MaxBatchSize", o => o.MaxBatchSize = 0);
        yield return Case<ArgumentOutOfRangeException>("MaxBatchSize", o => o.MaxBatchSize = 8191);
        yield return Case<ArgumentOutOfRangeException>("CommitDelayMax", o => o.CommitDelayMax = TimeSpan.FromTicks(-1));
        yield return Case<ArgumentOutOfRangeException>("CommitDelayMax", o => o.CommitDelayMax = TimeSpan.FromSeconds(1) + TimeSpan.FromTicks(1));
        yield return Case<ArgumentOutOfRangeException>("CommitBytesMax", o => o.CommitBytesMax = (64 * 1024) - 1);
        yield return Case<ArgumentOutOfRangeException>("CommitBytesMax", o => o.CommitBytesMax = (64 * 1024 * 1024) + 1);
        yield return Case<ArgumentOutOfRangeException>("SegmentBytesMax", o => o.SegmentBytesMax = (1024 * 1024) - 1);
        yield return Case<ArgumentOutOfRangeException>("SegmentBytesMax", o => o.SegmentBytesMax = (16L * 1024 * 1024 * 1024) + 1);
        yield return Case<ArgumentOutOfRangeException>("SnapshotIntervalEvents", o => o.SnapshotIntervalEvents = -1);
        yield return Case<ArgumentOutOfRangeException>("QueueDepthMax", o => o.QueueDepthMax = 0);
        yield return Case<ArgumentOutOfRangeException>("QueueDepthMax", o => o.QueueDepthMax = 1025);
        yield return Case<ArgumentOutOfRangeException>("FencingToken", o => o.FencingToken = 0);

        static TestCaseData Case<T>(string option, Action<LedgerOptions> breakIt) where T : ArgumentException =>
            new TestCaseData(option, typeof(T), breakIt).SetArgDisplayNames(option, typeof(T).Name);
    }

    [TestCaseSource(nameof(InvalidOptions))]
    public async Task An_invalid_option_fails_open_naming_it_and_touches_no_directory(string option, Type exceptionType, Action<LedgerOptions> breakIt)
    {
        string directory = Path.Combine(Path.GetTempPath(), "ledgercore-tests-" + Guid.NewGuid().ToString("N"));
        LedgerOptions options = Ledgers.Options(directory);
        breakIt(options);

        ArgumentException? e = await Assert.CatchAsync<ArgumentException>(async () => await LedgerEngine.OpenAsync(options));
        Assert.That(e, Is.TypeOf(exceptionType));
        Assert.That(e!.ParamName, Is.EqualTo(option));
        Assert.That(Directory.Exists(directory), Is.False);
    }

    [Test]
    public void The_bounds_themselves_are_valid()
    {
        foreach (Action<LedgerOptions> set in new Action<LedgerOptions>[]
        {
            o => { o.MaxBatchSize = 1; o.CommitDelayMax = TimeSpan.Zero; o.CommitBytesMax = 64 * 1024; o.SegmentBytesMax = 1024 * 1024; o.SnapshotIntervalEvents = 0; o.QueueDepthMax = 1; o.FencingToken = 1; },
            o => { o.MaxBatchSize = 8190; o.CommitDelayMax = TimeSpan.FromSeconds(1); o.CommitBytesMax = 64 * 1024 * 1024; o.SegmentBytesMax = 16L * 1024 * 1024 * 1024; o.QueueDepthMax = 1024; o.FencingToken = ulong.MaxValue; },
        })
        {
            LedgerOptions options = Ledgers.Options("x");
            set(options);
            Assert.DoesNotThrow(options.Validate);
        }
    }

    [Test]
    public async Task Null_options_are_rejected()
    {
        await Assert.ThrowsAsync<ArgumentNullException>(async () => await LedgerEngine.OpenAsync(null!));
    }

    [Test]
    public async Task A_batch_over_the_limit_is_rejected_and_an_empty_one_commits_nothing()
    {
        using var dir = new TempDirectory();
        await using LedgerEngine engine = await LedgerEngine.OpenAsync(Ledgers.Options(dir.Path, o => o.MaxBatchSize = 8)).Within();
        await Assert.ThrowsAsync<ArgumentException>(() => engine.CreateAccountsAsync(Ledgers.Accounts(9)));
        await Assert.ThrowsAsync<ArgumentException>(() => engine.CreateTransfersAsync(Ledgers.Transfers(1, 9)));
        Assert.That(await engine.CreateAccountsAsync(ReadOnlyMemory<Account>.Empty).Within(), Is.Empty);
        Assert.That(await engine.CreateTransfersAsync(ReadOnlyMemory<Transfer>.Empty).Within(), Is.Empty);
        Assert.That(engine.CommittedSequence, Is.Zero);
        Assert.That(await engine.CreateAccountsAsync(Ledgers.Accounts(8)).Within(), Is.Empty);
    }

    [Test]
    public async Task Every_read_after_an_awaited_write_sees_it()
    {
        using var dir = new TempDirectory();
        await using LedgerEngine engine = await LedgerEngine.OpenAsync(Ledgers.Options(dir.Path)).Within();
        Assert.That(await engine.CreateAccountsAsync(Ledgers.Accounts(4)).Within(), Is.Empty);
        await Task.WhenAll(Enumerable.Range(0, 4).Select(c => Task.Run(async () =>
        {
            for (ulong i = 0; i < 50; i++)
            {
                ulong id = 1 + ((ulong)c * 1_000) + i;
                Assert.That(await engine.CreateTransfersAsync(new[] { Ledgers.Transfer(id, 1, 2, 3) }), Is.Empty);
                Transfer[] found = await engine.LookupTransfersAsync(new UInt128[] { id });
                Assert.That(found, Has.Length.EqualTo(1));
                Assert.That(found[0].Timestamp, Is.Not.Zero);
            }
        }))).Within();

        Account[] accounts = await engine.LookupAccountsAsync(new UInt128[] { 1, 2 }).Within();
        Assert.That(accounts[0].DebitsPosted, Is.EqualTo((UInt128)(4 * 50 * 3)));
        Assert.That(accounts[1].CreditsPosted, Is.EqualTo((UInt128)(4 * 50 * 3)));
    }

    [Test]
    public async Task An_already_cancelled_call_throws_and_commits_nothing()
    {
        using var dir = new TempDirectory();
        await using LedgerEngine engine = await LedgerEngine.OpenAsync(Ledgers.Options(dir.Path)).Within();
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        await Assert.CatchAsync<OperationCanceledException>(() => engine.CreateAccountsAsync(Ledgers.Accounts(1), cts.Token));
        await Assert.CatchAsync<OperationCanceledException>(() => engine.LookupAccountsAsync(new UInt128[] { 1 }, cts.Token));
        Assert.That(engine.CommittedSequence, Is.Zero);
    }

    /// <summary>
    /// With the journal stage held inside an fsync: a caller waiting on its commit can stop waiting (its
    /// batch, already sequenced, still commits), and a request cancelled before the sequencer stamped it
    /// never reaches the journal.
    /// </summary>
    [Test]
    public async Task Cancelling_a_waiting_call_stops_the_wait_and_an_unsequenced_request_is_dropped()
    {
        using var dir = new TempDirectory();
        var storage = new FaultyStorage();
        await using LedgerEngine engine = Ledgers.Open(dir.Path, storage, o => o.QueueDepthMax = 1);
        Assert.That(await engine.CreateAccountsAsync(Ledgers.Accounts(2)).Within(), Is.Empty);
        using var gate = new ManualResetEventSlim(false);
        storage.FlushGate = gate;
        try
        {
            using var waitA = new CancellationTokenSource();
            Task<CreateTransfersResult[]> a = engine.CreateTransfersAsync(new[] { Ledgers.Transfer(1, 1, 2) }, waitA.Token);
            using (var cts = new CancellationTokenSource(Ledgers.Timeout))
            {
                while (storage.FlushesWaiting == 0) await Task.Delay(5, cts.Token);
            }

            // A is inside the fsync; B fills the one-batch queue; C is stamped and waits for room; D waits unsequenced.
            Task<CreateAccountsResult[]> b = engine.CreateAccountsAsync(Ledgers.Accounts(1, firstId: 10));
            Task<CreateTransfersResult[]> c = engine.CreateTransfersAsync(new[] { Ledgers.Transfer(2, 1, 2) });
            using var cancelD = new CancellationTokenSource();
            Task<CreateAccountsResult[]> d = engine.CreateAccountsAsync(Ledgers.Accounts(1, firstId: 20), cancelD.Token);
            await Task.Delay(50);

            await waitA.CancelAsync();
            await cancelD.CancelAsync();
            await Assert.CatchAsync<OperationCanceledException>(() => a.Within());
            await Assert.CatchAsync<OperationCanceledException>(() => d.Within());
            Assert.That(b.IsCompleted || c.IsCompleted, Is.False);

            gate.Set();
            Assert.That(await b.Within(), Is.Empty);
            Assert.That(await c.Within(), Is.Empty);
        }
        finally
        {
            gate.Set();
            storage.FlushGate = null;
        }

        Assert.That(await engine.LookupTransfersAsync(new UInt128[] { 1, 2 }).Within(), Has.Length.EqualTo(2), "the cancelled wait's batch committed anyway");
        Assert.That(await engine.LookupAccountsAsync(new UInt128[] { 10, 20 }).Within(), Has.Length.EqualTo(1), "the unsequenced request was dropped");
        Assert.That(engine.CommittedSequence, Is.EqualTo(4));
    }

    [Test]
    public async Task Disposal_drains_calls_in_flight_and_later_calls_see_a_disposed_engine()
    {
        using var dir = new TempDirectory();
        var storage = new FaultyStorage();
        LedgerEngine engine = Ledgers.Open(dir.Path, storage);
        Assert.That(await engine.CreateAccountsAsync(Ledgers.Accounts(2)).Within(), Is.Empty);
        using var gate = new ManualResetEventSlim(false);
        storage.FlushGate = gate;
        Task<CreateTransfersResult[]>[] inFlight = Enumerable.Range(1, 5).Select(i => engine.CreateTransfersAsync(new[] { Ledgers.Transfer((ulong)i, 1, 2) })).ToArray();
        using (var cts = new CancellationTokenSource(Ledgers.Timeout))
        {
            while (storage.FlushesWaiting == 0) await Task.Delay(5, cts.Token);
        }

        Task disposing = engine.DisposeAsync().AsTask();
        await Task.Delay(50);
        Assert.That(disposing.IsCompleted, Is.False, "disposal waits for the batches in flight");
        await Assert.ThrowsAsync<ObjectDisposedException>(() => engine.CreateTransfersAsync(new[] { Ledgers.Transfer(99, 1, 2) }));

        gate.Set();
        storage.FlushGate = null;
        await disposing.Within();
        foreach (Task<CreateTransfersResult[]> call in inFlight) Assert.That(await call.Within(), Is.Empty);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => engine.LookupTransfersAsync(new UInt128[] { 1 }));
        await engine.DisposeAsync().Within(); // twice is fine

        await using LedgerEngine reopened = Ledgers.Open(dir.Path, storage.Crash());
        Assert.That(await reopened.LookupTransfersAsync(new UInt128[] { 1, 2, 3, 4, 5 }).Within(), Has.Length.EqualTo(5));
    }

    [Test]
    public async Task Disposing_under_load_hangs_nothing_and_every_acknowledged_write_survives()
    {
        using var dir = new TempDirectory();
        LedgerEngine engine = await LedgerEngine.OpenAsync(Ledgers.Options(dir.Path, o => o.QueueDepthMax = 2)).Within();
        Assert.That(await engine.CreateAccountsAsync(Ledgers.Accounts(4)).Within(), Is.Empty);
        var acknowledged = new System.Collections.Concurrent.ConcurrentBag<UInt128>();
        Task[] writers = Enumerable.Range(0, 6).Select(c => Task.Run(async () =>
        {
            for (ulong i = 0; ; i++)
            {
                ulong id = 1 + ((ulong)c * 1_000_000) + i;
                try
                {
                    Assert.That(await engine.CreateTransfersAsync(new[] { Ledgers.Transfer(id, 1, 2) }), Is.Empty);
                    acknowledged.Add(id);
                }
                catch (ObjectDisposedException)
                {
                    return;
                }
            }
        })).ToArray();
        await Task.Delay(300);

        await engine.DisposeAsync().Within();
        await Task.WhenAll(writers).Within();
        Assert.That(acknowledged, Is.Not.Empty);

        await using LedgerEngine reopened = await LedgerEngine.OpenAsync(Ledgers.Options(dir.Path)).Within();
        foreach (UInt128[] chunk in acknowledged.Chunk(8_000))
        {
            Assert.That(await reopened.LookupTransfersAsync(chunk).Within(), Has.Length.EqualTo(chunk.Length));
        }
    }
}
