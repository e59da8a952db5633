using LedgerCore.Tests.Faults;
using NUnit.Framework;

namespace LedgerCore.Tests.Engine;

/// <summary>
/// Batches that used to throw inside the processor (checked UInt128 → ulong conversions under
/// CheckForOverflowUnderflow), which stranded every caller and made the journaled record poison
/// recovery: ids of more than 64 bits, and the expiry of a pending transfer.
/// </summary>
public class ProcessorFailureTests
{
    private static readonly UInt128 High = (UInt128)1 << 64;

    [Test]
    public async Task Ids_wider_than_64_bits_are_written_read_and_recovered()
    {
        using var dir = new TempDirectory();
        var storage = new FaultyStorage();
        Account[] accounts = { new() { Id = High + 1, Ledger = 1, Code = 1 }, new() { Id = UInt128.MaxValue - 1, Ledger = 1, Code = 1 } };
        Transfer[] transfers = { Ledgers.Transfer(High + 7, High + 1, UInt128.MaxValue - 1, 5), Ledgers.Transfer(new UInt128(ulong.MaxValue, 3), UInt128.MaxValue - 1, High + 1, 2) };
        UInt128 digest;
        await using (LedgerEngine engine = Ledgers.Open(dir.Path, storage))
        {
            Assert.That(await engine.CreateAccountsAsync(accounts).WaitAsync(TimeSpan.FromSeconds(10)), Is.Empty);
            Assert.That(await engine.CreateTransfersAsync(transfers).WaitAsync(TimeSpan.FromSeconds(10)), Is.Empty);
            Assert.That(await engine.LookupTransfersAsync(transfers.Select(t => t.Id).ToArray()).WaitAsync(TimeSpan.FromSeconds(10)), Has.Length.EqualTo(2));
            digest = await engine.ComputeDigestAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }

        await using LedgerEngine reopened = Ledgers.Open(dir.Path, storage.Crash());
        Assert.That(await reopened.ComputeDigestAsync().Within(), Is.EqualTo(digest));
        Account[] found = await reopened.LookupAccountsAsync(accounts.Select(a => a.Id).ToArray()).Within();
        Assert.That(found.Select(a => (a.Id, a.DebitsPosted, a.CreditsPosted)), Is.EqualTo(new[] { (High + 1, (UInt128)5, (UInt128)2), (UInt128.MaxValue - 1, (UInt128)2, (UInt128)5) }));
    }

    [Test]
    public async Task A_pending_transfer_expires_in_the_engine_and_the_same_after_a_restart()
    {
        using var dir = new TempDirectory();
        var storage = new FaultyStorage();
        var clock = new ManualClock(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        UInt128 digest;
        await using (LedgerEngine engine = LedgerEngine.Open(Ledgers.Options(dir.Path), storage, clock, CancellationToken.None))
        {
            Assert.That(await engine.CreateAccountsAsync(Ledgers.Accounts(2)).Within(), Is.Empty);
            Transfer pending = Ledgers.Transfer(1, 1, 2, 50);
            pending.Flags = TransferFlags.Pending;
            pending.Timeout = 1;
            Assert.That(await engine.CreateTransfersAsync(new[] { pending }).Within(), Is.Empty);
            Assert.That((await engine.LookupAccountsAsync(new UInt128[] { 1 }).Within())[0].DebitsPending, Is.EqualTo((UInt128)50));

            clock.Advance(TimeSpan.FromSeconds(2));
            Assert.That(await engine.CreateTransfersAsync(new[] { Ledgers.Transfer(2, 2, 1, 1) }).WaitAsync(TimeSpan.FromSeconds(10)), Is.Empty);
            Account[] after = await engine.LookupAccountsAsync(new UInt128[] { 1, 2 }).WaitAsync(TimeSpan.FromSeconds(10));
            Assert.That((after[0].DebitsPending, after[1].CreditsPending), Is.EqualTo(((UInt128)0, (UInt128)0)), "the pending amount was released");
            digest = await engine.ComputeDigestAsync().Within();
        }

        await using LedgerEngine reopened = Ledgers.Open(dir.Path, storage.Crash());
        Assert.That(await reopened.ComputeDigestAsync().Within(), Is.EqualTo(digest), "replay expires it the same way");
    }
}
