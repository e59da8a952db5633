using NUnit.Framework;

namespace LedgerCore.Tests.Engine;

/// <summary>ReadCommittedAsync: every committed batch once, in order, from the journal and then live; the same across restarts.</summary>
public class ChangeFeedTests
{
    private static string Describe(CommittedBatch b) =>
        $"{b.Sequence}/{b.Timestamp}/{b.FencingToken}/{b.Operation}/" +
        string.Join(",", b.Operation == LedgerOperation.CreateAccounts ? b.Accounts.ToArray().Select(a => a.Id) : b.Transfers.ToArray().Select(t => t.Id));

    [Test]
    public async Task A_live_subscriber_from_zero_sees_every_committed_batch_once_in_order()
    {
        using var dir = new TempDirectory();
        await using LedgerEngine engine = await LedgerEngine.OpenAsync(Ledgers.Options(dir.Path, o => o.MaxBatchSize = 32)).Within();

        const int callers = 4, batches = 20, size = 10;
        const int expectedEvents = 4 + (callers * batches * size);
        using var cts = new CancellationTokenSource(Ledgers.Timeout);
        var seen = new List<CommittedBatch>();
        Task subscriber = Task.Run(async () =>
        {
            int events = 0;
            await foreach (CommittedBatch batch in engine.ReadCommittedAsync(0, cts.Token))
            {
                seen.Add(batch);
                events += batch.Accounts.Length + batch.Transfers.Length;
                if (events >= expectedEvents) break;
            }
        });

        Assert.That(await engine.CreateAccountsAsync(Ledgers.Accounts(4)).Within(), Is.Empty);
        await Task.WhenAll(Enumerable.Range(0, callers).Select(c => Task.Run(async () =>
        {
            for (int b = 0; b < batches; b++)
            {
                Assert.That(await engine.CreateTransfersAsync(Ledgers.Transfers(1 + (ulong)(((c * batches) + b) * size), size)), Is.Empty);
            }
        }))).Within();
        await subscriber.Within();

        Assert.That(seen.Select(b => b.Sequence), Is.EqualTo(Enumerable.Range(1, seen.Count).Select(i => (long)i)));
        Assert.That(seen[^1].Sequence, Is.EqualTo(engine.CommittedSequence));
        UInt128[] transferIds = seen.SelectMany(b => b.Transfers.ToArray()).Select(t => t.Id).Order().ToArray();
        Assert.That(transferIds, Is.EqualTo(Enumerable.Range(1, callers * batches * size).Select(i => (UInt128)(ulong)i)), "every transfer exactly once");
        Assert.That(seen.Zip(seen.Skip(1)).All(p => p.Second.Timestamp > p.First.Timestamp), Is.True, "timestamps advance");
        Assert.That(Ledgers.Reference(seen).ComputeDigest(), Is.EqualTo(await engine.ComputeDigestAsync().Within()));
    }

    [Test]
    public async Task After_a_restart_the_feed_from_zero_and_from_a_middle_sequence_is_the_same()
    {
        using var dir = new TempDirectory();
        List<string> before;
        await using (LedgerEngine engine = await LedgerEngine.OpenAsync(Ledgers.Options(dir.Path)).Within())
        {
            Assert.That(await engine.CreateAccountsAsync(Ledgers.Accounts(4)).Within(), Is.Empty);
            for (ulong b = 0; b < 12; b++) Assert.That(await engine.CreateTransfersAsync(Ledgers.Transfers(1 + (b * 5), 5)).Within(), Is.Empty);
            before = (await Ledgers.ReadFeedAsync(engine)).Select(Describe).ToList();
        }

        Assert.That(before, Has.Count.EqualTo(13));
        await using LedgerEngine reopened = await LedgerEngine.OpenAsync(Ledgers.Options(dir.Path)).Within();
        Assert.That((await Ledgers.ReadFeedAsync(reopened, 0)).Select(Describe), Is.EqualTo(before));
        Assert.That((await Ledgers.ReadFeedAsync(reopened, 7)).Select(Describe), Is.EqualTo(before.Skip(6)));
        Assert.That((await Ledgers.ReadFeedAsync(reopened, 13)).Select(Describe), Is.EqualTo(before.Skip(12)));

        // And it goes on live past the restart.
        using var cts = new CancellationTokenSource(Ledgers.Timeout);
        await using IAsyncEnumerator<CommittedBatch> live = reopened.ReadCommittedAsync(14, cts.Token).GetAsyncEnumerator(cts.Token);
        ValueTask<bool> next = live.MoveNextAsync();
        Assert.That(await reopened.CreateTransfersAsync(Ledgers.Transfers(1_000, 3)).Within(), Is.Empty);
        Assert.That(await next.AsTask().Within(), Is.True);
        Assert.That(live.Current.Sequence, Is.EqualTo(14));
        Assert.That(live.Current.FencingToken, Is.EqualTo(reopened.Epoch));
    }

    [Test]
    public async Task A_subscriber_past_the_end_waits_for_the_batch_to_commit()
    {
        using var dir = new TempDirectory();
        await using LedgerEngine engine = await LedgerEngine.OpenAsync(Ledgers.Options(dir.Path)).Within();
        using var cts = new CancellationTokenSource(Ledgers.Timeout);
        await using IAsyncEnumerator<CommittedBatch> feed = engine.ReadCommittedAsync(3, cts.Token).GetAsyncEnumerator(cts.Token);
        Task<bool> next = feed.MoveNextAsync().AsTask();

        Assert.That(await engine.CreateAccountsAsync(Ledgers.Accounts(2)).Within(), Is.Empty);
        Assert.That(await engine.CreateTransfersAsync(new[] { Ledgers.Transfer(1, 1, 2) }).Within(), Is.Empty);
        await Task.Delay(50);
        Assert.That(next.IsCompleted, Is.False, "sequence 3 is not committed yet");

        Assert.That(await engine.CreateTransfersAsync(new[] { Ledgers.Transfer(2, 2, 1) }).Within(), Is.Empty);
        Assert.That(await next.Within(), Is.True);
        Assert.That(feed.Current.Sequence, Is.EqualTo(3));
        Assert.That(feed.Current.Transfers.Span[0].Id, Is.EqualTo((UInt128)2));
    }

    [Test]
    public async Task Cancellation_ends_a_waiting_enumeration()
    {
        using var dir = new TempDirectory();
        await using LedgerEngine engine = await LedgerEngine.OpenAsync(Ledgers.Options(dir.Path)).Within();
        Assert.That(await engine.CreateAccountsAsync(Ledgers.Accounts(2)).Within(), Is.Empty);

        using var cts = new CancellationTokenSource();
        var seen = new List<long>();
        Task reading = Task.Run(async () =>
        {
            await foreach (CommittedBatch batch in engine.ReadCommittedAsync(0, cts.Token)) seen.Add(batch.Sequence);
        });
        await Task.Delay(100);
        Assert.That(reading.IsCompleted, Is.False);
        await cts.CancelAsync();

        await Assert.CatchAsync<OperationCanceledException>(() => reading.Within());
        Assert.That(seen, Is.EqualTo(new long[] { 1 }));
    }

    [Test]
    public async Task Disposing_the_engine_ends_a_waiting_enumeration()
    {
        using var dir = new TempDirectory();
        LedgerEngine engine = await LedgerEngine.OpenAsync(Ledgers.Options(dir.Path)).Within();
        Assert.That(await engine.CreateAccountsAsync(Ledgers.Accounts(2)).Within(), Is.Empty);
        var seen = new List<long>();
        Task reading = Task.Run(async () =>
        {
            await foreach (CommittedBatch batch in engine.ReadCommittedAsync(0)) seen.Add(batch.Sequence);
        });
        await Task.Delay(100);

        await engine.DisposeAsync().Within();
        await reading.Within();
        Assert.That(seen, Is.EqualTo(new long[] { 1 }));
    }

    [Test]
    public async Task A_negative_sequence_is_rejected()
    {
        using var dir = new TempDirectory();
        await using LedgerEngine engine = await LedgerEngine.OpenAsync(Ledgers.Options(dir.Path)).Within();
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () =>
        {
            await foreach (CommittedBatch _ in engine.ReadCommittedAsync(-1)) { }
        });
    }
}
