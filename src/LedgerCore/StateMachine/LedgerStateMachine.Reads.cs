using System.Buffers;
using LedgerCore.StateMachine.Storage;

namespace LedgerCore;

public sealed partial class LedgerStateMachine
{
    private const AccountFilterFlags AccountFilterFlagsKnown =
        AccountFilterFlags.Debits | AccountFilterFlags.Credits | AccountFilterFlags.Reversed;

    /// <summary>The accounts with the given ids that exist, in request order.</summary>
    /// <exception cref="ArgumentException">More than <see cref="BatchEventsMax"/> ids.</exception>
    public Account[] LookupAccounts(ReadOnlySpan<UInt128> ids)
    {
        CheckLookupSize(ids.Length, nameof(ids));
        int found = 0;
        Span<long> indexes = ids.Length <= 256 ? stackalloc long[ids.Length] : new long[ids.Length];
        foreach (UInt128 id in ids)
        {
            long index = _accountIndex.Find(id);
            if (index >= 0) indexes[found++] = index;
        }

        var results = new Account[found];
        for (int i = 0; i < found; i++) results[i] = _accounts[indexes[i]];
        return results;
    }

    /// <summary>The transfers with the given ids that exist, in request order.</summary>
    /// <exception cref="ArgumentException">More than <see cref="BatchEventsMax"/> ids.</exception>
    public Transfer[] LookupTransfers(ReadOnlySpan<UInt128> ids)
    {
        CheckLookupSize(ids.Length, nameof(ids));
        int found = 0;
        Span<long> indexes = ids.Length <= 256 ? stackalloc long[ids.Length] : new long[ids.Length];
        foreach (UInt128 id in ids)
        {
            long index = _transferIndex.Find(id);
            if (index >= 0) indexes[found++] = index;
        }

        var results = new Transfer[found];
        for (int i = 0; i < found; i++) results[i] = _transfers[indexes[i]];
        return results;
    }

    /// <summary>
    /// The transfers of one account that match <paramref name="filter"/>, in timestamp order (newest first
    /// with <see cref="AccountFilterFlags.Reversed"/>), at most <see cref="AccountFilter.Limit"/> and at most
    /// <see cref="BatchEventsMax"/>. An invalid filter or an unknown account gives an empty array.
    /// Cost: O(log n + k) in the account's own transfers.
    /// </summary>
    public Transfer[] GetAccountTransfers(AccountFilter filter)
    {
        var indexes = SelectAccountLog(in filter, out int found);
        var results = new Transfer[found];
        for (int i = 0; i < found; i++) results[i] = _transfers[indexes[i]];
        return results;
    }

    /// <summary>
    /// The balances of a <see cref="AccountFlags.History"/> account after each transfer that matches
    /// <paramref name="filter"/>, ordered as <see cref="GetAccountTransfers"/> orders them. Empty for an
    /// account without the History flag, an unknown account or an invalid filter.
    /// </summary>
    public AccountBalance[] GetAccountBalances(AccountFilter filter)
    {
        long accountIndex = _accountIndex.Find(filter.AccountId);
        if (accountIndex < 0 || (_accounts[accountIndex].Flags & AccountFlags.History) == 0) return [];
        var positions = SelectAccountLog(in filter, out int found, positionsInLog: true);
        ref AccountLog log = ref _accountLogs[accountIndex];
        var results = new AccountBalance[found];
        for (int i = 0; i < found; i++) results[i] = log.Balances![(int)positions[i]];
        return results;
    }

    /// <summary>
    /// Accounts matching <paramref name="filter"/> (every non-zero field must be equal), in timestamp
    /// order, at most <see cref="QueryFilter.Limit"/> and <see cref="BatchEventsMax"/>.
    /// </summary>
    public Account[] QueryAccounts(QueryFilter filter)
    {
        if (!IsValid(in filter)) return [];
        int limit = (int)Math.Min(filter.Limit, BatchEventsMax);
        bool reversed = (filter.Flags & QueryFilterFlags.Reversed) != 0;
        (long lo, long hi) = TimestampRange(new AccountTimestamps(_accounts), _accounts.Count, filter.TimestampMin, filter.TimestampMax);
        // Matches gather in a pooled buffer and are copied once into an array of their exact size: a
        // growing list would leave ~2 MB of large-object garbage behind every full page of 8190.
        Account[] buffer = ArrayPool<Account>.Shared.Rent((int)Math.Min(limit, hi - lo));
        int found = 0;
        for (long k = 0; k < hi - lo && found < limit; k++)
        {
            ref Account a = ref _accounts[reversed ? hi - 1 - k : lo + k];
            if (Matches(in filter, a.UserData128, a.UserData64, a.UserData32, a.Ledger, a.Code)) buffer[found++] = a;
        }

        Account[] results = buffer.AsSpan(0, found).ToArray();
        ArrayPool<Account>.Shared.Return(buffer);
        return results;
    }

    /// <summary>
    /// Transfers matching <paramref name="filter"/> (every non-zero field must be equal), in timestamp
    /// order, at most <see cref="QueryFilter.Limit"/> and <see cref="BatchEventsMax"/>.
    /// </summary>
    public Transfer[] QueryTransfers(QueryFilter filter)
    {
        if (!IsValid(in filter)) return [];
        int limit = (int)Math.Min(filter.Limit, BatchEventsMax);
        bool reversed = (filter.Flags & QueryFilterFlags.Reversed) != 0;
        (long lo, long hi) = TimestampRange(new TransferTimestamps(_transfers), _transfers.Count, filter.TimestampMin, filter.TimestampMax);
        lo = Math.Max(lo, _firstTransfer); // holes of a ledger at a synthetic offset read as timestamp 0
        hi = Math.Max(lo, hi);
        Transfer[] buffer = ArrayPool<Transfer>.Shared.Rent((int)Math.Min(limit, hi - lo));
        int found = 0;
        for (long k = 0; k < hi - lo && found < limit; k++)
        {
            ref Transfer t = ref _transfers[reversed ? hi - 1 - k : lo + k];
            if (Matches(in filter, t.UserData128, t.UserData64, t.UserData32, t.Ledger, t.Code)) buffer[found++] = t;
        }

        Transfer[] results = buffer.AsSpan(0, found).ToArray();
        ArrayPool<Transfer>.Shared.Return(buffer);
        return results;
    }

    /// <summary>
    /// Walks one account's log within the filter's timestamp range, in the requested order, and returns
    /// the matching entries: transfer indexes, or (for balances) positions in the log.
    /// </summary>
    private long[] SelectAccountLog(in AccountFilter filter, out int found, bool positionsInLog = false)
    {
        found = 0;
        if (!IsValid(in filter)) return [];
        long accountIndex = _accountIndex.Find(filter.AccountId);
        if (accountIndex < 0) return [];

        ref AccountLog log = ref _accountLogs[accountIndex];
        int limit = (int)Math.Min(filter.Limit, BatchEventsMax);
        (long lo, long hi) = TimestampRange(new LogTimestamps(log, _transfers), log.TransferCount, filter.TimestampMin, filter.TimestampMax);

        bool reversed = (filter.Flags & AccountFilterFlags.Reversed) != 0;
        bool debits = (filter.Flags & AccountFilterFlags.Debits) != 0;
        bool credits = (filter.Flags & AccountFilterFlags.Credits) != 0;
        var selected = new long[Math.Min(limit, hi - lo)];

        // Transfers on disk: start reading the page's candidates together rather than one after another.
        for (int k = 0; k < selected.Length; k++) _transfers.WillRead(log.TransferAt((int)(reversed ? hi - 1 - k : lo + k)));

        for (long k = 0; k < hi - lo && found < selected.Length; k++)
        {
            int position = (int)(reversed ? hi - 1 - k : lo + k);
            long transferIndex = log.TransferAt(position);
            ref Transfer t = ref _transfers[transferIndex];
            bool side = (debits && t.DebitAccountId == filter.AccountId) || (credits && t.CreditAccountId == filter.AccountId);
            if (!side) continue;
            if (filter.UserData128 != 0 && t.UserData128 != filter.UserData128) continue;
            if (filter.UserData64 != 0 && t.UserData64 != filter.UserData64) continue;
            if (filter.UserData32 != 0 && t.UserData32 != filter.UserData32) continue;
            if (filter.Code != 0 && t.Code != filter.Code) continue;
            selected[found++] = positionsInLog ? position : transferIndex;
        }

        return selected;
    }

    private static bool IsValid(in AccountFilter filter) =>
        filter.AccountId != 0 && filter.AccountId != UInt128.MaxValue &&
        filter.Limit != 0 &&
        (filter.Flags & ~AccountFilterFlagsKnown) == 0 &&
        (filter.Flags & (AccountFilterFlags.Debits | AccountFilterFlags.Credits)) != 0 &&
        filter.TimestampMin <= TimestampMax && filter.TimestampMax <= TimestampMax && // 63-bit, as the reference
        (filter.TimestampMax == 0 || filter.TimestampMin <= filter.TimestampMax);

    private static bool IsValid(in QueryFilter filter) =>
        filter.Limit != 0 &&
        (filter.Flags & ~QueryFilterFlags.Reversed) == 0 &&
        filter.TimestampMin <= TimestampMax && filter.TimestampMax <= TimestampMax && // 63-bit, as the reference
        (filter.TimestampMax == 0 || filter.TimestampMin <= filter.TimestampMax);

    private static bool Matches(in QueryFilter f, UInt128 userData128, ulong userData64, uint userData32, uint ledger, ushort code) =>
        (f.UserData128 == 0 || f.UserData128 == userData128) &&
        (f.UserData64 == 0 || f.UserData64 == userData64) &&
        (f.UserData32 == 0 || f.UserData32 == userData32) &&
        (f.Ledger == 0 || f.Ledger == ledger) &&
        (f.Code == 0 || f.Code == code);

    /// <summary>
    /// The positions [lo, hi) of a timestamp-ordered sequence whose timestamps fall within [min, max],
    /// where max 0 means unbounded. Binary search: O(log n).
    /// </summary>
    private static (long Lo, long Hi) TimestampRange<TSource>(TSource source, long count, ulong min, ulong max)
        where TSource : struct, ITimestampSource
    {
        long lo = First(source, count, min);
        long hi = max == 0 ? count : First(source, count, max + 1);
        return (lo, Math.Max(lo, hi));

        static long First(TSource source, long count, ulong timestamp)
        {
            // No bound (every timestamp is at least TimestampMin): no search. With history in files each
            // probe of the search is a dependent read of a transfer, a dozen cold reads for a page.
            if (timestamp <= TimestampMin) return 0;
            long lo = 0, hi = count;
            while (lo < hi)
            {
                long mid = lo + ((hi - lo) >> 1);
                if (source.TimestampAt(mid) < timestamp) lo = mid + 1;
                else hi = mid;
            }

            return lo;
        }
    }

    private static void CheckLookupSize(int count, string paramName)
    {
        if (count > BatchEventsMax)
        {
            throw new ArgumentException($"A lookup takes at most {BatchEventsMax} ids; this one has {count}.", paramName);
        }
    }

    private interface ITimestampSource
    {
        ulong TimestampAt(long position);
    }

    private readonly struct AccountTimestamps(PagedArray<Account> accounts) : ITimestampSource
    {
        public ulong TimestampAt(long position) => accounts[position].Timestamp;
    }

    private readonly struct TransferTimestamps(NativePagedArray<Transfer> transfers) : ITimestampSource
    {
        public ulong TimestampAt(long position) => transfers[position].Timestamp;
    }

    private readonly struct LogTimestamps(AccountLog log, NativePagedArray<Transfer> transfers) : ITimestampSource
    {
        public ulong TimestampAt(long position) => transfers[log.TransferAt((int)position)].Timestamp;
    }
}
