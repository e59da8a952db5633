using LedgerCore.Tests.Faults;
using NUnit.Framework;

namespace LedgerCore.Tests.Engine;

/// <summary>
/// Change events through the engine: GetChangeEventsAsync, the live ReadChangeEventsAsync feed (expiries
/// included), and the same events after a restart from the journal alone or from a snapshot.
/// </summary>
public class ChangeEventFeedTests
{
    private static Transfer Pending(UInt128 id, uint timeout)
    {
        Transfer t = Ledgers.Transfer(id, 1, 2, 50);
        t.Flags = TransferFlags.Pending;
        t.Timeout = timeout;
        return t;
    }

    private static async Task<List<ChangeEvent>> AllAsync(LedgerEngine engine) =>
        [.. await engine.GetChangeEventsAsync(new ChangeEventsFilter(0, 0, LedgerStateMachine.ChangeEventsMax)).Within()];

    [TestCase(0L, TestName = "Restart from the journal alone")]
    [TestCase(1L, TestName = "Restart from a snapshot")]
    public async Task The_feed_delivers_outcomes_live_and_a_restart_gives_the_same_events(long snapshotInterval)
    {
        using var dir = new TempDirectory();
        var storage = new FaultyStorage();
        var clock = new ManualClock(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        List<ChangeEvent> before;
        await using (LedgerEngine engine = LedgerEngine.Open(Ledgers.Options(dir.Path, o => o.SnapshotIntervalEvents = snapshotInterval), storage, clock, CancellationToken.None))
        {
            using var cts = new CancellationTokenSource(Ledgers.Timeout);
            var seen = new List<ChangeEvent>();
            Task subscriber = Task.Run(async () =>
            {
                await foreach (ChangeEvent e in engine.ReadChangeEventsAsync(0, cts.Token))
                {
                    seen.Add(e);
                    if (seen.Count == 4) break;
                }
            });

            Assert.That(await engine.CreateAccountsAsync(Ledgers.Accounts(2)).Within(), Is.Empty);
            Assert.That(await engine.CreateTransfersAsync(new[] { Pending(1, 1), Pending(2, 0) }).Within(), Is.Empty);
            clock.Advance(TimeSpan.FromSeconds(2));
            Assert.That(await engine.CreateTransfersAsync(new[] { Ledgers.Transfer(3, 1, 2, 5) }).Within(), Is.Empty);
            await subscriber.Within();

            Assert.That(seen.Select(e => (e.Type, e.Transfer.Id)), Is.EqualTo(new[]
            {
                (ChangeEventType.TwoPhasePending, (UInt128)1),
                (ChangeEventType.TwoPhasePending, (UInt128)2),
                (ChangeEventType.TwoPhaseExpired, (UInt128)1),
                (ChangeEventType.SinglePhase, (UInt128)3),
            }));
            Assert.That(seen[3].DebitAccount, Is.EqualTo((await engine.LookupAccountsAsync(new UInt128[] { 1 }).Within()).Single()), "balances as they now stand");
            before = await AllAsync(engine);
            Assert.That(before, Is.EqualTo(seen));
        }

        await using (LedgerEngine engine = LedgerEngine.Open(Ledgers.Options(dir.Path, o => o.SnapshotIntervalEvents = snapshotInterval), storage, clock, CancellationToken.None))
        {
            Assert.That(engine.Recovery.SnapshotSequence, snapshotInterval == 0 ? Is.EqualTo(0) : Is.GreaterThan(0));
            Assert.That(await AllAsync(engine), Is.EqualTo(before));

            // A subscriber resuming past the last event it saw gets only what is new.
            using var cts = new CancellationTokenSource(Ledgers.Timeout);
            Task<ChangeEvent> next = Task.Run(async () =>
            {
                await foreach (ChangeEvent e in engine.ReadChangeEventsAsync(before[^1].Timestamp + 1, cts.Token)) return e;
                throw new InvalidOperationException("the feed ended");
            });
            Assert.That(await engine.CreateTransfersAsync(new[] { Ledgers.Transfer(4, 2, 1, 7) }).Within(), Is.Empty);
            Assert.That((await next.Within()).Transfer.Id, Is.EqualTo((UInt128)4));
        }
    }

    [Test]
    public async Task The_feed_ends_when_the_engine_is_disposed()
    {
        using var dir = new TempDirectory();
        LedgerEngine engine = await LedgerEngine.OpenAsync(Ledgers.Options(dir.Path)).Within();
        using var cts = new CancellationTokenSource(Ledgers.Timeout);
        var first = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Task<int> reader = Task.Run(async () =>
        {
            int count = 0;
            await foreach (ChangeEvent e in engine.ReadChangeEventsAsync(0, cts.Token))
            {
                count++;
                first.TrySetResult();
            }

            return count;
        });
        Assert.That(await engine.CreateAccountsAsync(Ledgers.Accounts(2)).Within(), Is.Empty);
        Assert.That(await engine.CreateTransfersAsync(new[] { Ledgers.Transfer(1, 1, 2, 5) }).Within(), Is.Empty);
        await first.Task.Within();
        await engine.DisposeAsync().Within();
        Assert.That(await reader.Within(), Is.EqualTo(1), "the feed ended without cancellation");
    }
}
