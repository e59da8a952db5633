using NUnit.Framework;
using static LedgerCore.Tests.StateMachine.TestLedger;
using R = LedgerCore.CreateTransferResult;

namespace LedgerCore.Tests.StateMachine;

/// <summary>
/// One example per <see cref="CreateTransferResult"/> of phase two (post or void of a pending
/// transfer). Every example starts from pending transfer 20: 10 from account 1 to account 2.
/// </summary>
public class TransferResultTwoPhaseExamples
{
    internal static IEnumerable<ResultExample<R>> Examples()
    {
        yield return new(R.PendingTransferNotFound, () => Pending().Create(Post(30, 99, 1)));

        yield return new(R.PendingTransferNotPending, () =>
        {
            var ledger = Pending();
            ledger.MustCreateTransfers(Xfer(10));
            return ledger.Create(Post(30, 10, 1));
        });

        yield return new(R.PendingTransferHasDifferentDebitAccountId, () => Pending().Create(Post(30, 20, 10) with { DebitAccountId = 4 }));

        yield return new(R.PendingTransferHasDifferentCreditAccountId, () => Pending().Create(Post(30, 20, 10) with { CreditAccountId = 4 }));

        yield return new(R.PendingTransferHasDifferentLedger, () => Pending().Create(Post(30, 20, 10) with { Ledger = 2 }));

        yield return new(R.PendingTransferHasDifferentCode, () => Pending().Create(Post(30, 20, 10) with { Code = 2 }));

        yield return new(R.ExceedsPendingTransferAmount, () => Pending().Create(Post(30, 20, 11)));

        yield return new(R.ExceedsPendingTransferAmount, () => Pending().Create(Void(30, 20) with { Amount = 11 }), "void");

        // A void releases the whole pending amount: it may state it, or 0, but nothing less.
        yield return new(R.PendingTransferHasDifferentAmount, () => Pending().Create(Void(30, 20) with { Amount = 5 }));

        yield return new(R.PendingTransferAlreadyPosted, () =>
        {
            var ledger = Pending();
            ledger.MustCreateTransfers(Post(30, 20, 10));
            return ledger.Create(Void(31, 20));
        });

        yield return new(R.PendingTransferAlreadyVoided, () =>
        {
            var ledger = Pending();
            ledger.MustCreateTransfers(Void(30, 20));
            return ledger.Create(Post(31, 20, 10));
        });

        yield return new(R.PendingTransferExpired, () =>
        {
            var ledger = Pending(timeoutSeconds: 1);
            ledger.Advance(Second);
            return ledger.Create(Post(30, 20, 10));
        });

        yield return new(R.PendingTransferExpired, () =>
        {
            var ledger = Pending(timeoutSeconds: 1);
            ledger.Advance(Second);
            return ledger.Create(Void(30, 20));
        }, "void");
    }

    public static IEnumerable<TestCaseData> Cases() => Examples().Select(e => e.ToTestCase("TransferResult"));

    [TestCaseSource(nameof(Cases))]
    public void Example(R expected, Func<R> run)
    {
        Assert.That(run(), Is.EqualTo(expected));
    }

    [Test]
    public void Post_and_void_may_restate_the_pending_fields()
    {
        var ledger = Pending();
        Assert.That(ledger.Create(Post(30, 20, 10) with { DebitAccountId = 1, CreditAccountId = 2, Ledger = 1, Code = 1 }), Is.EqualTo(R.Ok));
        var post = ledger.Transfer(30);
        Assert.That((post.DebitAccountId, post.CreditAccountId, post.Ledger, post.Code, post.Amount),
            Is.EqualTo(((UInt128)1, (UInt128)2, 1u, (ushort)1, (UInt128)10)));
    }

    /// <summary>Accounts 1, 2 (ledger 1), 3 (ledger 2), 4 (ledger 1); pending transfer 20 of 10 from 1 to 2.</summary>
    private static TestLedger Pending(uint timeoutSeconds = 0)
    {
        var ledger = WithAccounts();
        ledger.MustCreateAccounts(Acct(4));
        ledger.MustCreateTransfers(Xfer(20, TransferFlags.Pending) with { Timeout = timeoutSeconds });
        return ledger;
    }
}
