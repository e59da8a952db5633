using FsCheck;
using FsCheck.Fluent;
using NUnit.Framework;

namespace LedgerCore.Tests.Docs;

/// <summary>The README's "writing your own replay property" example, verbatim, so it keeps compiling and passing.</summary>
public class ReadmeReplayPropertyTests
{
    [Test]
    public void Replay_gives_same_results_and_digest() =>
        Prop.ForAll(Gen.Choose(1, int.MaxValue).ToArbitrary(), seed =>
        {
            var a = new LedgerStateMachine();
            var b = new LedgerStateMachine();
            Account[] accounts = [.. Enumerable.Range(1, 10).Select(i => new Account { Id = (UInt128)i, Ledger = 1, Code = 1 })];
            Assert.That(a.CreateAccounts(accounts, 1000), Is.EqualTo(b.CreateAccounts(accounts, 1000)));
            foreach ((Transfer[] events, ulong timestamp) in MyWorkload(seed))
            {
                CreateTransfersResult[] ra = a.CreateTransfers(events, timestamp);
                CreateTransfersResult[] rb = b.CreateTransfers(events, timestamp);
                Assert.That(rb, Is.EqualTo(ra));
            }

            Assert.That(b.ComputeDigest(), Is.EqualTo(a.ComputeDigest()));
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(200));

    // Your own events: here random transfers between the ten accounts, some invalid (same account on
    // both sides, zero amounts are fine), ids colliding so some answer Exists, timestamps advancing.
    private static IEnumerable<(Transfer[] Events, ulong Timestamp)> MyWorkload(int seed)
    {
        var random = new Random(seed);
        ulong timestamp = 1_000_000;
        for (int b = 0; b < 5; b++)
        {
            var events = new Transfer[random.Next(1, 50)];
            for (int i = 0; i < events.Length; i++)
            {
                events[i] = new Transfer
                {
                    Id = (UInt128)random.Next(1, 200),
                    DebitAccountId = (UInt128)random.Next(1, 11),
                    CreditAccountId = (UInt128)random.Next(1, 11),
                    Amount = (UInt128)random.Next(0, 100),
                    Ledger = 1,
                    Code = 1,
                };
            }

            timestamp += 1_000_000;
            yield return (events, timestamp);
        }
    }
}
