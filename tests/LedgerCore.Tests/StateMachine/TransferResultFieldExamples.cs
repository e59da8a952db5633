using NUnit.Framework;
using static LedgerCore.Tests.StateMachine.TestLedger;
using R = LedgerCore.CreateTransferResult;

namespace LedgerCore.Tests.StateMachine;

/// <summary>
/// One example per <see cref="CreateTransferResult"/> that a transfer's own fields decide (no stored
/// state involved), plus Ok and the linked-chain codes. Ledger: accounts 1, 2 (ledger 1) and 3 (ledger 2).
/// </summary>
public class TransferResultFieldExamples
{
    internal static IEnumerable<ResultExample<R>> Examples()
    {
        yield return new(R.Ok, () => One(Xfer(10)));

        yield return new(R.LinkedEventFailed, () =>
        {
            var ledger = WithAccounts();
            var results = ledger.CreateTransfers(Xfer(10, TransferFlags.Linked), Xfer(11) with { Code = 0 });
            return ResultAt(results, 0);
        });

        yield return new(R.LinkedEventChainOpen, () => One(Xfer(10, TransferFlags.Linked)));

        yield return new(R.TimestampMustBeZero, () => One(Xfer(10) with { Timestamp = 1 }));

        yield return new(R.ReservedFlag, () => One(Xfer(10, (TransferFlags)512)));

        yield return new(R.IdMustNotBeZero, () => One(Xfer(0)));

        yield return new(R.IdMustNotBeIntMax, () => One(Xfer(UInt128.MaxValue)));

        yield return new(R.FlagsAreMutuallyExclusive, () =>
            One(Post(10, 5, 1) with { Flags = TransferFlags.PostPendingTransfer | TransferFlags.VoidPendingTransfer }));

        yield return new(R.FlagsAreMutuallyExclusive, () =>
            One(Post(10, 5, 1) with { Flags = TransferFlags.PostPendingTransfer | TransferFlags.Pending }), "post_and_pending");

        yield return new(R.FlagsAreMutuallyExclusive, () =>
            One(Void(10, 5) with { Flags = TransferFlags.VoidPendingTransfer | TransferFlags.BalancingCredit }), "void_and_balancing");

        yield return new(R.DebitAccountIdMustNotBeZero, () => One(Xfer(10, 0, 2, 10)));

        yield return new(R.DebitAccountIdMustNotBeIntMax, () => One(Xfer(10, UInt128.MaxValue, 2, 10)));

        yield return new(R.CreditAccountIdMustNotBeZero, () => One(Xfer(10, 1, 0, 10)));

        yield return new(R.CreditAccountIdMustNotBeIntMax, () => One(Xfer(10, 1, UInt128.MaxValue, 10)));

        yield return new(R.AccountsMustBeDifferent, () => One(Xfer(10, 1, 1, 10)));

        yield return new(R.PendingIdMustBeZero, () => One(Xfer(10) with { PendingId = 5 }));

        yield return new(R.PendingIdMustNotBeZero, () => One(Post(10, 0, 1)));

        yield return new(R.PendingIdMustNotBeIntMax, () => One(Post(10, UInt128.MaxValue, 1)));

        yield return new(R.PendingIdMustBeDifferent, () => One(Void(10, 10)));

        yield return new(R.TimeoutReservedForPendingTransfer, () => One(Xfer(10) with { Timeout = 1 }));

        yield return new(R.TimeoutReservedForPendingTransfer, () => One(Void(10, 5) with { Timeout = 1 }), "void");

        yield return new(R.ClosingTransferMustBePending, () => One(Xfer(10, TransferFlags.ClosingDebit)));

        yield return new(R.ClosingTransferMustBePending, () => One(Xfer(10, TransferFlags.ClosingCredit)), "credit");

        yield return new(R.LedgerMustNotBeZero, () => One(Xfer(10) with { Ledger = 0 }));

        yield return new(R.CodeMustNotBeZero, () => One(Xfer(10) with { Code = 0 }));
    }

    public static IEnumerable<TestCaseData> Cases() => Examples().Select(e => e.ToTestCase("TransferResult"));

    [TestCaseSource(nameof(Cases))]
    public void Example(R expected, Func<R> run)
    {
        Assert.That(run(), Is.EqualTo(expected));
    }

    [Test]
    public void Validation_failures_do_not_reserve_the_id()
    {
        var ledger = WithAccounts();
        Assert.That(ledger.Create(Xfer(10) with { Code = 0 }), Is.EqualTo(R.CodeMustNotBeZero));
        Assert.That(ledger.Create(Xfer(10)), Is.EqualTo(R.Ok));
    }

    private static R One(Transfer t) => WithAccounts().Create(t);
}
