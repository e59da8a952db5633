using System.Diagnostics;
using LedgerCore.StateMachine;
using LedgerCore.StateMachine.Storage;
using R = LedgerCore.CreateTransferResult;

namespace LedgerCore;

public sealed partial class LedgerStateMachine
{
    private const TransferFlags TransferFlagsKnown =
        TransferFlags.Linked | TransferFlags.Pending | TransferFlags.PostPendingTransfer |
        TransferFlags.VoidPendingTransfer | TransferFlags.BalancingDebit | TransferFlags.BalancingCredit |
        TransferFlags.ClosingDebit | TransferFlags.ClosingCredit | TransferFlags.Imported;

    private const TransferFlags PostOrVoid = TransferFlags.PostPendingTransfer | TransferFlags.VoidPendingTransfer;

    /// <summary>
    /// Validates one transfer in the reference's order of precedence (one early return per rule),
    /// then applies it. <paramref name="timestamp"/> is this event's timestamp.
    /// </summary>
    private R CreateTransfer(in Transfer t, ulong timestamp)
    {
        bool imported = (t.Flags & TransferFlags.Imported) != 0;
        if (imported)
        {
            if (t.Timestamp < TimestampMin || t.Timestamp > TimestampMax) return R.ImportedEventTimestampOutOfRange;
            if (t.Timestamp >= timestamp) return R.ImportedEventTimestampMustNotAdvance;
        }
        else if (t.Timestamp != 0)
        {
            return R.TimestampMustBeZero;
        }

        if ((t.Flags & ~TransferFlagsKnown) != 0) return R.ReservedFlag;
        if (t.Id == 0) return R.IdMustNotBeZero;
        if (t.Id == UInt128.MaxValue) return R.IdMustNotBeIntMax;

        int existing = _transferIndex.Find(t.Id);
        if (existing >= 0) return TransferExists(in t, in _transfers[existing]);
        if (_orphanedIds.Count > 0 && _orphanedIds.Contains(t.Id)) return R.IdAlreadyFailed;

        if ((t.Flags & PostOrVoid) != 0) return PostOrVoidPendingTransfer(in t, imported ? t.Timestamp : timestamp);

        if (t.DebitAccountId == 0) return R.DebitAccountIdMustNotBeZero;
        if (t.DebitAccountId == UInt128.MaxValue) return R.DebitAccountIdMustNotBeIntMax;
        if (t.CreditAccountId == 0) return R.CreditAccountIdMustNotBeZero;
        if (t.CreditAccountId == UInt128.MaxValue) return R.CreditAccountIdMustNotBeIntMax;
        if (t.DebitAccountId == t.CreditAccountId) return R.AccountsMustBeDifferent;
        if (t.PendingId != 0) return R.PendingIdMustBeZero;

        bool pending = (t.Flags & TransferFlags.Pending) != 0;
        if (!pending)
        {
            if (t.Timeout != 0) return R.TimeoutReservedForPendingTransfer;
            if ((t.Flags & (TransferFlags.ClosingDebit | TransferFlags.ClosingCredit)) != 0) return R.ClosingTransferMustBePending;
        }

        if (t.Ledger == 0) return R.LedgerMustNotBeZero;
        if (t.Code == 0) return R.CodeMustNotBeZero;

        int drIndex = _accountIndex.Find(t.DebitAccountId);
        if (drIndex < 0) return R.DebitAccountNotFound;
        int crIndex = _accountIndex.Find(t.CreditAccountId);
        if (crIndex < 0) return R.CreditAccountNotFound;
        ref Account dr = ref _accounts[drIndex];
        ref Account cr = ref _accounts[crIndex];
        if (dr.Ledger != cr.Ledger) return R.AccountsMustHaveTheSameLedger;
        if (t.Ledger != dr.Ledger) return R.TransferMustHaveTheSameLedgerAsAccounts;

        if (imported)
        {
            if (_transfers.Count > 0 && t.Timestamp <= _transfers[_transfers.Count - 1].Timestamp) return R.ImportedEventTimestampMustNotRegress;
            if (HoldsTimestamp(new AccountTimestamps(_accounts), _accounts.Count, t.Timestamp)) return R.ImportedEventTimestampMustNotRegress;
            if (t.Timestamp <= dr.Timestamp) return R.ImportedEventTimestampMustPostdateDebitAccount;
            if (t.Timestamp <= cr.Timestamp) return R.ImportedEventTimestampMustPostdateCreditAccount;
            if (t.Timeout != 0) return R.ImportedEventTimeoutMustBeZero;
        }

        if ((dr.Flags & AccountFlags.Closed) != 0) return R.DebitAccountAlreadyClosed;
        if ((cr.Flags & AccountFlags.Closed) != 0) return R.CreditAccountAlreadyClosed;

        UInt128 amount = t.Amount;
        if ((t.Flags & TransferFlags.BalancingDebit) != 0)
        {
            // Move at most what keeps the debit side within the posted credits.
            amount = UInt128.Min(amount, SaturatingSubtract(dr.CreditsPosted, dr.DebitsPosted + dr.DebitsPending));
        }

        if ((t.Flags & TransferFlags.BalancingCredit) != 0)
        {
            amount = UInt128.Min(amount, SaturatingSubtract(cr.DebitsPosted, cr.CreditsPosted + cr.CreditsPending));
        }

        if (pending)
        {
            if (AddOverflows(amount, dr.DebitsPending)) return R.OverflowsDebitsPending;
            if (AddOverflows(amount, cr.CreditsPending)) return R.OverflowsCreditsPending;
        }

        if (AddOverflows(amount, dr.DebitsPosted)) return R.OverflowsDebitsPosted;
        if (AddOverflows(amount, cr.CreditsPosted)) return R.OverflowsCreditsPosted;

        // Invariant kept by these two: pending + posted never overflows on either side.
        if (AddOverflows(amount, dr.DebitsPending + dr.DebitsPosted)) return R.OverflowsDebits;
        if (AddOverflows(amount, cr.CreditsPending + cr.CreditsPosted)) return R.OverflowsCredits;

        ulong eventTimestamp = imported ? t.Timestamp : timestamp;
        if (pending && (ulong)t.Timeout * NanosecondsPerSecond > ulong.MaxValue - eventTimestamp) return R.OverflowsTimeout;

        if ((dr.Flags & AccountFlags.DebitsMustNotExceedCredits) != 0 &&
            dr.DebitsPending + dr.DebitsPosted + amount > dr.CreditsPosted) return R.ExceedsCredits;
        if ((cr.Flags & AccountFlags.CreditsMustNotExceedDebits) != 0 &&
            cr.CreditsPending + cr.CreditsPosted + amount > cr.DebitsPosted) return R.ExceedsDebits;

        SaveAccount(drIndex);
        SaveAccount(crIndex);
        if (pending)
        {
            dr.DebitsPending += amount;
            cr.CreditsPending += amount;
            if ((t.Flags & TransferFlags.ClosingDebit) != 0) dr.Flags |= AccountFlags.Closed;
            if ((t.Flags & TransferFlags.ClosingCredit) != 0) cr.Flags |= AccountFlags.Closed;
        }
        else
        {
            dr.DebitsPosted += amount;
            cr.CreditsPosted += amount;
        }

        Transfer stored = t;
        stored.Amount = amount;
        stored.Timestamp = eventTimestamp;
        int index = InsertTransfer(in stored, pending ? TransferState.Pending : TransferState.Final, drIndex, crIndex);
        if (pending && t.Timeout != 0)
        {
            _expiries.Enqueue(index, ExpiryKey(eventTimestamp + ((ulong)t.Timeout * NanosecondsPerSecond), eventTimestamp));
        }

        return R.Ok;
    }

    /// <summary>Phase two of a two-phase transfer: post (all or part) or void a pending transfer.</summary>
    private R PostOrVoidPendingTransfer(in Transfer t, ulong timestamp)
    {
        bool post = (t.Flags & TransferFlags.PostPendingTransfer) != 0;
        if (post && (t.Flags & TransferFlags.VoidPendingTransfer) != 0) return R.FlagsAreMutuallyExclusive;
        if ((t.Flags & (TransferFlags.Pending | TransferFlags.BalancingDebit | TransferFlags.BalancingCredit |
                        TransferFlags.ClosingDebit | TransferFlags.ClosingCredit)) != 0) return R.FlagsAreMutuallyExclusive;

        if (t.PendingId == 0) return R.PendingIdMustNotBeZero;
        if (t.PendingId == UInt128.MaxValue) return R.PendingIdMustNotBeIntMax;
        if (t.PendingId == t.Id) return R.PendingIdMustBeDifferent;
        if (t.Timeout != 0) return R.TimeoutReservedForPendingTransfer;

        int pIndex = _transferIndex.Find(t.PendingId);
        if (pIndex < 0) return R.PendingTransferNotFound;
        ref Transfer p = ref _transfers[pIndex];
        if ((p.Flags & TransferFlags.Pending) == 0) return R.PendingTransferNotPending;

        if (t.DebitAccountId != 0 && t.DebitAccountId != p.DebitAccountId) return R.PendingTransferHasDifferentDebitAccountId;
        if (t.CreditAccountId != 0 && t.CreditAccountId != p.CreditAccountId) return R.PendingTransferHasDifferentCreditAccountId;
        if (t.Ledger != 0 && t.Ledger != p.Ledger) return R.PendingTransferHasDifferentLedger;
        if (t.Code != 0 && t.Code != p.Code) return R.PendingTransferHasDifferentCode;

        UInt128 amount = post
            ? (t.Amount == UInt128.MaxValue ? p.Amount : t.Amount)
            : (t.Amount == 0 ? p.Amount : t.Amount);
        if (amount > p.Amount) return R.ExceedsPendingTransferAmount;
        if (!post && amount < p.Amount) return R.PendingTransferHasDifferentAmount;

        switch (_transferStates[pIndex])
        {
            case TransferState.Posted: return R.PendingTransferAlreadyPosted;
            case TransferState.Voided: return R.PendingTransferAlreadyVoided;
            case TransferState.Expired: return R.PendingTransferExpired;
            default: Debug.Assert(_transferStates[pIndex] == TransferState.Pending); break;
        }

        if (p.Timeout != 0 && p.Timestamp + ((ulong)p.Timeout * NanosecondsPerSecond) <= timestamp) return R.PendingTransferExpired;

        int drIndex = _accountIndex.Find(p.DebitAccountId);
        int crIndex = _accountIndex.Find(p.CreditAccountId);
        Debug.Assert(drIndex >= 0 && crIndex >= 0);
        ref Account dr = ref _accounts[drIndex];
        ref Account cr = ref _accounts[crIndex];

        if ((t.Flags & TransferFlags.Imported) != 0)
        {
            if (t.Timestamp <= _transfers[_transfers.Count - 1].Timestamp) return R.ImportedEventTimestampMustNotRegress;
            if (HoldsTimestamp(new AccountTimestamps(_accounts), _accounts.Count, t.Timestamp)) return R.ImportedEventTimestampMustNotRegress;
            if (t.Timestamp <= dr.Timestamp) return R.ImportedEventTimestampMustPostdateDebitAccount;
            if (t.Timestamp <= cr.Timestamp) return R.ImportedEventTimestampMustPostdateCreditAccount;
        }

        // The only movement allowed in a closed account is voiding a pending transfer (the reference's
        // rule): a post is refused, even of the closing transfer itself; any void goes through.
        if (post && (dr.Flags & AccountFlags.Closed) != 0) return R.DebitAccountAlreadyClosed;
        if (post && (cr.Flags & AccountFlags.Closed) != 0) return R.CreditAccountAlreadyClosed;

        SaveAccount(drIndex);
        SaveAccount(crIndex);
        dr.DebitsPending -= p.Amount;
        cr.CreditsPending -= p.Amount;
        if (post)
        {
            dr.DebitsPosted += amount;
            cr.CreditsPosted += amount;
        }
        else
        {
            if ((p.Flags & TransferFlags.ClosingDebit) != 0) dr.Flags &= ~AccountFlags.Closed;
            if ((p.Flags & TransferFlags.ClosingCredit) != 0) cr.Flags &= ~AccountFlags.Closed;
        }

        if (_undo.Recording)
        {
            ref UndoEntry entry = ref _undo.Push(UndoKind.TransferStateChanged, pIndex);
            entry.OldState = TransferState.Pending;
        }

        _transferStates[pIndex] = post ? TransferState.Posted : TransferState.Voided;

        Transfer stored = t;
        stored.DebitAccountId = p.DebitAccountId;
        stored.CreditAccountId = p.CreditAccountId;
        stored.Ledger = p.Ledger;
        stored.Code = p.Code;
        stored.Amount = amount;
        if (stored.UserData128 == 0) stored.UserData128 = p.UserData128;
        if (stored.UserData64 == 0) stored.UserData64 = p.UserData64;
        if (stored.UserData32 == 0) stored.UserData32 = p.UserData32;
        stored.Timestamp = timestamp;
        InsertTransfer(in stored, TransferState.Final, drIndex, crIndex);
        return R.Ok;
    }

    private R TransferExists(in Transfer t, in Transfer e)
    {
        if (t.Flags != e.Flags) return R.ExistsWithDifferentFlags;
        if (t.PendingId != e.PendingId) return R.ExistsWithDifferentPendingId;
        if (t.Timeout != e.Timeout) return R.ExistsWithDifferentTimeout;

        // A post or void may leave fields zero (and its amount at the sentinel) to inherit them from its
        // pending transfer: the retry matches when what it would store is what was stored. Accounts,
        // ledger and code always equal the pending transfer's, so only stated ones are compared; user
        // data and amount may differ from it, so an inherited one is compared as inherited.
        bool resolves = (t.Flags & PostOrVoid) != 0;
        ref readonly Transfer p = ref resolves ? ref _transfers[_transferIndex.Find(t.PendingId)] : ref e;
        if ((!resolves || t.DebitAccountId != 0) && t.DebitAccountId != e.DebitAccountId) return R.ExistsWithDifferentDebitAccountId;
        if ((!resolves || t.CreditAccountId != 0) && t.CreditAccountId != e.CreditAccountId) return R.ExistsWithDifferentCreditAccountId;
        if (AmountDiffers(in t, in e, in p)) return R.ExistsWithDifferentAmount;
        if (Inherited(resolves, t.UserData128, p.UserData128) != e.UserData128) return R.ExistsWithDifferentUserData128;
        if (Inherited(resolves, t.UserData64, p.UserData64) != e.UserData64) return R.ExistsWithDifferentUserData64;
        if (Inherited(resolves, t.UserData32, p.UserData32) != e.UserData32) return R.ExistsWithDifferentUserData32;
        if ((!resolves || t.Ledger != 0) && t.Ledger != e.Ledger) return R.ExistsWithDifferentLedger;
        if ((!resolves || t.Code != 0) && t.Code != e.Code) return R.ExistsWithDifferentCode;
        return R.Exists;
    }

    private static T Inherited<T>(bool resolves, T value, T pendingValue)
        where T : System.Numerics.INumberBase<T> => resolves && T.IsZero(value) ? pendingValue : value;

    private static bool AmountDiffers(in Transfer t, in Transfer e, in Transfer p)
    {
        if ((t.Flags & (TransferFlags.BalancingDebit | TransferFlags.BalancingCredit)) != 0)
        {
            // The stored amount is the clamped one: the request's maximum must still cover it.
            return t.Amount < e.Amount;
        }

        // The sentinel means "the pending amount": it matches only a post or void of all of it.
        if ((t.Flags & TransferFlags.PostPendingTransfer) != 0 && t.Amount == UInt128.MaxValue) return e.Amount != p.Amount;
        if ((t.Flags & TransferFlags.VoidPendingTransfer) != 0 && t.Amount == 0) return e.Amount != p.Amount;
        return t.Amount != e.Amount;
    }

    /// <summary>Releases every pending transfer whose deadline is at or before <paramref name="timestamp"/>.</summary>
    private void ExpirePendingTransfers(ulong timestamp)
    {
        while (_expiries.TryPeek(out int index, out UInt128 key) && (ulong)(key >> 64) <= timestamp)
        {
            _expiries.Dequeue();

            // Skip entries made stale by a post, a void, or a rolled-back chain that freed the slot.
            // The key's low 64 bits are the creation timestamp: truncation intended, so unchecked
            // (a checked cast throws for every real key, whose high bits hold the deadline).
            if (index >= _transfers.Count || _transfers[index].Timestamp != unchecked((ulong)key) ||
                _transferStates[index] != TransferState.Pending)
            {
                continue;
            }

            ref Transfer p = ref _transfers[index];
            ref Account dr = ref _accounts[_accountIndex.Find(p.DebitAccountId)];
            ref Account cr = ref _accounts[_accountIndex.Find(p.CreditAccountId)];
            dr.DebitsPending -= p.Amount;
            cr.CreditsPending -= p.Amount;
            if ((p.Flags & TransferFlags.ClosingDebit) != 0) dr.Flags &= ~AccountFlags.Closed;
            if ((p.Flags & TransferFlags.ClosingCredit) != 0) cr.Flags &= ~AccountFlags.Closed;
            _transferStates[index] = TransferState.Expired;
        }
    }

    /// <summary>Stores a transfer that passed validation and indexes it under both accounts.</summary>
    private int InsertTransfer(in Transfer stored, TransferState state, int drIndex, int crIndex)
    {
        int index = _transfers.Add(in stored);
        _transferStates.Add(state);
        _transferIndex.Add(index);
        AddToAccountLog(drIndex, index, stored.Timestamp);
        AddToAccountLog(crIndex, index, stored.Timestamp);
        if (_undo.Recording) _undo.Push(UndoKind.TransferInserted, index);
        return index;
    }

    private void AddToAccountLog(int accountIndex, int transferIndex, ulong timestamp)
    {
        ref Account account = ref _accounts[accountIndex];
        ref AccountLog log = ref _accountLogs[accountIndex];
        log.AddTransfer(transferIndex);
        if ((account.Flags & AccountFlags.History) != 0)
        {
            log.AddBalance(new AccountBalance(account.DebitsPending, account.DebitsPosted, account.CreditsPending, account.CreditsPosted, timestamp));
        }
    }

    /// <summary>Undoes <see cref="InsertTransfer"/> for the newest transfer (linked-chain rollback).</summary>
    private void UnindexTransfer(int index)
    {
        Debug.Assert(index == _transfers.Count - 1);
        ref Transfer t = ref _transfers[index];
        RemoveFromAccountLog(_accountIndex.Find(t.CreditAccountId), index);
        RemoveFromAccountLog(_accountIndex.Find(t.DebitAccountId), index);
        _transferIndex.Remove(t.Id);
        _transfers.Truncate(index);
        _transferStates.Truncate(index);
    }

    private void RemoveFromAccountLog(int accountIndex, int transferIndex)
    {
        ref AccountLog log = ref _accountLogs[accountIndex];
        log.RemoveLastTransfer(transferIndex);
        if ((_accounts[accountIndex].Flags & AccountFlags.History) != 0) log.RemoveLastBalance();
    }

    /// <summary>Records an account's current value before a change, when inside a linked chain.</summary>
    private void SaveAccount(int index)
    {
        if (_undo.Recording)
        {
            _undo.Push(UndoKind.AccountUpdated, index).OldAccount = _accounts[index];
        }
    }

    private void Orphan(UInt128 id)
    {
        if (_orphanedIds.Add(id)) _orphanedOrder.Add(id);
    }

    /// <summary>Whether a timestamp-ordered store already holds <paramref name="timestamp"/>: O(log n).</summary>
    private static bool HoldsTimestamp<TSource>(TSource source, int count, ulong timestamp)
        where TSource : struct, ITimestampSource
    {
        (int lo, int hi) = TimestampRange(source, count, timestamp, timestamp);
        return hi > lo;
    }

    private static UInt128 ExpiryKey(ulong expiresAt, ulong timestamp) => ((UInt128)expiresAt << 64) | timestamp;

    private static bool AddOverflows(UInt128 a, UInt128 b) => a > UInt128.MaxValue - b;

    private static UInt128 SaturatingSubtract(UInt128 a, UInt128 b) => a > b ? a - b : 0;

    /// <summary>Results that depend on the state at the time, so the id is reserved (see <see cref="R.IdAlreadyFailed"/>).</summary>
    private static bool IsTransient(R result) => result is R.DebitAccountNotFound or R.CreditAccountNotFound or
        R.PendingTransferNotFound or R.ExceedsCredits or R.ExceedsDebits or
        R.DebitAccountAlreadyClosed or R.CreditAccountAlreadyClosed;

    private readonly struct CreateTransferOperation : IBatchOperation<Transfer>
    {
        public static uint ImportedEventExpected => (uint)R.ImportedEventExpected;

        public static uint ImportedEventNotExpected => (uint)R.ImportedEventNotExpected;

        public static bool IsLinked(in Transfer e) => (e.Flags & TransferFlags.Linked) != 0;

        public static bool IsImported(in Transfer e) => (e.Flags & TransferFlags.Imported) != 0;

        public static uint Apply(LedgerStateMachine machine, in Transfer e, ulong timestamp) =>
            (uint)machine.CreateTransfer(in e, timestamp);

        public static void OnFailed(LedgerStateMachine machine, in Transfer e, uint result)
        {
            if (IsTransient((R)result)) machine.Orphan(e.Id);
        }
    }
}
