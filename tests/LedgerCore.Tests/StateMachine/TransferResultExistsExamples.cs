using NUnit.Framework;
using static LedgerCore.Tests.StateMachine.TestLedger;
using R = LedgerCore.CreateTransferResult;

namespace LedgerCore.Tests.StateMachine;

/// <summary>
/// Idempotency: resubmitting a stored transfer id answers Exists or the first field that differs
/// (reference order: flags, pending id, timeout, accounts, amount, user data, ledger, code);
/// an id that failed transiently answers IdAlreadyFailed.
/// </summary>
public class TransferResultExistsExamples
{
    internal static IEnumerable<ResultExample<R>> Examples()
    {
        yield return new(R.ExistsWithDifferentFlags, () => Resubmit(Xfer(10, TransferFlags.Pending)));

        yield return new(R.ExistsWithDifferentPendingId, () => Resubmit(Xfer(10) with { PendingId = 5 }));

        yield return new(R.ExistsWithDifferentTimeout, () => Resubmit(Xfer(10) with { Timeout = 1 }));

        yield return new(R.ExistsWithDifferentDebitAccountId, () => Resubmit(Xfer(10) with { DebitAccountId = 4 }));

        yield return new(R.ExistsWithDifferentCreditAccountId, () => Resubmit(Xfer(10) with { CreditAccountId = 4 }));

        yield return new(R.ExistsWithDifferentAmount, () => Resubmit(Xfer(10) with { Amount = 11 }));

        yield return new(R.ExistsWithDifferentUserData128, () => Resubmit(Xfer(10) with { UserData128 = 5 }));

        yield return new(R.ExistsWithDifferentUserData64, () => Resubmit(Xfer(10) with { UserData64 = 5 }));

        yield return new(R.ExistsWithDifferentUserData32, () => Resubmit(Xfer(10) with { UserData32 = 5 }));

        yield return new(R.ExistsWithDifferentLedger, () => Resubmit(Xfer(10) with { Ledger = 2 }));

        yield return new(R.ExistsWithDifferentCode, () => Resubmit(Xfer(10) with { Code = 2 }));

        yield return new(R.Exists, () => Resubmit(Xfer(10)));

        // A balancing transfer's amount is a maximum: a retry whose maximum still covers what was
        // recorded is the same request...
        yield return new(R.Exists, () =>
        {
            var ledger = BalancingLedger(out Transfer balancing);
            return ledger.Create(balancing with { Amount = 7 });
        }, "balancing_maximum_covers_recorded");

        // ...one whose maximum is below the recorded amount is not.
        yield return new(R.ExistsWithDifferentAmount, () =>
        {
            var ledger = BalancingLedger(out Transfer balancing);
            return ledger.Create(balancing with { Amount = 6 });
        }, "balancing_maximum_below_recorded");

        // A post may leave fields zero to inherit them from the pending transfer; retrying it as sent
        // is the same request.
        yield return new(R.Exists, () =>
        {
            var ledger = PartialPostLedger();
            return ledger.Create(SentPost);
        }, "post_retried_as_sent");

        // Reference (post_or_void_pending_transfer_exists): a retry with Amount = max ("post the full
        // pending amount") differs from a stored partial post.
        yield return new(R.ExistsWithDifferentAmount, () =>
        {
            var ledger = PartialPostLedger();
            return ledger.Create(Post(30, 20, UInt128.MaxValue));
        }, "post_full_after_partial");

        // Reference: a retry with zero user data means "inherit from the pending transfer"; the stored
        // post set its own, so the retry is a different request.
        yield return new(R.ExistsWithDifferentUserData128, () =>
        {
            var ledger = PartialPostLedger();
            return ledger.Create(SentPost with { UserData128 = 0 });
        }, "post_inherits_but_stored_own");

        yield return new(R.ExistsWithDifferentUserData64, () =>
        {
            var ledger = PartialPostLedger();
            return ledger.Create(SentPost with { UserData64 = 0 });
        }, "post_inherits_but_stored_own");

        yield return new(R.ExistsWithDifferentUserData32, () =>
        {
            var ledger = PartialPostLedger();
            return ledger.Create(SentPost with { UserData32 = 0 });
        }, "post_inherits_but_stored_own");

        yield return new(R.IdAlreadyFailed, () =>
        {
            var ledger = WithAccounts();
            Assert.That(ledger.Create(Xfer(10, 1, 99, 10)), Is.EqualTo(R.CreditAccountNotFound));
            return ledger.Create(Xfer(10));
        });
    }

    public static IEnumerable<TestCaseData> Cases() => Examples().Select(e => e.ToTestCase("TransferResult"));

    [TestCaseSource(nameof(Cases))]
    public void Example(R expected, Func<R> run)
    {
        Assert.That(run(), Is.EqualTo(expected));
    }

    [TestCase(R.DebitAccountNotFound)]
    [TestCase(R.CreditAccountNotFound)]
    [TestCase(R.PendingTransferNotFound)]
    [TestCase(R.ExceedsCredits)]
    [TestCase(R.ExceedsDebits)]
    [TestCase(R.DebitAccountAlreadyClosed)]
    [TestCase(R.CreditAccountAlreadyClosed)]
    public void Transient_failure_reserves_the_id_even_after_the_cause_is_gone(R transient)
    {
        var ledger = WithAccounts();
        ledger.MustCreateAccounts(
            Acct(4, AccountFlags.DebitsMustNotExceedCredits), Acct(5, AccountFlags.CreditsMustNotExceedDebits),
            Acct(6, AccountFlags.Closed));
        Transfer failing = transient switch
        {
            R.DebitAccountNotFound => Xfer(10, 99, 2, 10),
            R.CreditAccountNotFound => Xfer(10, 1, 99, 10),
            R.PendingTransferNotFound => Post(10, 99, 1),
            R.ExceedsCredits => Xfer(10, 4, 2, 10),
            R.ExceedsDebits => Xfer(10, 1, 5, 10),
            R.DebitAccountAlreadyClosed => Xfer(10, 6, 2, 10),
            _ => Xfer(10, 1, 6, 10),
        };
        Assert.That(ledger.Create(failing), Is.EqualTo(transient));

        // Same id, now a perfectly valid transfer: still refused; the digest covers the reservation.
        var before = ledger.Machine.ComputeDigest();
        Assert.That(ledger.Create(Xfer(10)), Is.EqualTo(R.IdAlreadyFailed));
        Assert.That(ledger.Machine.ComputeDigest(), Is.EqualTo(before));
        Assert.That(ledger.Create(Xfer(11)), Is.EqualTo(R.Ok));
    }

    [Test]
    public void IdAlreadyFailed_within_the_same_batch()
    {
        var ledger = WithAccounts();
        var results = ledger.CreateTransfers(Xfer(10, 99, 2, 10), Xfer(10));
        Assert.That(results, Is.EqualTo(new[]
        {
            new CreateTransfersResult(0, R.DebitAccountNotFound),
            new CreateTransfersResult(1, R.IdAlreadyFailed),
        }));
    }

    [Test]
    public void Failed_id_is_part_of_the_digest()
    {
        var clean = WithAccounts();
        var failed = WithAccounts();
        Assert.That(failed.Create(Xfer(10, 99, 2, 10)), Is.EqualTo(R.DebitAccountNotFound));
        Assert.That(clean.Create(Xfer(10) with { Code = 0 }), Is.EqualTo(R.CodeMustNotBeZero));
        Assert.That(failed.Machine.ComputeDigest(), Is.Not.EqualTo(clean.Machine.ComputeDigest()));
    }

    /// <summary>Stores transfer 10 (10 from account 1 to 2), then submits <paramref name="again"/>.</summary>
    private static R Resubmit(Transfer again)
    {
        var ledger = WithAccounts();
        ledger.MustCreateTransfers(Xfer(10));
        return ledger.Create(again);
    }

    /// <summary>Account 4 (debits must not exceed credits) holds 7; balancing transfer 11 drains it.</summary>
    private static TestLedger BalancingLedger(out Transfer balancing)
    {
        var ledger = WithAccounts();
        ledger.MustCreateAccounts(Acct(4, AccountFlags.DebitsMustNotExceedCredits));
        ledger.MustCreateTransfers(Xfer(10, 1, 4, 7));
        balancing = Xfer(11, 4, 2, 100, TransferFlags.BalancingDebit);
        ledger.MustCreateTransfers(balancing);
        return ledger;
    }

    /// <summary>Pending 20 (10, user data 7) and post 30 of 4 with its own user data (9).</summary>
    private static TestLedger PartialPostLedger()
    {
        var ledger = WithAccounts();
        ledger.MustCreateTransfers(Xfer(20, TransferFlags.Pending) with { UserData128 = 7, UserData64 = 7, UserData32 = 7 });
        ledger.MustCreateTransfers(SentPost);
        return ledger;
    }

    private static Transfer SentPost => Post(30, 20, 4) with { UserData128 = 9, UserData64 = 9, UserData32 = 9 };
}
