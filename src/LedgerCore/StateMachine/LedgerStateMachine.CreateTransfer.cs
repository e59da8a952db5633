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
            // The reference compares with the batch's timestamp, not this event's slot in it: an imported
            // timestamp only has to precede the batch. ApplyBatch set _commitTimestamp to it already.
            if (t.Timestamp >= _commitTimestamp) return R.ImportedEventTimestampMustNotAdvance;
        }
        else if (t.Timestamp != 0)
        {
            return R.TimestampMustBeZero;
        }

        if ((t.Flags & ~TransferFlagsKnown) != 0) return R.ReservedFlag;
        if (t.Id == 0) return R.IdMustNotBeZero;
        if (t.Id == UInt128.MaxValue) return R.IdMustNotBeIntMax;

        long existing = _transferIndex.Find(t.Id);
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

        long drIndex = _accountIndex.Find(t.DebitAccountId);
        if (drIndex < 0) return R.DebitAccountNotFound;
        long crIndex = _accountIndex.Find(t.CreditAccountId);
        if (crIndex < 0) return R.CreditAccountNotFound;
        ref Account dr = ref _accounts[drIndex];
        ref Account cr = ref _accounts[crIndex];
        if (dr.Ledger != cr.Ledger) return R.AccountsMustHaveTheSameLedger;
        if (t.Ledger != dr.Ledger) return R.TransferMustHaveTheSameLedgerAsAccounts;

        if (imported)
        {
            if ((_transfers.Count > 0 && t.Timestamp <= _transfers[_transfers.Count - 1].Timestamp) ||
                ChangeEventsPostdate(t.Timestamp) || AccountHasTimestamp(t.Timestamp)) return R.ImportedEventTimestampMustNotRegress;
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
        // As the reference: the deadline must fit in 63 bits (TimestampMax), not merely in a u64.
        if (pending && (ulong)t.Timeout * NanosecondsPerSecond > TimestampMax - eventTimestamp) return R.OverflowsTimeout;

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
        long index = InsertTransfer(in stored, pending ? TransferState.Pending : TransferState.Final, drIndex, crIndex);
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
        bool isVoid = (t.Flags & TransferFlags.VoidPendingTransfer) != 0;
        if (post && isVoid) return R.FlagsAreMutuallyExclusive;
        if ((t.Flags & (TransferFlags.Pending | TransferFlags.BalancingDebit | TransferFlags.BalancingCredit |
                        TransferFlags.ClosingDebit | TransferFlags.ClosingCredit)) != 0) return R.FlagsAreMutuallyExclusive;

        if (t.PendingId == 0) return R.PendingIdMustNotBeZero;
        if (t.PendingId == UInt128.MaxValue) return R.PendingIdMustNotBeIntMax;
        if (t.PendingId == t.Id) return R.PendingIdMustBeDifferent;
        if (t.Timeout != 0) return R.TimeoutReservedForPendingTransfer;

        long pIndex = _transferIndex.Find(t.PendingId);
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

        long drIndex = _accountIndex.Find(p.DebitAccountId);
        long crIndex = _accountIndex.Find(p.CreditAccountId);
        Debug.Assert(drIndex >= 0 && crIndex >= 0);
        ref Account dr = ref _accounts[drIndex];
        ref Account cr = ref _accounts[crIndex];

        if ((t.Flags & TransferFlags.Imported) != 0)
        {
            if (t.Timestamp <= _transfers[_transfers.Count - 1].Timestamp ||
                ChangeEventsPostdate(t.Timestamp) || AccountHasTimestamp(t.Timestamp)) return R.ImportedEventTimestampMustNotRegress;
            if (t.Timestamp <= dr.Timestamp) return R.ImportedEventTimestampMustPostdateDebitAccount;
            if (t.Timestamp <= cr.Timestamp) return R.ImportedEventTimestampMustPostdateCreditAccount;
        }

        // As the reference: the only movement a closed account allows is voiding a pending transfer
        // (any, not only the closing one); posting, even the closing transfer itself, is refused.
        if ((dr.Flags & AccountFlags.Closed) != 0 && !isVoid) return R.DebitAccountAlreadyClosed;
        if ((cr.Flags & AccountFlags.Closed) != 0 && !isVoid) return R.CreditAccountAlreadyClosed;

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

        SetState(pIndex, post ? TransferState.Posted : TransferState.Voided);

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

    // Three prefetch stages, each reading only lines an earlier one fetched: far ahead, the id-index
    // slots of the transfer's accounts; nearer, through those slots, the account records and log
    // entries; nearest, through the log entries, where the logs will be appended to. Apply and restore
    // (format 1) share them.
    private const int SlotsAhead = 16;
    private const int RecordsAhead = 8;
    private const int TailsAhead = 4;

    private void PrefetchAccountSlots(in Transfer t)
    {
        _accountIndex.Prefetch(t.DebitAccountId);
        _accountIndex.Prefetch(t.CreditAccountId);
    }

    private void PrefetchAccounts(in Transfer t)
    {
        PrefetchAccount(_accountIndex.Guess(t.DebitAccountId));
        PrefetchAccount(_accountIndex.Guess(t.CreditAccountId));
    }

    private void PrefetchLogTails(in Transfer t)
    {
        PrefetchLogTail(_accountIndex.Guess(t.DebitAccountId));
        PrefetchLogTail(_accountIndex.Guess(t.CreditAccountId));
    }

    /// <summary>Prefetches an account record and its log entry (no-op for -1).</summary>
    private void PrefetchAccount(long index)
    {
        if (index < 0 || index >= _accounts.Count) return;
        Prefetcher.Record(ref _accounts[index]);
        Prefetcher.Line(ref _accountLogs[index]);
    }

    /// <summary>Prefetches where an account's log is appended to next (no-op for -1).</summary>
    private void PrefetchLogTail(long index)
    {
        if (index < 0 || index >= _accounts.Count) return;
        _accountLogs[index].PrefetchTail();
    }

    private R TransferExists(in Transfer t, in Transfer e)
    {
        if (t.Flags != e.Flags) return R.ExistsWithDifferentFlags;
        if (t.PendingId != e.PendingId) return R.ExistsWithDifferentPendingId;
        if (t.Timeout != e.Timeout) return R.ExistsWithDifferentTimeout;

        // A post or void may leave fields zero to inherit them from its pending transfer; only what
        // the retry states is compared, and a zero user data field stands for the pending one's
        // (as the reference's post_or_void_pending_transfer_exists).
        bool resolves = (t.Flags & PostOrVoid) != 0;
        UInt128 userData128 = t.UserData128;
        ulong userData64 = t.UserData64;
        uint userData32 = t.UserData32;
        UInt128 pendingAmount = 0;
        if (resolves)
        {
            // e resolved this pending transfer, so it is stored (a chain rollback removes e first).
            ref Transfer p = ref _transfers[_transferIndex.Find(t.PendingId)];
            pendingAmount = p.Amount;
            if (userData128 == 0) userData128 = p.UserData128;
            if (userData64 == 0) userData64 = p.UserData64;
            if (userData32 == 0) userData32 = p.UserData32;
        }

        if ((!resolves || t.DebitAccountId != 0) && t.DebitAccountId != e.DebitAccountId) return R.ExistsWithDifferentDebitAccountId;
        if ((!resolves || t.CreditAccountId != 0) && t.CreditAccountId != e.CreditAccountId) return R.ExistsWithDifferentCreditAccountId;
        if (AmountDiffers(in t, in e, pendingAmount)) return R.ExistsWithDifferentAmount;
        if (userData128 != e.UserData128) return R.ExistsWithDifferentUserData128;
        if (userData64 != e.UserData64) return R.ExistsWithDifferentUserData64;
        if (userData32 != e.UserData32) return R.ExistsWithDifferentUserData32;
        if ((!resolves || t.Ledger != 0) && t.Ledger != e.Ledger) return R.ExistsWithDifferentLedger;
        if ((!resolves || t.Code != 0) && t.Code != e.Code) return R.ExistsWithDifferentCode;
        return R.Exists;
    }

    private static bool AmountDiffers(in Transfer t, in Transfer e, UInt128 pendingAmount)
    {
        if ((t.Flags & (TransferFlags.BalancingDebit | TransferFlags.BalancingCredit)) != 0)
        {
            // The stored amount is the clamped one: the request's maximum must still cover it.
            return t.Amount < e.Amount;
        }

        // "Post the full pending amount" matches only a post that did post all of it.
        if ((t.Flags & TransferFlags.PostPendingTransfer) != 0 && t.Amount == UInt128.MaxValue) return e.Amount != pendingAmount;
        if ((t.Flags & TransferFlags.VoidPendingTransfer) != 0 && t.Amount == 0) return false;
        return t.Amount != e.Amount;
    }

    /// <summary>
    /// Releases pending transfers past their deadline, in deadline order, while each one's stamp fits
    /// at or before <paramref name="lastSlot"/> (the slot before the batch's first event). An expiry
    /// has its own timestamp, as the reference's: at or after its deadline and after the previous
    /// batch and every earlier expiry. Those that do not fit wait for a later batch; meanwhile a post or
    /// void of them is refused as expired (the deadline is checked against the event's timestamp).
    /// </summary>
    private void ExpirePendingTransfers(ulong lastSlot)
    {
        ulong previous = _commitTimestamp;
        while (_expiries.TryPeek(out long index, out UInt128 key))
        {
            ulong stamp = Math.Max((ulong)(key >> 64), previous + 1);
            if (stamp > lastSlot) return;
            _expiries.Dequeue();

            // Skip entries made stale by a post, a void, or a rolled-back chain that freed the slot. The
            // slot may since hold an imported pending transfer with the very same timestamp; imported
            // transfers never have a timeout, so a transfer without one is never the entry's.
            if (index >= _transfers.Count || _transfers[index].Timestamp != unchecked((ulong)key) ||
                _transfers[index].Timeout == 0 ||
                _transferStates[index] != TransferState.Pending)
            {
                continue;
            }

            ref Transfer p = ref _transfers[index];
            long drIndex = _accountIndex.Find(p.DebitAccountId);
            long crIndex = _accountIndex.Find(p.CreditAccountId);
            ref Account dr = ref _accounts[drIndex];
            ref Account cr = ref _accounts[crIndex];
            dr.DebitsPending -= p.Amount;
            cr.CreditsPending -= p.Amount;
            if ((p.Flags & TransferFlags.ClosingDebit) != 0) dr.Flags &= ~AccountFlags.Closed;
            if ((p.Flags & TransferFlags.ClosingCredit) != 0) cr.Flags &= ~AccountFlags.Closed;
            SetState(index, TransferState.Expired);

            int position = checked((int)_expired.Add(new ExpiryRecord(stamp, index))); // account logs keep expiry positions in 32 bits (docs/storage.md)
            AddExpiryToAccountLog(drIndex, position);
            AddExpiryToAccountLog(crIndex, position);
            previous = stamp;
        }
    }

    private void AddExpiryToAccountLog(long accountIndex, int position)
    {
        ref AccountLog log = ref _accountLogs[accountIndex];
        log.AddExpiry(position);
        if (log.CheckpointDue) log.AddCheckpoint(in _accounts[accountIndex], _checkpoints);
    }

    /// <summary>Stores a transfer that passed validation and indexes it under both accounts.</summary>
    private long InsertTransfer(in Transfer stored, TransferState state, long drIndex, long crIndex)
    {
        long index = _transfers.Add(in stored);
        _transferStates.Add(state);
        if (state == TransferState.Pending) _openPendings.Add(index);
        _transferIndex.Add(index);
        AddToAccountLog(drIndex, index, stored.Timestamp);
        AddToAccountLog(crIndex, index, stored.Timestamp);
        if (_undo.Recording) _undo.Push(UndoKind.TransferInserted, index);
        return index;
    }

    private void AddToAccountLog(long accountIndex, long transferIndex, ulong timestamp)
    {
        ref Account account = ref _accounts[accountIndex];
        ref AccountLog log = ref _accountLogs[accountIndex];
        log.AddTransfer(transferIndex, _logChunks);

        // The account's balances are already this transfer's outcome, and every expiry stamped before
        // it has been applied (expiries happen at the start of a batch), none after.
        if (log.CheckpointDue) log.AddCheckpoint(in account, _checkpoints);
        if ((account.Flags & AccountFlags.History) != 0)
        {
            log.AddBalance(new AccountBalance(account.DebitsPending, account.DebitsPosted, account.CreditsPending, account.CreditsPosted, timestamp));
        }
    }

    /// <summary>Undoes <see cref="InsertTransfer"/> for the newest transfer (linked-chain rollback).</summary>
    private void UnindexTransfer(long index)
    {
        Debug.Assert(index == _transfers.Count - 1);
        ref Transfer t = ref _transfers[index];
        RemoveFromAccountLog(_accountIndex.Find(t.CreditAccountId), index);
        RemoveFromAccountLog(_accountIndex.Find(t.DebitAccountId), index);
        _transferIndex.Remove(t.Id);
        _transfers.Truncate(index);
        if (_transferStates[index] == TransferState.Pending) _openPendings.Remove(index);
        _transferStates.Truncate(index);
    }

    // A stored transfer's two-phase state, keeping the set of open pending transfers in step.
    private void SetState(long index, TransferState state)
    {
        if (state == TransferState.Pending) _openPendings.Add(index);
        else if (_transferStates[index] == TransferState.Pending) _openPendings.Remove(index);
        _transferStates[index] = state;
    }

    private void RemoveFromAccountLog(long accountIndex, long transferIndex)
    {
        ref AccountLog log = ref _accountLogs[accountIndex];
        log.RemoveLastTransfer(transferIndex, _checkpoints);
        if ((_accounts[accountIndex].Flags & AccountFlags.History) != 0) log.RemoveLastBalance();
    }

    /// <summary>Records an account's current value before a change, when inside a linked chain.</summary>
    private void SaveAccount(long index)
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

    // Timestamps are unique across accounts and transfers: an imported event may not take one that the
    // other kind already holds (as the reference). Both stores are in timestamp order: O(log n).
    private bool AccountHasTimestamp(ulong timestamp)
    {
        (long lo, long hi) = TimestampRange(new AccountTimestamps(_accounts), _accounts.Count, timestamp, timestamp);
        return hi > lo;
    }

    // An imported transfer must also postdate the last expiry, so that change events stay in timestamp
    // order (an imported transfer stamped before an expiry it followed would replay out of order).
    private bool ChangeEventsPostdate(ulong timestamp) =>
        _expired.Count > 0 && timestamp <= _expired[_expired.Count - 1].Stamp;

    private bool TransferHasTimestamp(ulong timestamp)
    {
        (long lo, long hi) = TimestampRange(new TransferTimestamps(_transfers), _transfers.Count, timestamp, timestamp);
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

        public static void Prefetch(LedgerStateMachine machine, ReadOnlySpan<Transfer> batch, int ahead)
        {
            if (ahead + SlotsAhead < batch.Length)
            {
                ref readonly Transfer far = ref batch[ahead + SlotsAhead];
                machine._transferIndex.Prefetch(far.Id);
                machine.PrefetchAccountSlots(in far);
            }

            if (ahead + RecordsAhead < batch.Length) machine.PrefetchAccounts(in batch[ahead + RecordsAhead]);
            if (ahead + TailsAhead < batch.Length) machine.PrefetchLogTails(in batch[ahead + TailsAhead]);
        }
    }
}
