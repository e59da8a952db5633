using LedgerCore.StateMachine;
using LedgerCore.StateMachine.Storage;
using R = LedgerCore.CreateAccountResult;

namespace LedgerCore;

public sealed partial class LedgerStateMachine
{
    private const AccountFlags AccountFlagsKnown =
        AccountFlags.Linked | AccountFlags.DebitsMustNotExceedCredits | AccountFlags.CreditsMustNotExceedDebits |
        AccountFlags.History | AccountFlags.Imported | AccountFlags.Closed;

    /// <summary>
    /// Validates one account in the reference's order of precedence (one early return per rule),
    /// then stores it. <paramref name="timestamp"/> is this event's timestamp.
    /// </summary>
    private R CreateAccount(in Account a, ulong timestamp)
    {
        bool imported = (a.Flags & AccountFlags.Imported) != 0;
        if (imported)
        {
            if (a.Timestamp < TimestampMin || a.Timestamp > TimestampMax) return R.ImportedEventTimestampOutOfRange;
            // The reference compares with the batch's timestamp, not this event's slot in it: an imported
            // timestamp only has to precede the batch. ApplyBatch set _commitTimestamp to it already.
            if (a.Timestamp >= _commitTimestamp) return R.ImportedEventTimestampMustNotAdvance;
        }
        else if (a.Timestamp != 0)
        {
            return R.TimestampMustBeZero;
        }

        if (a.Reserved != 0) return R.ReservedField;
        if ((a.Flags & ~AccountFlagsKnown) != 0) return R.ReservedFlag;
        if (a.Id == 0) return R.IdMustNotBeZero;
        if (a.Id == UInt128.MaxValue) return R.IdMustNotBeIntMax;

        long existing = _accountIndex.Find(a.Id);
        if (existing >= 0) return AccountExists(in a, in _accounts[existing]);

        if ((a.Flags & AccountFlags.DebitsMustNotExceedCredits) != 0 &&
            (a.Flags & AccountFlags.CreditsMustNotExceedDebits) != 0) return R.FlagsAreMutuallyExclusive;
        if (a.DebitsPending != 0) return R.DebitsPendingMustBeZero;
        if (a.DebitsPosted != 0) return R.DebitsPostedMustBeZero;
        if (a.CreditsPending != 0) return R.CreditsPendingMustBeZero;
        if (a.CreditsPosted != 0) return R.CreditsPostedMustBeZero;
        if (a.Ledger == 0) return R.LedgerMustNotBeZero;
        if (a.Code == 0) return R.CodeMustNotBeZero;
        if (imported && ((_accounts.Count > 0 && a.Timestamp <= _accounts[_accounts.Count - 1].Timestamp) ||
                         TransferHasTimestamp(a.Timestamp)))
        {
            return R.ImportedEventTimestampMustNotRegress;
        }

        Account stored = a;
        stored.Timestamp = imported ? a.Timestamp : timestamp;
        long index = _accounts.Add(in stored);
        _accountLogs.Add(default);
        _accountLogs[index].Reserve(_logCapacity);
        _accountIndex.Add(index);
        if (_undo.Recording) _undo.Push(UndoKind.AccountInserted, index);
        return R.Ok;
    }

    private static R AccountExists(in Account a, in Account e)
    {
        if (a.Flags != e.Flags) return R.ExistsWithDifferentFlags;
        if (a.UserData128 != e.UserData128) return R.ExistsWithDifferentUserData128;
        if (a.UserData64 != e.UserData64) return R.ExistsWithDifferentUserData64;
        if (a.UserData32 != e.UserData32) return R.ExistsWithDifferentUserData32;
        if (a.Ledger != e.Ledger) return R.ExistsWithDifferentLedger;
        if (a.Code != e.Code) return R.ExistsWithDifferentCode;
        return R.Exists;
    }

    private readonly struct CreateAccountOperation : IBatchOperation<Account>
    {
        public static uint ImportedEventExpected => (uint)R.ImportedEventExpected;

        public static uint ImportedEventNotExpected => (uint)R.ImportedEventNotExpected;

        public static bool IsLinked(in Account e) => (e.Flags & AccountFlags.Linked) != 0;

        public static bool IsImported(in Account e) => (e.Flags & AccountFlags.Imported) != 0;

        public static uint Apply(LedgerStateMachine machine, in Account e, ulong timestamp) =>
            (uint)machine.CreateAccount(in e, timestamp);

        // Account batches are small and their index is warm: nothing worth prefetching.
        public static void Prefetch(LedgerStateMachine machine, ReadOnlySpan<Account> batch, int ahead)
        {
        }

        public static void OnFailed(LedgerStateMachine machine, in Account e, uint result)
        {
            // Account failures reserve nothing: a corrected retry may succeed.
        }
    }
}
