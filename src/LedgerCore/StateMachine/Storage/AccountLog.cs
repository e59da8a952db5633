using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace LedgerCore.StateMachine.Storage;

/// <summary>
/// Per account: the indexes of the transfers that touched it and, for <see cref="AccountFlags.History"/>
/// accounts, the balances after each. The indexes live in chunks of 64 (<see cref="LogChunks"/>,
/// native memory) listed per account. Indexes are 64-bit but stored as their low 32 bits (4 B per
/// entry): they only rise, so the high halves are kept once per change, beside the log (one entry per
/// 2^32 transfers of the ledger at most). Both are in timestamp order because transfers are stored in
/// timestamp order, so a timestamp range is found by binary search: O(log n + k) reads.
/// </summary>
/// <remarks>
/// For change events (<see cref="LedgerStateMachine.GetChangeEvents"/>) the account's events are its
/// log entries and its expiries, merged by timestamp. The expiries are positions in the machine's
/// expiry list (only allocated for an account that has any); every <see cref="CheckpointInterval"/>-th
/// event leaves a <see cref="BalanceCheckpoint"/>, taken when the account is hot in cache anyway. The
/// account as it stood after any event is then its nearest checkpoint plus fewer than
/// <see cref="CheckpointInterval"/> events replayed. The checkpoints (72 B per 32 events, about 2.25 B
/// per log entry, so 4.5 B per transfer) are appended to one store of the machine's, in its pages (in
/// files beside the transfers when those are); the log keeps their positions there, 8 B each.
/// </remarks>
internal struct AccountLog
{
    /// <summary>Change events between checkpoints: reads replay fewer than this many; a power of two.</summary>
    public const int CheckpointInterval = 32;

    // The chunk position TransferCount falls in (when not at a chunk's start): appends write there
    // without loading anything else. With many accounts every log is cold, and the append is then a
    // store (absorbed by the store buffer), not a load miss.
    private unsafe uint* _tail;
    public int TransferCount;

    /// <summary>How many expiries touched the account (beside the count: <see cref="CheckpointDue"/> reads both).</summary>
    public int ExpiryCount;

    // The high half of the newest entry's index.
    private uint _high;

    // What most appends never touch, one reference away, so the struct stays 32 bytes (two per cache
    // line, as the apply path's random accesses want): history balances, expiries, checkpoints.
    private AccountLogExtras? _extras;

    public readonly AccountBalance[]? Balances => _extras?.Balances;

    public readonly int BalanceCount => _extras?.BalanceCount ?? 0;

    /// <summary>Positions in the machine's expiry list of the expiries that touched the account, in order.</summary>
    public readonly int[]? Expiries => _extras?.Expiries;

    /// <summary>Where the account's balance checkpoints are in the machine's checkpoint store, in order.</summary>
    public readonly long[]? Checkpoints => _extras?.Checkpoints;

    /// <summary>The log's chunks, in order (the log's own array: for a frozen view only).</summary>
    public readonly nint[]? Chunks => _extras?.Chunks;

    /// <summary>Where the high half of the entries changes: (position &lt;&lt; 32) | high, by position; for a frozen view only.</summary>
    public readonly ulong[]? HighStarts => _extras?.HighStarts;

    public readonly int HighStartCount => _extras?.HighStartCount ?? 0;

    /// <summary>The index of the transfer at <paramref name="position"/> of the log.</summary>
    public readonly long TransferAt(int position) => TransferAt(_extras!.Chunks!, HighStarts, HighStartCount, position);

    /// <summary>The index at <paramref name="position"/> of a log given by its chunks (a live or a frozen one).</summary>
    public static unsafe long TransferAt(nint[] chunks, ulong[]? highStarts, int highStartCount, int position) =>
        WithHigh(((uint*)chunks[position >> LogChunks.Shift])[position & (LogChunks.Entries - 1)], highStarts, highStartCount, position);

    /// <summary>The index at <paramref name="position"/> of a log given as one array of low halves (a snapshot's, before restore).</summary>
    public static long TransferAt(uint[] lowHalves, ulong[]? highStarts, int highStartCount, int position) =>
        WithHigh(lowHalves[position], highStarts, highStartCount, position);

    private static long WithHigh(long low, ulong[]? highStarts, int highStartCount, int position)
    {
        if (highStartCount == 0) return low;

        // The last change at or before the position (usually none, or one: a log starts with a change
        // when the account's first transfer is past 2^32).
        int lo = 0, hi = highStartCount;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if ((int)(highStarts![mid] >> 32) <= position) lo = mid + 1;
            else hi = mid;
        }

        return lo == 0 ? low : ((long)unchecked((uint)highStarts![lo - 1]) << 32) | low;
    }

    public readonly int CheckpointCount => _extras?.CheckpointCount ?? 0;

    /// <summary>Whether the account's last event (just applied) is one that leaves a checkpoint.</summary>
    public readonly bool CheckpointDue
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => ((TransferCount + ExpiryCount) & (CheckpointInterval - 1)) == 0;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public unsafe void AddTransfer(long transferIndex, LogChunks chunks)
    {
        int count = TransferCount;
        if ((count & (LogChunks.Entries - 1)) == 0 || (uint)(transferIndex >>> 32) != _high)
        {
            AddTransferSlowly(transferIndex, chunks);
            return;
        }

        _tail[count & (LogChunks.Entries - 1)] = unchecked((uint)transferIndex);
        TransferCount = count + 1;
    }

    /// <summary>Installs a log restored from a snapshot: its low halves copied into chunks, its high-half changes taken over.</summary>
    public unsafe void Restore(ReadOnlySpan<uint> lowHalves, ulong[]? highStarts, int highStartCount, LogChunks chunks)
    {
        AccountLogExtras extras = _extras ??= new AccountLogExtras();
        for (int start = 0; start < lowHalves.Length; start += LogChunks.Entries)
        {
            ReadOnlySpan<uint> part = lowHalves.Slice(start, Math.Min(LogChunks.Entries, lowHalves.Length - start));
            part.CopyTo(new Span<uint>(NextChunk(extras, start >> LogChunks.Shift, chunks), LogChunks.Entries));
        }

        TransferCount = lowHalves.Length;
        if ((TransferCount & (LogChunks.Entries - 1)) != 0) _tail = (uint*)extras.Chunks![TransferCount >> LogChunks.Shift];
        if (highStartCount > 0)
        {
            extras.HighStarts = highStarts;
            extras.HighStartCount = highStartCount;
            _high = unchecked((uint)highStarts![highStartCount - 1]);
        }
    }

    /// <summary>
    /// Installs a log a checkpoint named: its entries stay where they are, in the chunks at
    /// <paramref name="chunks"/> (reopened files), and its expiries and checkpoints are positions in the
    /// machine's lists as they were (the arrays become the log's own).
    /// </summary>
    public unsafe void Adopt(nint[] chunks, int chunkCount, int count, ulong[]? highStarts, int highStartCount, int[]? expiries, int expiryCount, long[]? checkpoints, int checkpointCount)
    {
        AccountLogExtras extras = _extras ??= new AccountLogExtras();
        extras.Chunks = chunks;
        extras.ChunkCount = chunkCount;
        TransferCount = count;
        if ((count & (LogChunks.Entries - 1)) != 0) _tail = (uint*)chunks[count >> LogChunks.Shift];
        extras.HighStarts = highStarts;
        extras.HighStartCount = highStartCount;
        _high = highStartCount == 0 ? 0 : unchecked((uint)highStarts![highStartCount - 1]);
        extras.Expiries = expiries;
        ExpiryCount = expiryCount;
        extras.Checkpoints = checkpoints;
        extras.CheckpointCount = checkpointCount;
    }

    /// <summary>Gives an empty log room for <paramref name="capacity"/> transfers (its list of chunks and its checkpoints) up front.</summary>
    public void Reserve(int capacity)
    {
        if (_extras is null && capacity > 0)
        {
            _extras = new AccountLogExtras
            {
                Chunks = new nint[(capacity >> LogChunks.Shift) + 1],
                Checkpoints = new long[(capacity / CheckpointInterval) + 1],
            };
        }
    }

    /// <summary>Records the account's state after its event just applied (see <see cref="CheckpointDue"/>).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public void AddCheckpoint(in Account account, NativePagedArray<BalanceCheckpoint> store)
    {
        AccountLogExtras extras = _extras ??= new AccountLogExtras();
        if (extras.Checkpoints is null || extras.CheckpointCount == extras.Checkpoints.Length)
        {
            // Grown by a quarter, not doubled: an account has few checkpoints, and doubling would
            // leave a third of them empty on average (the RAM per transfer is mostly these).
            Array.Resize(ref extras.Checkpoints, Grown(extras.CheckpointCount, extras.CheckpointCount + (extras.CheckpointCount >> 2) + 2L));
        }

        extras.Checkpoints[extras.CheckpointCount++] = store.Add(new BalanceCheckpoint(in account, TransferCount, ExpiryCount));
    }

    public void AddExpiry(int position)
    {
        AccountLogExtras extras = _extras ??= new AccountLogExtras();
        if (extras.Expiries is null || ExpiryCount == extras.Expiries.Length)
        {
            Array.Resize(ref extras.Expiries, Grown(ExpiryCount, Math.Max(4, ExpiryCount * 2L)));
        }

        extras.Expiries[ExpiryCount++] = position;
    }

    /// <summary>Takes over expiries restored from a snapshot (the array becomes the log's own) and appends its checkpoints to <paramref name="store"/>.</summary>
    public void RestoreEvents(int[]? expiries, int expiryCount, ReadOnlySpan<BalanceCheckpoint> checkpoints, NativePagedArray<BalanceCheckpoint> store)
    {
        ExpiryCount = expiryCount;
        if (expiries is null && checkpoints.IsEmpty) return;
        AccountLogExtras extras = _extras ??= new AccountLogExtras();
        extras.Expiries = expiries;
        extras.Checkpoints = checkpoints.IsEmpty ? null : new long[checkpoints.Length + (checkpoints.Length >> 2) + 2];
        for (int i = 0; i < checkpoints.Length; i++) extras.Checkpoints![i] = store.Add(in checkpoints[i]);
        extras.CheckpointCount = checkpoints.Length;
    }

    /// <summary>Prefetches where the next <see cref="AddTransfer"/> writes.</summary>
    public readonly unsafe void PrefetchTail()
    {
        int slot = TransferCount & (LogChunks.Entries - 1);
        if (slot != 0) Prefetcher.Line(ref _tail[slot]);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private unsafe void AddTransferSlowly(long transferIndex, LogChunks chunks)
    {
        uint high = (uint)(transferIndex >>> 32);
        if (high != _high)
        {
            AccountLogExtras extras = _extras ??= new AccountLogExtras();
            if (extras.HighStarts is null || extras.HighStartCount == extras.HighStarts.Length)
            {
                Array.Resize(ref extras.HighStarts, Grown(extras.HighStartCount, Math.Max(2, extras.HighStartCount * 2L)));
            }

            extras.HighStarts[extras.HighStartCount++] = ((ulong)(uint)TransferCount << 32) | high;
            _high = high;
        }

        int slot = TransferCount & (LogChunks.Entries - 1);
        if (slot == 0) _tail = NextChunk(_extras ??= new AccountLogExtras(), TransferCount >> LogChunks.Shift, chunks);
        _tail[slot] = unchecked((uint)transferIndex);
        TransferCount++;
    }

    // The log's chunk number `index`: one kept from before a rollback, or a new one.
    private static unsafe uint* NextChunk(AccountLogExtras extras, int index, LogChunks chunks)
    {
        if (index < extras.ChunkCount) return (uint*)extras.Chunks![index];
        if (extras.Chunks is null || extras.ChunkCount == extras.Chunks.Length)
        {
            Array.Resize(ref extras.Chunks, Grown(extras.ChunkCount, Math.Max(2, extras.ChunkCount * 2L)));
        }

        uint* chunk = chunks.Take();
        extras.Chunks[extras.ChunkCount++] = (nint)chunk;
        return chunk;
    }

    public void AddBalance(in AccountBalance balance)
    {
        AccountLogExtras extras = _extras ??= new AccountLogExtras();
        if (extras.Balances is null || extras.BalanceCount == extras.Balances.Length)
        {
            Array.Resize(ref extras.Balances, Grown(extras.BalanceCount, Math.Max(4, extras.BalanceCount * 2L)));
        }

        extras.Balances[extras.BalanceCount++] = balance;
    }

    /// <summary>Forgets the newest log entry (chain rollback), and the checkpoint its append left, if any.</summary>
    public unsafe void RemoveLastTransfer(long transferIndex, NativePagedArray<BalanceCheckpoint> store)
    {
        Debug.Assert(TransferCount > 0 && TransferAt(TransferCount - 1) == transferIndex);
        AccountLogExtras? extras = _extras;
        if (extras is not null && extras.CheckpointCount > 0)
        {
            // Its record stays in the store, unnamed (one per rolled-back 32nd event at most).
            ref BalanceCheckpoint last = ref store[extras.Checkpoints![extras.CheckpointCount - 1]];
            if (last.LogCount == TransferCount && last.ExpiryCount == ExpiryCount) extras.CheckpointCount--;
        }

        TransferCount--;

        // Back within the chunk before? Appends go on there (its chunk after stays listed, for reuse).
        if ((TransferCount & (LogChunks.Entries - 1)) != 0) _tail = (uint*)extras!.Chunks![TransferCount >> LogChunks.Shift];

        // The entry removed may have been the first with its high half.
        if (extras is not null && extras.HighStartCount > 0 && (int)(extras.HighStarts![extras.HighStartCount - 1] >> 32) == TransferCount)
        {
            extras.HighStartCount--;
            _high = extras.HighStartCount == 0 ? 0 : unchecked((uint)extras.HighStarts[extras.HighStartCount - 1]);
        }
    }

    public readonly void RemoveLastBalance()
    {
        Debug.Assert(BalanceCount > 0);
        _extras!.BalanceCount--;
        _extras.Balances![_extras.BalanceCount] = default;
    }

    // The next length of a full array of `count` items: `wanted`, at most an array's length. One
    // account's in-memory log is one array; past that many entries (about 2^31) it cannot grow, and
    // says so (account runs on disk, docs/storage.md, lift the bound).
    private static int Grown(int count, long wanted) => count < Array.MaxLength
        ? (int)Math.Min(wanted, Array.MaxLength)
        : throw new InvalidOperationException($"An account's in-memory log holds at most {Array.MaxLength} entries of a kind.");

    /// <summary>The parts of a log most appends never touch.</summary>
    private sealed class AccountLogExtras
    {
        public AccountBalance[]? Balances;
        public int BalanceCount;
        public int[]? Expiries;
        public long[]? Checkpoints;
        public int CheckpointCount;
        public nint[]? Chunks;
        public int ChunkCount;
        public ulong[]? HighStarts;
        public int HighStartCount;
    }
}
