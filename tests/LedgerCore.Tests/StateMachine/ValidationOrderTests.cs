using NUnit.Framework;
using static LedgerCore.Tests.StateMachine.TestLedger;
using AR = LedgerCore.CreateAccountResult;
using R = LedgerCore.CreateTransferResult;

namespace LedgerCore.Tests.StateMachine;

/// <summary>
/// Events that break several rules at once report the first in the reference's order (the declaration
/// order of the enums, as in create_account / create_transfer / post_or_void_pending_transfer in
/// tigerbeetle's src/state_machine.zig). Each case names the rules it breaks, winner first.
/// </summary>
public class ValidationOrderTests
{
    private static readonly ulong TimeoutOverflowStart = ((1UL << 63) - 1) - (uint.MaxValue * Second);

    public static IEnumerable<TestCaseData> AccountCases()
    {
        yield return Case("chain open > id zero", AR.LinkedEventChainOpen, () => new TestLedger().Create(Acct(0, AccountFlags.Linked)));
        yield return Case("imported not expected > out of range > id zero", AR.ImportedEventNotExpected, () =>
            AccountAt(1, Acct(1), Acct(0, AccountFlags.Imported)));
        yield return Case("imported expected > timestamp must be zero", AR.ImportedEventExpected, () =>
            AccountAt(1, Acct(1, AccountFlags.Imported) with { Timestamp = 10 }, Acct(2) with { Timestamp = 5 }));
        yield return Case("timestamp must be zero > reserved field > id zero", AR.TimestampMustBeZero, () =>
            new TestLedger().Create(Acct(0) with { Timestamp = 5, Reserved = 1 }));
        yield return Case("must not advance > reserved field", AR.ImportedEventTimestampMustNotAdvance, () =>
            new TestLedger().Create(Acct(1, AccountFlags.Imported) with { Timestamp = ulong.MaxValue >> 1, Reserved = 1 }));
        // Event 0 of a two-event batch has the slot batch - 1; an imported timestamp equal to that slot is
        // still before the batch, which is what the reference compares with (the slot would refuse it).
        yield return Case("must not advance compares with the batch, not the event's slot", AR.Ok, () =>
            AccountAt(0, Acct(1, AccountFlags.Imported) with { Timestamp = Start + Millisecond - 1 },
                Acct(2, AccountFlags.Imported) with { Timestamp = Start + Millisecond - 1 }));
        yield return Case("must not advance: equal to the batch's timestamp", AR.ImportedEventTimestampMustNotAdvance, () =>
            AccountAt(0, Acct(1, AccountFlags.Imported) with { Timestamp = Start + Millisecond },
                Acct(2, AccountFlags.Imported) with { Timestamp = Start + Millisecond - 1 }));
        yield return Case("reserved field > reserved flag > id zero", AR.ReservedField, () =>
            new TestLedger().Create(Acct(0, (AccountFlags)64) with { Reserved = 1 }));
        yield return Case("reserved flag > id zero", AR.ReservedFlag, () => new TestLedger().Create(Acct(0, (AccountFlags)64)));
        yield return Case("id max > mutually exclusive flags", AR.IdMustNotBeIntMax, () =>
            new TestLedger().Create(Acct(UInt128.MaxValue, AccountFlags.DebitsMustNotExceedCredits | AccountFlags.CreditsMustNotExceedDebits)));
        yield return Case("exists with different flags > mutually exclusive > balances > ledger", AR.ExistsWithDifferentFlags, () =>
            ExistingAccount(Acct(1, AccountFlags.DebitsMustNotExceedCredits | AccountFlags.CreditsMustNotExceedDebits, ledger: 0) with { DebitsPosted = 5 }));
        yield return Case("user data 128 > 64 > 32 > ledger > code", AR.ExistsWithDifferentUserData128, () =>
            ExistingAccount(Acct(1, ledger: 2) with { UserData128 = 1, UserData64 = 1, UserData32 = 1, Code = 2 }));
        yield return Case("exists ignores the balance fields", AR.Exists, () => ExistingAccount(Acct(1) with { DebitsPending = 5, CreditsPosted = 6 }));
        yield return Case("mutually exclusive > debits pending", AR.FlagsAreMutuallyExclusive, () =>
            new TestLedger().Create(Acct(1, AccountFlags.DebitsMustNotExceedCredits | AccountFlags.CreditsMustNotExceedDebits) with { DebitsPending = 1 }));
        yield return Case("debits pending > debits posted > credits pending > credits posted > ledger", AR.DebitsPendingMustBeZero, () =>
            new TestLedger().Create(Acct(1, ledger: 0) with { DebitsPending = 1, DebitsPosted = 1, CreditsPending = 1, CreditsPosted = 1 }));
        yield return Case("credits pending > credits posted", AR.CreditsPendingMustBeZero, () =>
            new TestLedger().Create(Acct(1) with { CreditsPending = 1, CreditsPosted = 1 }));
        yield return Case("ledger > code", AR.LedgerMustNotBeZero, () => new TestLedger().Create(Acct(1, ledger: 0) with { Code = 0 }));
        yield return Case("code > imported regress", AR.CodeMustNotBeZero, () =>
            AccountAt(1, Acct(1, AccountFlags.Imported) with { Timestamp = 10 }, Acct(2, AccountFlags.Imported) with { Timestamp = 9, Code = 0 }));
    }

    public static IEnumerable<TestCaseData> TransferCases()
    {
        yield return Case("chain open > id zero", R.LinkedEventChainOpen, () => Accounts().Create(Xfer(0, TransferFlags.Linked)));
        yield return Case("linked event failed > own error", R.LinkedEventFailed, () =>
            TransferAt(Accounts(), 1, Xfer(10, TransferFlags.Linked) with { Code = 0 }, Xfer(11) with { Ledger = 0 }));
        yield return Case("imported expected > timestamp must be zero", R.ImportedEventExpected, () =>
        {
            var ledger = Accounts();
            return TransferAt(ledger, 1, Xfer(10, TransferFlags.Imported) with { Timestamp = ledger.Now + 1 }, Xfer(11) with { Timestamp = 5 });
        });
        yield return Case("must not advance compares with the batch, not the event's slot", R.Ok, () =>
        {
            var ledger = Accounts();
            ulong batch = ledger.Now + Millisecond;
            return TransferAt(ledger, 0, Xfer(10, TransferFlags.Imported) with { Timestamp = batch - 1 },
                Xfer(11, TransferFlags.Imported) with { Timestamp = batch - 1 });
        });
        yield return Case("must not advance: equal to the batch's timestamp", R.ImportedEventTimestampMustNotAdvance, () =>
        {
            var ledger = Accounts();
            ulong batch = ledger.Now + Millisecond;
            return TransferAt(ledger, 0, Xfer(10, TransferFlags.Imported) with { Timestamp = batch },
                Xfer(11, TransferFlags.Imported) with { Timestamp = batch - 1 });
        });
        yield return Case("timestamp must be zero > reserved flag > id zero", R.TimestampMustBeZero, () =>
            Accounts().Create(Xfer(0, (TransferFlags)512) with { Timestamp = 5 }));
        yield return Case("out of range > reserved flag", R.ImportedEventTimestampOutOfRange, () =>
            Accounts().Create(Xfer(10, TransferFlags.Imported | (TransferFlags)512)));
        yield return Case("reserved flag > id zero", R.ReservedFlag, () => Accounts().Create(Xfer(0, (TransferFlags)512)));
        yield return Case("id zero > mutually exclusive flags", R.IdMustNotBeZero, () =>
            Accounts().Create(Post(0, 5, 1) with { Flags = TransferFlags.PostPendingTransfer | TransferFlags.VoidPendingTransfer }));
        yield return Case("exists: flags > pending id > timeout > accounts > amount", R.ExistsWithDifferentFlags, () =>
            Existing(Xfer(10, 4, 2, 11, TransferFlags.Pending) with { PendingId = 5, Timeout = 1 }));
        yield return Case("exists: pending id > timeout > debit account", R.ExistsWithDifferentPendingId, () =>
            Existing(Xfer(10, 4, 2, 10) with { PendingId = 5, Timeout = 1 }));
        yield return Case("exists: timeout > debit account", R.ExistsWithDifferentTimeout, () => Existing(Xfer(10, 4, 2, 10) with { Timeout = 1 }));
        yield return Case("exists: debit account > credit account > amount", R.ExistsWithDifferentDebitAccountId, () => Existing(Xfer(10, 4, 5, 11)));
        yield return Case("exists: amount > user data", R.ExistsWithDifferentAmount, () => Existing(Xfer(10, 1, 2, 11) with { UserData128 = 1 }));
        yield return Case("exists: user data 32 > ledger > code", R.ExistsWithDifferentUserData32, () =>
            Existing(Xfer(10) with { UserData32 = 1, Ledger = 2, Code = 2 }));
        yield return Case("exists: different debit account > debit account zero", R.ExistsWithDifferentDebitAccountId, () =>
            Existing(Xfer(10, 0, 2, 10)));
        yield return Case("exists: different ledger > ledger zero > code zero", R.ExistsWithDifferentLedger, () =>
            Existing(Xfer(10) with { Ledger = 0, Code = 0 }));
        yield return Case("id already failed > debit account zero", R.IdAlreadyFailed, () =>
        {
            var ledger = Accounts();
            ledger.Create(Xfer(10, 99, 2, 10));
            return ledger.Create(Xfer(10, 0, 0, 10));
        });
        yield return Case("debit zero > credit zero > accounts must be different", R.DebitAccountIdMustNotBeZero, () => Accounts().Create(Xfer(10, 0, 0, 10)));
        yield return Case("debit max > credit zero", R.DebitAccountIdMustNotBeIntMax, () => Accounts().Create(Xfer(10, UInt128.MaxValue, 0, 10)));
        yield return Case("credit max > accounts must be different", R.CreditAccountIdMustNotBeIntMax, () => Accounts().Create(Xfer(10, 1, UInt128.MaxValue, 10)));
        yield return Case("accounts must be different > pending id must be zero", R.AccountsMustBeDifferent, () =>
            Accounts().Create(Xfer(10, 1, 1, 10) with { PendingId = 5 }));
        yield return Case("pending id must be zero > timeout reserved", R.PendingIdMustBeZero, () => Accounts().Create(Xfer(10) with { PendingId = 5, Timeout = 1 }));
        yield return Case("timeout reserved > closing must be pending > ledger zero", R.TimeoutReservedForPendingTransfer, () =>
            Accounts().Create(Xfer(10, TransferFlags.ClosingDebit) with { Timeout = 1, Ledger = 0 }));
        yield return Case("closing must be pending > ledger zero", R.ClosingTransferMustBePending, () =>
            Accounts().Create(Xfer(10, TransferFlags.ClosingCredit) with { Ledger = 0 }));
        yield return Case("ledger zero > code zero > debit not found", R.LedgerMustNotBeZero, () =>
            Accounts().Create(Xfer(10, 98, 99, 10) with { Ledger = 0, Code = 0 }));
        yield return Case("code zero > debit not found", R.CodeMustNotBeZero, () => Accounts().Create(Xfer(10, 98, 99, 10) with { Code = 0 }));
        yield return Case("debit not found > credit not found", R.DebitAccountNotFound, () => Accounts().Create(Xfer(10, 98, 99, 10)));
        yield return Case("accounts same ledger > transfer same ledger", R.AccountsMustHaveTheSameLedger, () =>
            Accounts().Create(Xfer(10, 1, 3, 10) with { Ledger = 7 }));
        yield return Case("imported postdate debit account > closed debit account", R.ImportedEventTimestampMustPostdateDebitAccount, () =>
        {
            var ledger = new TestLedger();
            ledger.MustCreateAccounts(
                Acct(1, AccountFlags.Imported) with { Timestamp = 100 },
                Acct(5, AccountFlags.Imported | AccountFlags.Closed) with { Timestamp = 300 });
            return ledger.Create(Xfer(10, 5, 1, 10, TransferFlags.Imported) with { Timestamp = 200 });
        });
        yield return Case("imported timeout must be zero > closed debit account", R.ImportedEventTimeoutMustBeZero, () =>
        {
            var ledger = new TestLedger();
            ledger.MustCreateAccounts(
                Acct(1, AccountFlags.Imported) with { Timestamp = 100 },
                Acct(5, AccountFlags.Imported | AccountFlags.Closed) with { Timestamp = 200 });
            return ledger.Create(Xfer(10, 5, 1, 10, TransferFlags.Imported | TransferFlags.Pending) with { Timestamp = 300, Timeout = 1 });
        });
        yield return Case("debit closed > credit closed > exceeds credits", R.DebitAccountAlreadyClosed, () =>
        {
            var ledger = Accounts();
            ledger.MustCreateAccounts(Acct(5, AccountFlags.Closed | AccountFlags.DebitsMustNotExceedCredits), Acct(6, AccountFlags.Closed));
            return ledger.Create(Xfer(10, 5, 6, 10));
        });
        yield return Case("debits pending overflow > credits posted overflow", R.OverflowsDebitsPending, () =>
        {
            var ledger = Accounts();
            ledger.MustCreateTransfers(Xfer(20, 1, 4, UInt128.MaxValue, TransferFlags.Pending), Xfer(21, 4, 2, UInt128.MaxValue));
            return ledger.Create(Xfer(10, 1, 2, 1, TransferFlags.Pending));
        });
        yield return Case("credits posted overflow > exceeds credits", R.OverflowsCreditsPosted, () =>
        {
            var ledger = Accounts();
            ledger.MustCreateAccounts(Acct(5, AccountFlags.DebitsMustNotExceedCredits));
            ledger.MustCreateTransfers(Xfer(20, 1, 2, UInt128.MaxValue));
            return ledger.Create(Xfer(10, 5, 2, 1));
        });
        yield return Case("overflows timeout > exceeds credits", R.OverflowsTimeout, () =>
        {
            var ledger = new TestLedger(TimeoutOverflowStart);
            ledger.MustCreateAccounts(Acct(1, AccountFlags.DebitsMustNotExceedCredits), Acct(2));
            return ledger.Create(Xfer(10, TransferFlags.Pending) with { Timeout = uint.MaxValue });
        });
        yield return Case("exceeds credits > exceeds debits", R.ExceedsCredits, () =>
        {
            var ledger = Accounts();
            ledger.MustCreateAccounts(Acct(5, AccountFlags.DebitsMustNotExceedCredits), Acct(6, AccountFlags.CreditsMustNotExceedDebits));
            return ledger.Create(Xfer(10, 5, 6, 1));
        });
    }

    public static IEnumerable<TestCaseData> PostOrVoidCases()
    {
        yield return Case("post and void > pending id zero", R.FlagsAreMutuallyExclusive, () =>
            Pending().Create(Post(30, 0, 1) with { Flags = TransferFlags.PostPendingTransfer | TransferFlags.VoidPendingTransfer }));
        yield return Case("void with closing flag > pending id zero", R.FlagsAreMutuallyExclusive, () =>
            Pending().Create(Void(30, 0) with { Flags = TransferFlags.VoidPendingTransfer | TransferFlags.ClosingDebit }));
        yield return Case("pending id zero > timeout reserved", R.PendingIdMustNotBeZero, () => Pending().Create(Post(30, 0, 1) with { Timeout = 1 }));
        yield return Case("pending id different > timeout reserved", R.PendingIdMustBeDifferent, () => Pending().Create(Post(30, 30, 1) with { Timeout = 1 }));
        yield return Case("timeout reserved > pending not found", R.TimeoutReservedForPendingTransfer, () => Pending().Create(Post(30, 99, 1) with { Timeout = 1 }));
        yield return Case("pending not found > different debit account", R.PendingTransferNotFound, () =>
            Pending().Create(Post(30, 99, 1) with { DebitAccountId = 4 }));
        yield return Case("not pending > different debit account", R.PendingTransferNotPending, () =>
        {
            var ledger = Pending();
            ledger.MustCreateTransfers(Xfer(21));
            return ledger.Create(Post(30, 21, 1) with { DebitAccountId = 4 });
        });
        yield return Case("different debit > credit > ledger > code > amount", R.PendingTransferHasDifferentDebitAccountId, () =>
            Pending().Create(Post(30, 20, 11) with { DebitAccountId = 4, CreditAccountId = 4, Ledger = 2, Code = 2 }));
        yield return Case("different ledger > code > amount", R.PendingTransferHasDifferentLedger, () =>
            Pending().Create(Post(30, 20, 11) with { Ledger = 2, Code = 2 }));
        yield return Case("exceeds pending amount > already posted", R.ExceedsPendingTransferAmount, () =>
        {
            var ledger = Pending();
            ledger.MustCreateTransfers(Post(30, 20, 10));
            return ledger.Create(Post(31, 20, 11));
        });
        yield return Case("void different amount > already voided", R.PendingTransferHasDifferentAmount, () =>
        {
            var ledger = Pending();
            ledger.MustCreateTransfers(Void(30, 20));
            return ledger.Create(Void(31, 20) with { Amount = 5 });
        });
        yield return Case("exceeds pending amount > expired", R.ExceedsPendingTransferAmount, () =>
        {
            var ledger = Pending(timeoutSeconds: 1);
            ledger.Advance(Second);
            return ledger.Create(Post(30, 20, 11));
        });
        yield return Case("already posted > debit account closed", R.PendingTransferAlreadyPosted, () =>
        {
            var ledger = Pending();
            ledger.MustCreateTransfers(Post(30, 20, 10), Xfer(21, 1, 2, 0, TransferFlags.Pending | TransferFlags.ClosingDebit));
            return ledger.Create(Post(31, 20, 10));
        });
        yield return Case("exceeds pending amount > debit account closed", R.ExceedsPendingTransferAmount, () =>
        {
            var ledger = Pending();
            ledger.MustCreateTransfers(Xfer(21, 1, 2, 0, TransferFlags.Pending | TransferFlags.ClosingDebit));
            return ledger.Create(Post(30, 20, 11));
        });
        yield return Case("imported regress > debit account closed", R.ImportedEventTimestampMustNotRegress, () =>
        {
            var ledger = Accounts();
            ulong past = ledger.Now + 1;
            return TransferAt(ledger, 2,
                Xfer(20, 1, 2, 10, TransferFlags.Pending | TransferFlags.Imported) with { Timestamp = past + 1 },
                Xfer(21, 1, 2, 0, TransferFlags.Pending | TransferFlags.ClosingDebit | TransferFlags.Imported) with { Timestamp = past + 2 },
                Post(30, 20, 10) with { Flags = TransferFlags.PostPendingTransfer | TransferFlags.Imported, Timestamp = past });
        });
    }

    [TestCaseSource(nameof(AccountCases))]
    public void Account_first_broken_rule_wins(AR expected, Func<AR> run)
    {
        Assert.That(run(), Is.EqualTo(expected));
    }

    [TestCaseSource(nameof(TransferCases))]
    public void Transfer_first_broken_rule_wins(R expected, Func<R> run)
    {
        Assert.That(run(), Is.EqualTo(expected));
    }

    [TestCaseSource(nameof(PostOrVoidCases))]
    public void Post_or_void_first_broken_rule_wins(R expected, Func<R> run)
    {
        Assert.That(run(), Is.EqualTo(expected));
    }

    private static TestCaseData Case<T>(string rules, T expected, Func<T> run) => new TestCaseData(expected, run).SetArgDisplayNames(rules);

    private static AR AccountAt(int index, params Account[] batch) => ResultAt(new TestLedger().CreateAccounts(batch), index);

    private static R TransferAt(TestLedger ledger, int index, params Transfer[] batch) => ResultAt(ledger.CreateTransfers(batch), index);

    private static AR ExistingAccount(Account again)
    {
        var ledger = new TestLedger();
        ledger.MustCreateAccounts(Acct(1));
        return ledger.Create(again);
    }

    /// <summary>Accounts 1, 2, 4 (ledger 1) and 3 (ledger 2).</summary>
    private static TestLedger Accounts()
    {
        var ledger = WithAccounts();
        ledger.MustCreateAccounts(Acct(4));
        return ledger;
    }

    private static R Existing(Transfer again)
    {
        var ledger = Accounts();
        ledger.MustCreateTransfers(Xfer(10));
        return ledger.Create(again);
    }

    private static TestLedger Pending(uint timeoutSeconds = 0)
    {
        var ledger = Accounts();
        ledger.MustCreateTransfers(Xfer(20, TransferFlags.Pending) with { Timeout = timeoutSeconds });
        return ledger;
    }
}
