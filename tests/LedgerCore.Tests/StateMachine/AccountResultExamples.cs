using NUnit.Framework;
using static LedgerCore.Tests.StateMachine.TestLedger;
using R = LedgerCore.CreateAccountResult;

namespace LedgerCore.Tests.StateMachine;

/// <summary>One example per <see cref="CreateAccountResult"/> value: each provokes exactly that code.</summary>
public class AccountResultExamples
{
    internal static IEnumerable<ResultExample<R>> Examples()
    {
        yield return new(R.Ok, () => new TestLedger().Create(Acct(1)));

        yield return new(R.LinkedEventFailed, () =>
        {
            var ledger = new TestLedger();
            var results = ledger.CreateAccounts(Acct(1, AccountFlags.Linked), Acct(2) with { Code = 0 });
            return ResultAt(results, 0);
        });

        yield return new(R.LinkedEventChainOpen, () =>
            new TestLedger().Create(Acct(1, AccountFlags.Linked)));

        // The first event decides whether the batch imports: an unflagged event in an imported batch...
        yield return new(R.ImportedEventExpected, () =>
        {
            var ledger = new TestLedger();
            var results = ledger.CreateAccounts(Acct(1, AccountFlags.Imported) with { Timestamp = 100 }, Acct(2));
            return ResultAt(results, 1);
        });

        // ...and an imported event in a batch that does not import.
        yield return new(R.ImportedEventNotExpected, () =>
        {
            var ledger = new TestLedger();
            var results = ledger.CreateAccounts(Acct(1), Acct(2, AccountFlags.Imported) with { Timestamp = 100 });
            return ResultAt(results, 1);
        });

        yield return new(R.TimestampMustBeZero, () => new TestLedger().Create(Acct(1) with { Timestamp = 100 }));

        yield return new(R.ImportedEventTimestampOutOfRange, () =>
            new TestLedger().Create(Acct(1, AccountFlags.Imported) with { Timestamp = 0 }));

        yield return new(R.ImportedEventTimestampOutOfRange, () =>
            new TestLedger().Create(Acct(1, AccountFlags.Imported) with { Timestamp = 1UL << 63 }), "above_63_bits");

        yield return new(R.ImportedEventTimestampMustNotAdvance, () =>
        {
            var ledger = new TestLedger();
            // The batch is applied at Start + 1 ms: an imported timestamp may not reach it.
            return ledger.Create(Acct(1, AccountFlags.Imported) with { Timestamp = Start + Millisecond });
        });

        yield return new(R.ReservedField, () => new TestLedger().Create(Acct(1) with { Reserved = 1 }));

        yield return new(R.ReservedFlag, () => new TestLedger().Create(Acct(1, (AccountFlags)64)));

        yield return new(R.IdMustNotBeZero, () => new TestLedger().Create(Acct(0)));

        yield return new(R.IdMustNotBeIntMax, () => new TestLedger().Create(Acct(UInt128.MaxValue)));

        yield return new(R.ExistsWithDifferentFlags, () => Recreate(Acct(1, AccountFlags.History)));

        yield return new(R.ExistsWithDifferentUserData128, () => Recreate(Acct(1) with { UserData128 = 5 }));

        yield return new(R.ExistsWithDifferentUserData64, () => Recreate(Acct(1) with { UserData64 = 5 }));

        yield return new(R.ExistsWithDifferentUserData32, () => Recreate(Acct(1) with { UserData32 = 5 }));

        yield return new(R.ExistsWithDifferentLedger, () => Recreate(Acct(1, ledger: 2)));

        yield return new(R.ExistsWithDifferentCode, () => Recreate(Acct(1) with { Code = 2 }));

        yield return new(R.Exists, () => Recreate(Acct(1)));

        yield return new(R.FlagsAreMutuallyExclusive, () => new TestLedger().Create(
            Acct(1, AccountFlags.DebitsMustNotExceedCredits | AccountFlags.CreditsMustNotExceedDebits)));

        yield return new(R.DebitsPendingMustBeZero, () => new TestLedger().Create(Acct(1) with { DebitsPending = 1 }));

        yield return new(R.DebitsPostedMustBeZero, () => new TestLedger().Create(Acct(1) with { DebitsPosted = 1 }));

        yield return new(R.CreditsPendingMustBeZero, () => new TestLedger().Create(Acct(1) with { CreditsPending = 1 }));

        yield return new(R.CreditsPostedMustBeZero, () => new TestLedger().Create(Acct(1) with { CreditsPosted = 1 }));

        yield return new(R.LedgerMustNotBeZero, () => new TestLedger().Create(Acct(1, ledger: 0)));

        yield return new(R.CodeMustNotBeZero, () => new TestLedger().Create(Acct(1) with { Code = 0 }));

        yield return new(R.ImportedEventTimestampMustNotRegress, () =>
        {
            var ledger = new TestLedger();
            var results = ledger.CreateAccounts(
                Acct(1, AccountFlags.Imported) with { Timestamp = 200 },
                Acct(2, AccountFlags.Imported) with { Timestamp = 200 });
            return ResultAt(results, 1);
        });

        // Reference: timestamps are unique across accounts and transfers; an imported account may not
        // take a transfer's timestamp (state_machine.zig looks it up in the transfers too).
        yield return new(R.ImportedEventTimestampMustNotRegress, () =>
            ImportedAccountAndTransfer().Create(Acct(3, AccountFlags.Imported) with { Timestamp = 250 }), "taken_by_a_transfer");
    }

    /// <summary>Imported accounts 1 (timestamp 100) and 2 (200), and an imported transfer at 250.</summary>
    private static TestLedger ImportedAccountAndTransfer()
    {
        var ledger = new TestLedger();
        ledger.MustCreateAccounts(Acct(1, AccountFlags.Imported) with { Timestamp = 100 }, Acct(2, AccountFlags.Imported) with { Timestamp = 200 });
        ledger.MustCreateTransfers(new Transfer { Id = 10, DebitAccountId = 1, CreditAccountId = 2, Amount = 1, Ledger = 1, Code = 1, Flags = TransferFlags.Imported, Timestamp = 250 });
        return ledger;
    }

    public static IEnumerable<TestCaseData> Cases() => Examples().Select(e => e.ToTestCase("AccountResult"));

    [TestCaseSource(nameof(Cases))]
    public void Example(R expected, Func<R> run)
    {
        Assert.That(run(), Is.EqualTo(expected));
    }

    [Test]
    public void Failed_account_reserves_nothing_a_corrected_retry_succeeds()
    {
        var ledger = new TestLedger();
        Assert.That(ledger.Create(Acct(1) with { Code = 0 }), Is.EqualTo(R.CodeMustNotBeZero));
        Assert.That(ledger.Create(Acct(1)), Is.EqualTo(R.Ok));
    }

    /// <summary>Creates account 1 (ledger 1, code 1, no flags), then submits <paramref name="again"/>.</summary>
    private static R Recreate(Account again)
    {
        var ledger = new TestLedger();
        ledger.MustCreateAccounts(Acct(1));
        return ledger.Create(again);
    }
}
