using NUnit.Framework;
using static LedgerCore.Tests.StateMachine.TestLedger;
using static LedgerCore.Tests.StateMachine.TwoPhaseRecipeTests;

namespace LedgerCore.Tests.StateMachine;

/// <summary>
/// Balancing transfers (reference: transfer.md flags.balancing_debit/credit, recipes balance-bounds and
/// balance-conditional-transfers): the amount is a maximum, clamped to what keeps the account within
/// its balance; the stored transfer records the clamped amount.
/// </summary>
public class BalancingRecipeTests
{
    private const AccountFlags DebitsLimited = AccountFlags.DebitsMustNotExceedCredits;
    private const AccountFlags CreditsLimited = AccountFlags.CreditsMustNotExceedDebits;

    [Test]
    public void Balancing_debit_moves_at_most_the_available_credit_balance()
    {
        var ledger = WithAccounts();
        ledger.MustCreateAccounts(Acct(5, DebitsLimited));
        ledger.MustCreateTransfers(Xfer(10, 1, 5, 30), Xfer(11, 5, 1, 5));

        Assert.That(ledger.Create(Xfer(12, 5, 2, 100, TransferFlags.BalancingDebit)), Is.EqualTo(CreateTransferResult.Ok));

        Assert.That(ledger.Transfer(12).Amount, Is.EqualTo((UInt128)25), "stored transfer records the clamped amount");
        AssertBalances(ledger.Account(5), debitsPending: 0, debitsPosted: 30, creditsPending: 0, creditsPosted: 30);
        Assert.That(ledger.Account(2).CreditsPosted, Is.EqualTo((UInt128)25));
    }

    [Test]
    public void Balancing_debit_below_the_available_balance_moves_the_full_amount()
    {
        var ledger = WithAccounts();
        ledger.MustCreateAccounts(Acct(5, DebitsLimited));
        ledger.MustCreateTransfers(Xfer(10, 1, 5, 30));
        ledger.MustCreateTransfers(Xfer(12, 5, 2, 20, TransferFlags.BalancingDebit));
        Assert.That(ledger.Transfer(12).Amount, Is.EqualTo((UInt128)20));
    }

    [Test]
    public void Balancing_credit_moves_at_most_the_available_debit_balance()
    {
        var ledger = WithAccounts();
        ledger.MustCreateAccounts(Acct(5, CreditsLimited));
        ledger.MustCreateTransfers(Xfer(10, 5, 1, 40));

        Assert.That(ledger.Create(Xfer(12, 2, 5, UInt128.MaxValue, TransferFlags.BalancingCredit)), Is.EqualTo(CreateTransferResult.Ok));

        Assert.That(ledger.Transfer(12).Amount, Is.EqualTo((UInt128)40));
        AssertBalances(ledger.Account(5), debitsPending: 0, debitsPosted: 40, creditsPending: 0, creditsPosted: 40);
    }

    [Test]
    public void Balancing_counts_pending_debits_as_used()
    {
        var ledger = WithAccounts();
        ledger.MustCreateAccounts(Acct(5, DebitsLimited));
        ledger.MustCreateTransfers(Xfer(10, 1, 5, 30), Xfer(11, 5, 1, 12, TransferFlags.Pending));
        ledger.MustCreateTransfers(Xfer(12, 5, 2, 100, TransferFlags.BalancingDebit | TransferFlags.Pending));
        Assert.That(ledger.Transfer(12).Amount, Is.EqualTo((UInt128)18));
        AssertBalances(ledger.Account(5), debitsPending: 30, debitsPosted: 0, creditsPending: 0, creditsPosted: 30);
    }

    [Test]
    public void Balancing_with_nothing_available_succeeds_with_amount_zero()
    {
        var ledger = WithAccounts();
        ledger.MustCreateAccounts(Acct(5, DebitsLimited));
        Assert.That(ledger.Create(Xfer(12, 5, 2, 100, TransferFlags.BalancingDebit)), Is.EqualTo(CreateTransferResult.Ok));
        Assert.That(ledger.Transfer(12).Amount, Is.EqualTo(UInt128.Zero));
        Assert.That(ledger.Account(5).DebitsPosted, Is.EqualTo(UInt128.Zero));
    }

    [Test]
    public void Balancing_on_an_unlimited_account_clamps_to_its_net_credit_balance_too()
    {
        // The clamp uses the balances, not the limit flag: with no credits there is nothing to move.
        var ledger = WithAccounts();
        Assert.That(ledger.Create(Xfer(12, 1, 2, 100, TransferFlags.BalancingDebit)), Is.EqualTo(CreateTransferResult.Ok));
        Assert.That(ledger.Transfer(12).Amount, Is.EqualTo(UInt128.Zero));
    }

    [TestCase(30u, true)]
    [TestCase(31u, false)]
    public void Balance_conditional_transfer_runs_only_if_the_threshold_is_met(uint threshold, bool runs)
    {
        // Source 5 holds 30. Linked: reserve the threshold to the control account 6, void it, then transfer.
        var ledger = WithAccounts();
        ledger.MustCreateAccounts(Acct(5, DebitsLimited), Acct(6));
        ledger.MustCreateTransfers(Xfer(10, 1, 5, 30));

        var results = ledger.CreateTransfers(
            Xfer(20, 5, 6, threshold, TransferFlags.Pending | TransferFlags.Linked),
            Void(21, 20) with { Flags = TransferFlags.VoidPendingTransfer | TransferFlags.Linked },
            Xfer(22, 5, 2, 7));

        if (runs)
        {
            Assert.That(results, Is.Empty);
            AssertBalances(ledger.Account(5), debitsPending: 0, debitsPosted: 7, creditsPending: 0, creditsPosted: 30);
        }
        else
        {
            Assert.That(results, Is.EqualTo(new[]
            {
                new CreateTransfersResult(0, CreateTransferResult.ExceedsCredits),
                new CreateTransfersResult(1, CreateTransferResult.LinkedEventFailed),
                new CreateTransfersResult(2, CreateTransferResult.LinkedEventFailed),
            }));
            Assert.That(ledger.Machine.LookupTransfers([20, 21, 22]), Is.Empty);
            AssertBalances(ledger.Account(5), debitsPending: 0, debitsPosted: 0, creditsPending: 0, creditsPosted: 30);
        }
    }
}
