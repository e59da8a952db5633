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
    /// filter gives an empty array. Cost: O(log n + k).
    /// </summary>
    /// <remarks>
    /// An expiry has its own timestamp: at or after the pending transfer's deadline, unique, and before
    /// the first event of the batch that released it. When a batch's expiries need stamps its events
    /// would have had, the batch's events are stamped just after them (later than
    /// <c>timestamp - n + i + 1</c>). Events exist from the first batch on, or, for a ledger restored
    /// from a snapshot older than format 3, from the first batch applied after that restore.
    /// </remarks>
    public ChangeEvent[] GetChangeEvents(ChangeEventsFilter filter)
    {
        if (!IsValid(in filter)) return [];
        (int lo, int hi) = TimestampRange(new ChangeTimestamps(_changes), _changes.Count, filter.TimestampMin, filter.TimestampMax);
        int count = (int)Math.Min(Math.Min(filter.Limit, (uint)ChangeEventsMax), (uint)(hi - lo));
        var results = new ChangeEvent[count];
        for (int i = 0; i < count; i++) results[i] = ToChangeEvent(in _changes[lo + i]);
        return results;
    }

    private ChangeEvent ToChangeEvent(in ChangeRecord record)
    {
        ref Transfer transfer = ref _transfers[record.TransferIndex];
        ref Account debit = ref _accounts[_accountIndex.Find(transfer.DebitAccountId)];
        ref Account credit = ref _accounts[_accountIndex.Find(transfer.CreditAccountId)];
        ChangeEventType type =
            record.Timestamp != transfer.Timestamp ? ChangeEventType.TwoPhaseExpired :
            (transfer.Flags & TransferFlags.Pending) != 0 ? ChangeEventType.TwoPhasePending :
            (transfer.Flags & TransferFlags.PostPendingTransfer) != 0 ? ChangeEventType.TwoPhasePosted :
            (transfer.Flags & TransferFlags.VoidPendingTransfer) != 0 ? ChangeEventType.TwoPhaseVoided :
            ChangeEventType.SinglePhase;
        return new ChangeEvent(type, record.Timestamp, transfer, record.Debit(in debit), record.Credit(in credit));
    }

    private static bool IsValid(in ChangeEventsFilter filter) =>
        filter.Limit != 0 &&
        filter.TimestampMin <= TimestampMax && filter.TimestampMax <= TimestampMax && // 63-bit, as the reference
        (filter.TimestampMax == 0 || filter.TimestampMin <= filter.TimestampMax);

    private readonly struct ChangeTimestamps(PagedArray<ChangeRecord> changes) : ITimestampSource
    {
        public ulong TimestampAt(int position) => changes[position].Timestamp;
    }
}
