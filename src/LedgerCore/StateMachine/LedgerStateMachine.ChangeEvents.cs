using LedgerCore.StateMachine.Storage;

namespace LedgerCore;

public sealed partial class LedgerStateMachine
{
    /// <summary>
    /// The most events one <see cref="GetChangeEvents"/> returns, as the reference: a 1 MiB message
    /// (less its 256-byte header) of 384-byte events.
    /// </summary>
    public const int ChangeEventsMax = 2730;

    /// <summary>
    /// The change events (<see cref="ChangeEvent"/>) whose timestamps fall within the filter's range, in
    /// ascending timestamp order, at most <see cref="ChangeEventsFilter.Limit"/> and at most
    /// <see cref="ChangeEventsMax"/>: one per stored transfer (single-phase, pending, post, void) and one
    /// per expired pending transfer, each with both accounts as they stood right after it. An invalid
    /// filter gives an empty array. Cost: O(log n) to find the range, then O(log n + 32) per event.
    /// </summary>
    /// <remarks>
    /// An expiry has its own timestamp, as the reference's: at or after the pending transfer's deadline,
    /// after the previous batch and every earlier expiry, and before the first event of the batch that
    /// released it, whose events keep their stamps <c>timestamp - n + i + 1</c>. A batch releases only
    /// the expiries whose stamps fit before its first slot; the rest wait for a later batch. Events
    /// exist from the first batch on, or, for a ledger restored from a snapshot older than format 3,
    /// from the first batch applied after that restore.
    /// </remarks>
    public ChangeEvent[] GetChangeEvents(ChangeEventsFilter filter)
    {
        if (!IsValid(in filter)) return [];
        (long transfer, long transferEnd) = TimestampRange(new TransferTimestamps(_transfers), _transfers.Count, filter.TimestampMin, filter.TimestampMax);
        transfer = Math.Max(transfer, _changeEventsFrom);
        transferEnd = Math.Max(transferEnd, transfer);
        (long expiry, long expiryEnd) = TimestampRange(new ExpiryTimestamps(_expired), _expired.Count, filter.TimestampMin, filter.TimestampMax);
        int count = (int)Math.Min(Math.Min(filter.Limit, (uint)ChangeEventsMax), (uint)(transferEnd - transfer + expiryEnd - expiry));

        // The two streams merged by timestamp (all distinct); the cursors are also how much of each
        // stream an event comes after, which is what the accounts are computed from.
        var results = new ChangeEvent[count];
        for (int i = 0; i < count; i++)
        {
            if (expiry < expiryEnd && (transfer == transferEnd || _expired[expiry].Stamp < _transfers[transfer].Timestamp))
            {
                ref ExpiryRecord e = ref _expired[expiry++];
                results[i] = ToChangeEvent(ChangeEventType.TwoPhaseExpired, e.Stamp, e.TransferIndex, transfer, expiry);
            }
            else
            {
                ref Transfer t = ref _transfers[transfer++];
                ChangeEventType type =
                    (t.Flags & TransferFlags.Pending) != 0 ? ChangeEventType.TwoPhasePending :
                    (t.Flags & TransferFlags.PostPendingTransfer) != 0 ? ChangeEventType.TwoPhasePosted :
                    (t.Flags & TransferFlags.VoidPendingTransfer) != 0 ? ChangeEventType.TwoPhaseVoided :
                    ChangeEventType.SinglePhase;
                results[i] = ToChangeEvent(type, t.Timestamp, transfer - 1, transfer, expiry);
            }
        }

        return results;
    }

    /// <summary>
    /// The event of <paramref name="transferIndex"/>'s transfer with both accounts as they stood after
    /// the first <paramref name="transfers"/> stored transfers and the first <paramref name="expiries"/>
    /// expiries (the event being the last of those).
    /// </summary>
    private ChangeEvent ToChangeEvent(ChangeEventType type, ulong timestamp, long transferIndex, long transfers, long expiries)
    {
        ref Transfer transfer = ref _transfers[transferIndex];
        Account debit = AccountAfter(_accountIndex.Find(transfer.DebitAccountId), transfers, expiries);
        Account credit = AccountAfter(_accountIndex.Find(transfer.CreditAccountId), transfers, expiries);
        return new ChangeEvent(type, timestamp, transfer, debit, credit);
    }

    /// <summary>
    /// An account as it stood after the first <paramref name="transfers"/> stored transfers and the first
    /// <paramref name="expiries"/> expiries: its nearest checkpoint at or before then, plus its log entries
    /// and expiries after the checkpoint, replayed in timestamp order (fewer than 32; see <see cref="AccountLog"/>).
    /// </summary>
    private Account AccountAfter(long accountIndex, long transfers, long expiries)
    {
        ref AccountLog log = ref _accountLogs[accountIndex];
        int logEnd = CountBelow(new LogEntries(log), log.TransferCount, transfers);
        int expiryEnd = CountBelow(new ExpiryPositions(log.Expiries), log.ExpiryCount, expiries);

        // Checkpoints and the event lie on the account's one sequence of events, so the nearest
        // checkpoint is the last one with at most as many events.
        int lo = 0, hi = log.CheckpointCount;
        while (lo < hi)
        {
            int mid = lo + ((hi - lo) >> 1);
            if (_checkpoints[log.Checkpoints![mid]].EventCount <= logEnd + expiryEnd) lo = mid + 1;
            else hi = mid;
        }

        ref Account current = ref _accounts[accountIndex];
        Account account;
        int logNext, expiryNext;
        if (lo > 0)
        {
            ref BalanceCheckpoint checkpoint = ref _checkpoints[log.Checkpoints![lo - 1]];
            account = checkpoint.Apply(in current);
            logNext = checkpoint.LogCount;
            expiryNext = checkpoint.ExpiryCount;
        }
        else
        {
            // Before its first event an account has no balances and is open: one created closed never
            // has an event (a closed account takes only voids, and a void needs a pending transfer on it).
            account = current with { DebitsPending = 0, DebitsPosted = 0, CreditsPending = 0, CreditsPosted = 0, Flags = current.Flags & ~AccountFlags.Closed };
            logNext = 0;
            expiryNext = 0;
        }

        while (logNext < logEnd || expiryNext < expiryEnd)
        {
            if (expiryNext < expiryEnd &&
                (logNext == logEnd || _expired[log.Expiries![expiryNext]].Stamp < _transfers[log.TransferAt(logNext)].Timestamp))
            {
                Release(ref account, in _transfers[_expired[log.Expiries![expiryNext++]].TransferIndex]);
            }
            else
            {
                Replay(ref account, in _transfers[log.TransferAt(logNext++)]);
            }
        }

        return account;
    }

    /// <summary>What <see cref="CreateTransfer"/> did to one of the transfer's accounts.</summary>
    private void Replay(ref Account account, in Transfer t)
    {
        bool debit = t.DebitAccountId == account.Id;
        if ((t.Flags & PostOrVoid) != 0)
        {
            // PostOrVoidPendingTransfer: the pending amount is released; a post then moves its own amount.
            Release(ref account, in _transfers[_transferIndex.Find(t.PendingId)], (t.Flags & TransferFlags.VoidPendingTransfer) != 0);
            if ((t.Flags & TransferFlags.PostPendingTransfer) != 0)
            {
                if (debit) account.DebitsPosted += t.Amount;
                else account.CreditsPosted += t.Amount;
            }
        }
        else if ((t.Flags & TransferFlags.Pending) != 0)
        {
            if (debit)
            {
                account.DebitsPending += t.Amount;
                if ((t.Flags & TransferFlags.ClosingDebit) != 0) account.Flags |= AccountFlags.Closed;
            }
            else
            {
                account.CreditsPending += t.Amount;
                if ((t.Flags & TransferFlags.ClosingCredit) != 0) account.Flags |= AccountFlags.Closed;
            }
        }
        else if (debit)
        {
            account.DebitsPosted += t.Amount;
        }
        else
        {
            account.CreditsPosted += t.Amount;
        }
    }

    /// <summary>
    /// A pending transfer's amount released from one of its accounts: by a void or an expiry, which also
    /// reopen an account the transfer closed (<paramref name="reopens"/>), or by a post, which cannot
    /// meet a closed account.
    /// </summary>
    private static void Release(ref Account account, in Transfer pending, bool reopens = true)
    {
        if (pending.DebitAccountId == account.Id)
        {
            account.DebitsPending -= pending.Amount;
            if (reopens && (pending.Flags & TransferFlags.ClosingDebit) != 0) account.Flags &= ~AccountFlags.Closed;
        }
        else
        {
            account.CreditsPending -= pending.Amount;
            if (reopens && (pending.Flags & TransferFlags.ClosingCredit) != 0) account.Flags &= ~AccountFlags.Closed;
        }
    }

    /// <summary>How many of the first <paramref name="count"/> ascending <paramref name="items"/> are below <paramref name="bound"/>.</summary>
    private static int CountBelow<TItems>(TItems items, int count, long bound)
        where TItems : struct, IAscending
    {
        int lo = 0, hi = count;
        while (lo < hi)
        {
            int mid = lo + ((hi - lo) >> 1);
            if (items.At(mid) < bound) lo = mid + 1;
            else hi = mid;
        }

        return lo;
    }

    private static bool IsValid(in ChangeEventsFilter filter) =>
        filter.Limit != 0 &&
        filter.TimestampMin <= TimestampMax && filter.TimestampMax <= TimestampMax && // 63-bit, as the reference
        (filter.TimestampMax == 0 || filter.TimestampMin <= filter.TimestampMax);

    private readonly struct ExpiryTimestamps(PagedArray<ExpiryRecord> expired) : ITimestampSource
    {
        public ulong TimestampAt(long position) => expired[position].Stamp;
    }

    private interface IAscending
    {
        long At(int position);
    }

    private readonly struct LogEntries(AccountLog log) : IAscending
    {
        public long At(int position) => log.TransferAt(position);
    }

    private readonly struct ExpiryPositions(int[]? positions) : IAscending
    {
        public long At(int position) => positions![position];
    }
}
