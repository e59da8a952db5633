using NUnit.Framework;
using static LedgerCore.Tests.StateMachine.TestLedger;
using static LedgerCore.Tests.StateMachine.TwoPhaseRecipeTests;

namespace LedgerCore.Tests.StateMachine;

/// <summary>
/// Timeouts: a pending transfer with <see cref="Transfer.Timeout"/> seconds expires when a batch is
/// applied whose slots leave room for the expiry's own stamp at or after the deadline (creation
/// timestamp + timeout) and before the batch's first event: the expiry comes before the batch's events.
/// </summary>
public class ExpiryRecipeTests
{
    [Test]
    public void Later_batch_past_the_deadline_releases_the_reservation()
    {
        var ledger = WithAccounts();
        ledger.MustCreateTransfers(Xfer(20, 1, 2, 100, TransferFlags.Pending) with { Timeout = 2 });
        ulong created = ledger.Transfer(20).Timestamp;

        // Any batch (accounts too) moves time; one just before the deadline changes nothing.
        ledger.Machine.CreateAccounts([Acct(9)], created + (2 * Second) - 1);
        AssertBalances(ledger.Account(1), debitsPending: 100, debitsPosted: 0, creditsPending: 0, creditsPosted: 0);

        // A batch of one at the deadline has its only slot there, none for the expiry before it; the next
        // nanosecond does.
        ledger.Machine.CreateAccounts([Acct(10)], created + (2 * Second));
        AssertBalances(ledger.Account(1), debitsPending: 100, debitsPosted: 0, creditsPending: 0, creditsPosted: 0);
        ledger.Machine.CreateAccounts([Acct(11)], created + (2 * Second) + 2);
        AssertBalances(ledger.Account(1), debitsPending: 0, debitsPosted: 0, creditsPending: 0, creditsPosted: 0);
        AssertBalances(ledger.Account(2), debitsPending: 0, debitsPosted: 0, creditsPending: 0, creditsPosted: 0);

        Assert.That(ledger.Machine.CreateTransfers([Post(30, 20, 100)], created + (3 * Second)),
            Is.EqualTo(new[] { new CreateTransfersResult(0, CreateTransferResult.PendingTransferExpired) }));
    }

    [Test]
    public void Empty_batch_moves_time_too()
    {
        var ledger = WithAccounts();
        ledger.MustCreateTransfers(Xfer(20, 1, 2, 100, TransferFlags.Pending) with { Timeout = 1 });
        ledger.Advance(Second);
        Assert.That(ledger.CreateTransfers(), Is.Empty);
        Assert.That(ledger.Account(1).DebitsPending, Is.EqualTo(UInt128.Zero));
    }

    [Test]
    public void Post_before_the_deadline_succeeds_and_nothing_expires_later()
    {
        var ledger = WithAccounts();
        ledger.MustCreateTransfers(Xfer(20, 1, 2, 100, TransferFlags.Pending) with { Timeout = 1 });
        Assert.That(ledger.Create(Post(30, 20, 100)), Is.EqualTo(CreateTransferResult.Ok));
        ledger.Advance(10 * Second);
        ledger.MustCreateTransfers(Xfer(40, 1, 2, 1));
        AssertBalances(ledger.Account(1), debitsPending: 0, debitsPosted: 101, creditsPending: 0, creditsPosted: 0);
    }

    [Test]
    public void Transfers_without_timeout_never_expire()
    {
        var ledger = WithAccounts();
        ledger.MustCreateTransfers(Xfer(20, 1, 2, 100, TransferFlags.Pending));
        ledger.Advance(1_000_000 * Second);
        Assert.That(ledger.Create(Post(30, 20, 100)), Is.EqualTo(CreateTransferResult.Ok));
    }

    [Test]
    public void Expiry_reopens_an_account_closed_by_the_expired_transfer()
    {
        var ledger = WithAccounts();
        ledger.MustCreateTransfers(Xfer(20, 1, 2, 0, TransferFlags.Pending | TransferFlags.ClosingDebit) with { Timeout = 1 });
        Assert.That(ledger.Account(1).Flags, Is.EqualTo(AccountFlags.Closed));
        ledger.Advance(Second);
        Assert.That(ledger.Create(Xfer(30)), Is.EqualTo(CreateTransferResult.Ok));
        Assert.That(ledger.Account(1).Flags, Is.EqualTo(AccountFlags.None));
    }

    [Test]
    public void Stale_expiry_entry_of_a_rolled_back_transfer_does_not_expire_a_later_transfer_in_its_slot()
    {
        var ledger = WithAccounts();

        // A pending transfer with a timeout, rolled back with its chain: its expiry entry stays queued.
        var results = ledger.CreateTransfers(
            Xfer(20, 1, 2, 100, TransferFlags.Pending | TransferFlags.Linked) with { Timeout = 1 },
            Xfer(21) with { Code = 0 });
        Assert.That(results, Has.Length.EqualTo(2));
        ulong rolledBack = ledger.Now - 1; // event 0 of 2 was stamped Now - 2 + 0 + 1

        // An imported pending transfer (no timeout) lands in the freed slot with the same timestamp.
        var imported = Xfer(22, 1, 2, 50, TransferFlags.Pending | TransferFlags.Imported) with { Timestamp = rolledBack };
        Assert.That(ledger.Create(imported), Is.EqualTo(CreateTransferResult.Ok));

        // Past the rolled-back transfer's deadline: the imported one has no timeout and must stay pending.
        ledger.Advance(2 * Second);
        ledger.MustCreateTransfers(Xfer(23, 1, 2, 1));
        Assert.That(ledger.Account(1).DebitsPending, Is.EqualTo((UInt128)50));
        Assert.That(ledger.Create(Post(30, 22, 50)), Is.EqualTo(CreateTransferResult.Ok));
    }

    [Test]
    public void Several_expire_in_one_batch_and_replay_gives_the_same_digest()
    {
        static UInt128 Run()
        {
            var ledger = WithAccounts();
            ledger.MustCreateTransfers(
                Xfer(20, 1, 2, 5, TransferFlags.Pending) with { Timeout = 2 },
                Xfer(21, 1, 2, 7, TransferFlags.Pending) with { Timeout = 1 },
                Xfer(22, 1, 2, 9, TransferFlags.Pending) with { Timeout = 3 });
            ledger.Advance(2 * Second);
            ledger.MustCreateTransfers(Post(30, 22, 9));
            AssertBalances(ledger.Account(1), debitsPending: 0, debitsPosted: 9, creditsPending: 0, creditsPosted: 0);
            Assert.That(ledger.Create(Post(31, 20, 5)), Is.EqualTo(CreateTransferResult.PendingTransferExpired));
            Assert.That(ledger.Create(Void(32, 21)), Is.EqualTo(CreateTransferResult.PendingTransferExpired));
            return ledger.Machine.ComputeDigest();
        }

        UInt128 first = Run();
        Assert.That(Run(), Is.EqualTo(first));
    }
}
