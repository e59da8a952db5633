using NUnit.Framework;
using static LedgerCore.Tests.StateMachine.TestLedger;
using R = LedgerCore.CreateTransferResult;

namespace LedgerCore.Tests.StateMachine;

/// <summary>
/// One example per <see cref="CreateTransferResult"/> that the stored accounts decide: existence,
/// ledgers, closed accounts, balance overflows, the timeout overflow and the balance limits.
/// Ledger: accounts 1, 2, 4 (ledger 1, no flags) and 3 (ledger 2).
/// </summary>
public class TransferResultAccountExamples
{
    private const ulong TimeoutMaxNanoseconds = uint.MaxValue * Second;

    private const ulong TimestampMax = (1UL << 63) - 1;

    internal static IEnumerable<ResultExample<R>> Examples()
    {
        yield return new(R.DebitAccountNotFound, () => Ledger().Create(Xfer(10, 99, 2, 10)));

        yield return new(R.CreditAccountNotFound, () => Ledger().Create(Xfer(10, 1, 99, 10)));

        yield return new(R.AccountsMustHaveTheSameLedger, () => Ledger().Create(Xfer(10, 1, 3, 10)));

        yield return new(R.TransferMustHaveTheSameLedgerAsAccounts, () => Ledger().Create(Xfer(10) with { Ledger = 2 }));

        yield return new(R.DebitAccountAlreadyClosed, () =>
        {
            var ledger = Ledger();
            ledger.MustCreateAccounts(Acct(5, AccountFlags.Closed));
            return ledger.Create(Xfer(10, 5, 2, 10));
        });

        yield return new(R.CreditAccountAlreadyClosed, () =>
        {
            var ledger = Ledger();
            ledger.MustCreateAccounts(Acct(5, AccountFlags.Closed));
            return ledger.Create(Xfer(10, 1, 5, 10));
        });

        yield return new(R.OverflowsDebitsPending, () =>
        {
            var ledger = Ledger();
            ledger.MustCreateTransfers(Xfer(10, 1, 2, UInt128.MaxValue, TransferFlags.Pending));
            return ledger.Create(Xfer(11, 1, 4, 1, TransferFlags.Pending));
        });

        yield return new(R.OverflowsCreditsPending, () =>
        {
            var ledger = Ledger();
            ledger.MustCreateTransfers(Xfer(10, 1, 2, UInt128.MaxValue, TransferFlags.Pending));
            return ledger.Create(Xfer(11, 4, 2, 1, TransferFlags.Pending));
        });

        yield return new(R.OverflowsDebitsPosted, () =>
        {
            var ledger = Ledger();
            ledger.MustCreateTransfers(Xfer(10, 1, 2, UInt128.MaxValue));
            return ledger.Create(Xfer(11, 1, 4, 1));
        });

        yield return new(R.OverflowsCreditsPosted, () =>
        {
            var ledger = Ledger();
            ledger.MustCreateTransfers(Xfer(10, 1, 2, UInt128.MaxValue));
            return ledger.Create(Xfer(11, 4, 2, 1));
        });

        // Pending and posted each fit, their sum would not.
        yield return new(R.OverflowsDebits, () =>
        {
            var ledger = Ledger();
            ledger.MustCreateTransfers(Xfer(10, 1, 2, UInt128.MaxValue, TransferFlags.Pending));
            return ledger.Create(Xfer(11, 1, 4, 1));
        });

        yield return new(R.OverflowsCredits, () =>
        {
            var ledger = Ledger();
            ledger.MustCreateTransfers(Xfer(10, 1, 2, UInt128.MaxValue, TransferFlags.Pending));
            return ledger.Create(Xfer(11, 4, 2, 1));
        });

        // Reference: timestamp + timeout in nanoseconds must fit in 63 bits (the top bit of a u64
        // timestamp is reserved), not merely in a u64.
        yield return new(R.OverflowsTimeout, () =>
        {
            var ledger = Ledger(start: TimestampMax - TimeoutMaxNanoseconds);
            return ledger.Create(Xfer(10, TransferFlags.Pending) with { Timeout = uint.MaxValue });
        });

        yield return new(R.ExceedsCredits, () =>
        {
            var ledger = Ledger();
            ledger.MustCreateAccounts(Acct(5, AccountFlags.DebitsMustNotExceedCredits));
            ledger.MustCreateTransfers(Xfer(10, 1, 5, 9));
            return ledger.Create(Xfer(11, 5, 2, 10));
        });

        // Pending debits count against the limit too.
        yield return new(R.ExceedsCredits, () =>
        {
            var ledger = Ledger();
            ledger.MustCreateAccounts(Acct(5, AccountFlags.DebitsMustNotExceedCredits));
            ledger.MustCreateTransfers(Xfer(10, 1, 5, 10), Xfer(11, 5, 2, 6, TransferFlags.Pending));
            return ledger.Create(Xfer(12, 5, 2, 5));
        }, "pending_counts");

        yield return new(R.ExceedsDebits, () =>
        {
            var ledger = Ledger();
            ledger.MustCreateAccounts(Acct(5, AccountFlags.CreditsMustNotExceedDebits));
            ledger.MustCreateTransfers(Xfer(10, 5, 1, 9));
            return ledger.Create(Xfer(11, 2, 5, 10));
        });
    }

    public static IEnumerable<TestCaseData> Cases() => Examples().Select(e => e.ToTestCase("TransferResult"));

    [TestCaseSource(nameof(Cases))]
    public void Example(R expected, Func<R> run)
    {
        Assert.That(run(), Is.EqualTo(expected));
    }

    [Test]
    public void Timeout_may_end_exactly_at_the_largest_63_bit_timestamp()
    {
        // The accounts batch is applied at start + 1 ms, the transfer (alone in its batch) at start + 2 ms.
        ulong transferTimestamp = TimestampMax - TimeoutMaxNanoseconds;
        var fits = Ledger(start: transferTimestamp - (2 * Millisecond));
        Assert.That(fits.Create(Xfer(10, TransferFlags.Pending) with { Timeout = uint.MaxValue }), Is.EqualTo(R.Ok));

        var overflows = Ledger(start: transferTimestamp - (2 * Millisecond) + 1);
        Assert.That(overflows.Create(Xfer(10, TransferFlags.Pending) with { Timeout = uint.MaxValue }), Is.EqualTo(R.OverflowsTimeout));
    }

    [Test]
    public void Limit_is_inclusive_a_transfer_up_to_the_balance_succeeds()
    {
        var ledger = Ledger();
        ledger.MustCreateAccounts(Acct(5, AccountFlags.DebitsMustNotExceedCredits));
        ledger.MustCreateTransfers(Xfer(10, 1, 5, 10));
        Assert.That(ledger.Create(Xfer(11, 5, 2, 10)), Is.EqualTo(R.Ok));
        Assert.That(ledger.Create(Xfer(12, 5, 2, 1)), Is.EqualTo(R.ExceedsCredits));
    }

    private static TestLedger Ledger(ulong start = Start)
    {
        var ledger = new TestLedger(start);
        ledger.MustCreateAccounts(Acct(1), Acct(2), Acct(3, ledger: 2), Acct(4));
        return ledger;
    }
}
