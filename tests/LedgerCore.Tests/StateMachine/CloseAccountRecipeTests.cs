using NUnit.Framework;
using static LedgerCore.Tests.StateMachine.TestLedger;
using static LedgerCore.Tests.StateMachine.TwoPhaseRecipeTests;
using R = LedgerCore.CreateTransferResult;

namespace LedgerCore.Tests.StateMachine;

/// <summary>
/// Closing and reopening accounts (reference: recipes/close-account.md, account.md flags.closed): a
/// pending transfer with ClosingDebit/ClosingCredit closes the account; voiding it reopens it. A closed
/// account refuses every movement except voiding a pending transfer.
/// </summary>
public class CloseAccountRecipeTests
{
    private static readonly UInt128 A = 11, B = 12, C = 13, World = 9;

    [Test]
    public void Closing_entries_zero_the_balances_and_close_the_accounts()
    {
        var ledger = RecipeLedger();

        var results = ledger.CreateTransfers(
            Xfer(1, A, C, UInt128.MaxValue, TransferFlags.BalancingDebit | TransferFlags.Linked),
            Xfer(2, A, C, 0, TransferFlags.ClosingDebit | TransferFlags.Pending),
            Xfer(3, C, B, UInt128.MaxValue, TransferFlags.BalancingCredit | TransferFlags.Linked),
            Xfer(4, C, B, 0, TransferFlags.ClosingCredit | TransferFlags.Pending));
        Assert.That(results, Is.Empty);

        Assert.That(ledger.Transfer(1).Amount, Is.EqualTo((UInt128)10));
        Assert.That(ledger.Transfer(3).Amount, Is.EqualTo((UInt128)25));
        AssertBalances(ledger.Account(A), debitsPending: 0, debitsPosted: 20, creditsPending: 0, creditsPosted: 20);
        AssertBalances(ledger.Account(B), debitsPending: 0, debitsPosted: 30, creditsPending: 0, creditsPosted: 30);
        Assert.That(ledger.Account(A).Flags, Is.EqualTo(AccountFlags.DebitsMustNotExceedCredits | AccountFlags.Closed));
        Assert.That(ledger.Account(B).Flags, Is.EqualTo(AccountFlags.CreditsMustNotExceedDebits | AccountFlags.Closed));
        Assert.That(ledger.Account(C).Flags, Is.EqualTo(AccountFlags.None));

        // Closed accounts refuse further transfers, on either side.
        Assert.That(ledger.Create(Xfer(5, World, A, 1)), Is.EqualTo(R.CreditAccountAlreadyClosed));
        Assert.That(ledger.Create(Xfer(6, B, World, 1)), Is.EqualTo(R.DebitAccountAlreadyClosed));

        // Voiding the closing transfers reopens them (the net balances stay as they are).
        Assert.That(ledger.CreateTransfers(Void(7, 2), Void(8, 4)), Is.Empty);
        Assert.That(ledger.Account(A).Flags, Is.EqualTo(AccountFlags.DebitsMustNotExceedCredits));
        Assert.That(ledger.Account(B).Flags, Is.EqualTo(AccountFlags.CreditsMustNotExceedDebits));
        AssertBalances(ledger.Account(A), debitsPending: 0, debitsPosted: 20, creditsPending: 0, creditsPosted: 20);
        Assert.That(ledger.Create(Xfer(15, World, A, 1)), Is.EqualTo(R.Ok));
    }

    [Test]
    public void Closing_credit_closes_the_credit_account()
    {
        var ledger = WithAccounts();
        ledger.MustCreateTransfers(Xfer(20, 1, 2, 0, TransferFlags.Pending | TransferFlags.ClosingCredit));
        Assert.That(ledger.Account(2).Flags, Is.EqualTo(AccountFlags.Closed));
        Assert.That(ledger.Account(1).Flags, Is.EqualTo(AccountFlags.None));
    }

    [Test]
    public void Posting_the_closing_transfer_is_refused_the_account_is_closed()
    {
        // Reference (post_or_void_pending_transfer): "the only movement allowed in a closed account is
        // voiding a pending transfer"; a post of the closing transfer itself is no exception.
        var ledger = WithAccounts();
        ledger.MustCreateTransfers(Xfer(20, 1, 2, 10, TransferFlags.Pending | TransferFlags.ClosingDebit));
        Assert.That(ledger.Create(Post(30, 20, 10)), Is.EqualTo(R.DebitAccountAlreadyClosed));
        AssertBalances(ledger.Account(1), debitsPending: 10, debitsPosted: 0, creditsPending: 0, creditsPosted: 0);

        var credit = WithAccounts();
        credit.MustCreateTransfers(Xfer(20, 1, 2, 10, TransferFlags.Pending | TransferFlags.ClosingCredit));
        Assert.That(credit.Create(Post(30, 20, 10)), Is.EqualTo(R.CreditAccountAlreadyClosed));
    }

    [Test]
    public void Pending_transfers_of_a_closed_account_can_still_be_voided_but_not_posted()
    {
        var ledger = WithAccounts();
        ledger.MustCreateTransfers(
            Xfer(20, 1, 2, 10, TransferFlags.Pending),
            Xfer(21, 1, 2, 20, TransferFlags.Pending),
            Xfer(22, 1, 2, 0, TransferFlags.Pending | TransferFlags.ClosingDebit));

        Assert.That(ledger.Create(Post(30, 20, 10)), Is.EqualTo(R.DebitAccountAlreadyClosed));
        Assert.That(ledger.Create(Void(31, 21)), Is.EqualTo(R.Ok));
        AssertBalances(ledger.Account(1), debitsPending: 10, debitsPosted: 0, creditsPending: 0, creditsPosted: 0);
        Assert.That(ledger.Account(1).Flags, Is.EqualTo(AccountFlags.Closed), "voiding another pending transfer does not reopen");
    }

    [Test]
    public void Closing_inside_a_failed_chain_leaves_the_account_open()
    {
        var ledger = WithAccounts();
        var results = ledger.CreateTransfers(
            Xfer(20, 1, 2, 0, TransferFlags.Pending | TransferFlags.ClosingDebit | TransferFlags.ClosingCredit | TransferFlags.Linked),
            Xfer(21, 1, 99, 1));
        Assert.That(results.Select(r => r.Result), Is.EqualTo(new[] { R.LinkedEventFailed, R.CreditAccountNotFound }));
        Assert.That(ledger.Machine.LookupAccounts([1, 2]).Select(a => a.Flags), Is.All.EqualTo(AccountFlags.None));
        Assert.That(ledger.Create(Xfer(22)), Is.EqualTo(R.Ok));
    }

    [Test]
    public void Account_created_closed_refuses_transfers()
    {
        var ledger = WithAccounts();
        ledger.MustCreateAccounts(Acct(5, AccountFlags.Closed));
        Assert.That(ledger.Create(Xfer(20, 5, 1, 0, TransferFlags.Pending)), Is.EqualTo(R.DebitAccountAlreadyClosed));
    }

    /// <summary>
    /// The recipe's starting point: A (debits must not exceed credits) with debits 10 / credits 20,
    /// B (credits must not exceed debits) with debits 30 / credits 5, control account C, and an outside account.
    /// </summary>
    private static TestLedger RecipeLedger()
    {
        var ledger = new TestLedger();
        ledger.MustCreateAccounts(
            Acct(A, AccountFlags.DebitsMustNotExceedCredits), Acct(B, AccountFlags.CreditsMustNotExceedDebits),
            Acct(C), Acct(World));
        ledger.MustCreateTransfers(Xfer(100, World, A, 20), Xfer(101, A, World, 10), Xfer(102, B, World, 30), Xfer(103, World, B, 5));
        return ledger;
    }
}
