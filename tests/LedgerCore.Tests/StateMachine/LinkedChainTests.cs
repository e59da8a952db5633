using NUnit.Framework;
using static LedgerCore.Tests.StateMachine.TestLedger;
using static LedgerCore.Tests.StateMachine.TwoPhaseRecipeTests;
using R = LedgerCore.CreateTransferResult;

namespace LedgerCore.Tests.StateMachine;

/// <summary>
/// Linked events (reference: docs/coding/linked-events.md): a chain runs up to and including the first
/// event without the Linked flag and succeeds or fails as a whole; a failure reports the cause at its
/// index and LinkedEventFailed for every other event of the chain; a chain still open at the end of the
/// batch fails with LinkedEventChainOpen. A failed chain leaves the state exactly as it was.
/// </summary>
public class LinkedChainTests
{
    [Test]
    public void Failed_chain_rolls_back_and_reports_every_member()
    {
        var ledger = WithAccounts();
        var untouched = WithAccounts();
        untouched.MustCreateTransfers(Xfer(40)); // same batch timestamp as below: event 4 of 5 gets Now + 1 ms

        var results = ledger.CreateTransfers(
            Xfer(10, TransferFlags.Linked),
            Xfer(11, TransferFlags.Linked | TransferFlags.Pending),
            Xfer(12, TransferFlags.Linked) with { Code = 0 },
            Xfer(13),
            Xfer(40));

        Assert.That(results, Is.EqualTo(new[]
        {
            new CreateTransfersResult(0, R.LinkedEventFailed),
            new CreateTransfersResult(1, R.LinkedEventFailed),
            new CreateTransfersResult(2, R.CodeMustNotBeZero),
            new CreateTransfersResult(3, R.LinkedEventFailed),
        }));
        Assert.That(ledger.Machine.ComputeDigest(), Is.EqualTo(untouched.Machine.ComputeDigest()));
        Assert.That(ledger.Machine.LookupTransfers([10, 11, 12, 13]), Is.Empty);
    }

    [Test]
    public void Chain_open_at_the_end_of_the_batch_fails_whole()
    {
        var ledger = WithAccounts();
        var before = ledger.Machine.ComputeDigest();

        var results = ledger.CreateTransfers(Xfer(10), Xfer(11, TransferFlags.Linked), Xfer(12, TransferFlags.Linked));

        Assert.That(results, Is.EqualTo(new[]
        {
            new CreateTransfersResult(1, R.LinkedEventFailed),
            new CreateTransfersResult(2, R.LinkedEventChainOpen),
        }));
        Assert.That(ledger.Machine.LookupTransfers([10, 11, 12]).Select(t => t.Id), Is.EqualTo(new UInt128[] { 10 }));
        Assert.That(ledger.Account(1).DebitsPosted, Is.EqualTo((UInt128)10));
        Assert.That(before, Is.Not.EqualTo(ledger.Machine.ComputeDigest())); // transfer 10 alone was applied
    }

    [Test]
    public void Last_event_of_an_open_chain_reports_chain_open_even_after_the_chain_broke()
    {
        // Reference order: "chain open" is decided before "linked event failed".
        var ledger = WithAccounts();
        var results = ledger.CreateTransfers(Xfer(10, TransferFlags.Linked) with { Code = 0 }, Xfer(11, TransferFlags.Linked), Xfer(12, TransferFlags.Linked));
        Assert.That(results, Is.EqualTo(new[]
        {
            new CreateTransfersResult(0, R.CodeMustNotBeZero),
            new CreateTransfersResult(1, R.LinkedEventFailed),
            new CreateTransfersResult(2, R.LinkedEventChainOpen),
        }));
    }

    [Test]
    public void Failed_chain_does_not_affect_the_next_chain()
    {
        var ledger = WithAccounts();
        var results = ledger.CreateTransfers(
            Xfer(10, TransferFlags.Linked), Xfer(11, 1, 99, 1),
            Xfer(12, TransferFlags.Linked), Xfer(13));
        Assert.That(results, Is.EqualTo(new[]
        {
            new CreateTransfersResult(0, R.LinkedEventFailed),
            new CreateTransfersResult(1, R.CreditAccountNotFound),
        }));
        Assert.That(ledger.Machine.LookupTransfers([10, 11, 12, 13]).Select(t => t.Id), Is.EqualTo(new UInt128[] { 12, 13 }));
    }

    [Test]
    public void Rollback_restores_a_pending_transfer_resolved_inside_the_chain()
    {
        var ledger = WithAccounts();
        ledger.MustCreateAccounts(Acct(5, AccountFlags.History));
        ledger.MustCreateTransfers(Xfer(20, 1, 5, 100, TransferFlags.Pending));
        var before = ledger.Machine.ComputeDigest();

        var results = ledger.CreateTransfers(
            Post(30, 20, 60) with { Flags = TransferFlags.PostPendingTransfer | TransferFlags.Linked },
            Xfer(31, 5, 2, 10, TransferFlags.Linked),
            Xfer(32) with { Ledger = 0 });

        Assert.That(results.Select(r => r.Result), Is.EqualTo(new[] { R.LinkedEventFailed, R.LinkedEventFailed, R.LedgerMustNotBeZero }));
        Assert.That(ledger.Machine.ComputeDigest(), Is.EqualTo(before));
        AssertBalances(ledger.Account(5), debitsPending: 0, debitsPosted: 0, creditsPending: 100, creditsPosted: 0);
        Assert.That(ledger.Machine.GetAccountBalances(new AccountFilter { AccountId = 5, Limit = 10, Flags = AccountFilterFlags.Debits | AccountFilterFlags.Credits }),
            Has.Length.EqualTo(1), "history snapshots of the rolled-back transfers are gone");

        // The pending transfer is pending again: it can be posted.
        Assert.That(ledger.Create(Post(33, 20, 100)), Is.EqualTo(R.Ok));
    }

    [Test]
    public void Transient_failure_inside_a_chain_reserves_only_the_failing_id()
    {
        var ledger = WithAccounts();
        var results = ledger.CreateTransfers(Xfer(10, TransferFlags.Linked), Xfer(11, 99, 2, 1));
        Assert.That(results, Has.Length.EqualTo(2));
        Assert.That(ledger.Create(Xfer(10)), Is.EqualTo(R.Ok));
        Assert.That(ledger.Create(Xfer(11)), Is.EqualTo(R.IdAlreadyFailed));
    }

    [Test]
    public void Chain_may_create_an_account_and_fail_later_without_keeping_it()
    {
        var ledger = new TestLedger();
        var results = ledger.CreateAccounts(Acct(1, AccountFlags.Linked), Acct(2, AccountFlags.Linked), Acct(3, ledger: 0), Acct(4));
        Assert.That(results, Is.EqualTo(new[]
        {
            new CreateAccountsResult(0, CreateAccountResult.LinkedEventFailed),
            new CreateAccountsResult(1, CreateAccountResult.LinkedEventFailed),
            new CreateAccountsResult(2, CreateAccountResult.LedgerMustNotBeZero),
        }));
        Assert.That(ledger.Machine.LookupAccounts([1, 2, 3, 4]).Select(a => a.Id), Is.EqualTo(new UInt128[] { 4 }));
        Assert.That(ledger.Machine.AccountCount, Is.EqualTo(1));

        // The ids are free again.
        Assert.That(ledger.CreateAccounts(Acct(1), Acct(2)), Is.Empty);
    }

    [Test]
    public void Account_chain_open_at_the_end_of_the_batch()
    {
        var ledger = new TestLedger();
        var results = ledger.CreateAccounts(Acct(1, AccountFlags.Linked), Acct(2, AccountFlags.Linked));
        Assert.That(results, Is.EqualTo(new[]
        {
            new CreateAccountsResult(0, CreateAccountResult.LinkedEventFailed),
            new CreateAccountsResult(1, CreateAccountResult.LinkedEventChainOpen),
        }));
        Assert.That(ledger.Machine.AccountCount, Is.Zero);
    }

    [Test]
    public void Later_event_in_a_chain_sees_the_earlier_ones()
    {
        // Within a chain, a later event sees the effects of earlier ones (here: the pending it posts).
        var ledger = WithAccounts();
        var results = ledger.CreateTransfers(
            Xfer(20, TransferFlags.Linked | TransferFlags.Pending),
            Post(30, 20, 10));
        Assert.That(results, Is.Empty);
        Assert.That(ledger.Account(1).DebitsPosted, Is.EqualTo((UInt128)10));
    }
}
