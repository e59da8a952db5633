using NUnit.Framework;
using static LedgerCore.Tests.StateMachine.TestLedger;
using static LedgerCore.Tests.StateMachine.TwoPhaseRecipeTests;

namespace LedgerCore.Tests.StateMachine;

/// <summary>
/// Multi-debit, multi-credit transfers (reference: recipes/multi-debit-credit-transfers.md): linked
/// transfers through a control account that ends balanced, all or nothing.
/// </summary>
public class MultiDebitCreditRecipeTests
{
    private static readonly UInt128 A = 1, B = 2, X = 3, Y = 4, Z = 5, Control = 6, Setup = 7, Limit = 8, Funding = 10;

    [Test]
    public void Many_to_many_through_a_control_account()
    {
        var ledger = Ledger();
        var results = ledger.CreateTransfers(
            Xfer(20, A, Control, 10_000, TransferFlags.Linked),
            Xfer(21, B, Control, 50, TransferFlags.Linked),
            Xfer(22, Control, X, 9_000, TransferFlags.Linked),
            Xfer(23, Control, Y, 1_000, TransferFlags.Linked),
            Xfer(24, Control, Z, 50));
        Assert.That(results, Is.Empty);

        AssertBalances(ledger.Account(Control), debitsPending: 0, debitsPosted: 10_050, creditsPending: 0, creditsPosted: 10_050);
        Assert.That(ledger.Machine.LookupAccounts([X, Y, Z]).Select(a => a.CreditsPosted),
            Is.EqualTo(new UInt128[] { 9_000, 1_000, 50 }));
        Assert.That(ledger.Machine.LookupAccounts([A, B]).Select(a => a.DebitsPosted), Is.EqualTo(new UInt128[] { 10_000, 50 }));
    }

    [Test]
    public void Many_to_many_fails_as_a_whole_when_one_leg_fails()
    {
        var ledger = Ledger();
        var results = ledger.CreateTransfers(
            Xfer(20, A, Control, 10_000, TransferFlags.Linked),
            Xfer(21, B, Control, 50, TransferFlags.Linked),
            Xfer(22, Control, X, 9_000, TransferFlags.Linked),
            Xfer(23, Control, Y, 1_000, TransferFlags.Linked),
            Xfer(24, Control, 99, 50));
        Assert.That(results.Select(r => r.Result), Is.EqualTo(new[]
        {
            CreateTransferResult.LinkedEventFailed, CreateTransferResult.LinkedEventFailed,
            CreateTransferResult.LinkedEventFailed, CreateTransferResult.LinkedEventFailed,
            CreateTransferResult.CreditAccountNotFound,
        }));
        AssertBalances(ledger.Account(Control), debitsPending: 0, debitsPosted: 0, creditsPending: 0, creditsPosted: 0);
        Assert.That(ledger.Account(A).DebitsPosted, Is.EqualTo(UInt128.Zero));
    }

    [TestCase(40u, 30u, 50u, true)]
    [TestCase(40u, 30u, 20u, false)]
    public void Multiple_debits_single_credit_with_balancing_debits(uint a, uint b, uint c, bool enough)
    {
        // Each source contributes as much as it can, in order, up to 100; not enough in total fails all.
        var ledger = Ledger();
        ledger.MustCreateTransfers(Xfer(30, Funding, Limited(0), a), Xfer(31, Funding, Limited(1), b), Xfer(32, Funding, Limited(2), c));
        const TransferFlags Balancing = TransferFlags.Linked | TransferFlags.BalancingDebit | TransferFlags.BalancingCredit;

        var results = ledger.CreateTransfers(
            Xfer(1, Setup, Limit, 100, TransferFlags.Linked),
            Xfer(2, Limited(0), Setup, 100, Balancing),
            Xfer(3, Limited(1), Setup, 100, Balancing),
            Xfer(4, Limited(2), Setup, 100, Balancing),
            Xfer(5, Setup, X, 100, TransferFlags.Linked),
            Xfer(6, Limit, Setup, UInt128.MaxValue, TransferFlags.BalancingCredit));

        if (enough)
        {
            Assert.That(results, Is.Empty);
            Assert.That(ledger.Machine.LookupTransfers([2, 3, 4]).Select(t => t.Amount), Is.EqualTo(new UInt128[] { 40, 30, 30 }));
            Assert.That(ledger.Account(X).CreditsPosted, Is.EqualTo((UInt128)100));
            var setup = ledger.Account(Setup);
            Assert.That(setup.DebitsPosted, Is.EqualTo(setup.CreditsPosted));
        }
        else
        {
            Assert.That(results[^1], Is.EqualTo(new CreateTransfersResult(5, CreateTransferResult.ExceedsCredits)));
            Assert.That(results.Take(5).Select(r => r.Result), Is.All.EqualTo(CreateTransferResult.LinkedEventFailed));
            Assert.That(ledger.Account(X).CreditsPosted, Is.EqualTo(UInt128.Zero));
        }
    }

    private static UInt128 Limited(int i) => (UInt128)(100 + i);

    private static TestLedger Ledger()
    {
        var ledger = new TestLedger();
        ledger.MustCreateAccounts(
            Acct(A), Acct(B), Acct(X), Acct(Y), Acct(Z), Acct(Control), Acct(Setup), Acct(Funding),
            Acct(Limit, AccountFlags.DebitsMustNotExceedCredits),
            Acct(Limited(0), AccountFlags.DebitsMustNotExceedCredits),
            Acct(Limited(1), AccountFlags.DebitsMustNotExceedCredits),
            Acct(Limited(2), AccountFlags.DebitsMustNotExceedCredits));
        return ledger;
    }
}
