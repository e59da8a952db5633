using System.Diagnostics;
using LedgerCore.StateMachine;
using LedgerCore.StateMachine.Storage;

namespace LedgerCore;

/// <summary>
/// The deterministic double-entry state machine: accounts, transfers (single-phase, two-phase,
/// balancing, closing, imported), linked chains, idempotency, history and reads, with the reference's
/// fields, flags, result codes and validation order.
/// </summary>
/// <remarks>
/// It does no I/O, reads no clock and uses no randomness: the batch timestamp is an argument, so
/// feeding two machines the same batches with the same timestamps gives the same results and the
/// same <see cref="ComputeDigest"/>. Not thread-safe: one thread applies batches (the engine's
/// processor); reads must not run concurrently with writes.
/// </remarks>
// No zeroing of the apply methods' large frames (struct copies of 128-byte records) on every call:
// every local here is definitely assigned before use, and the state machine has no stackalloc.
[System.Runtime.CompilerServices.SkipLocalsInit]
public sealed partial class LedgerStateMachine
{
    /// <summary>The most events one batch may hold.</summary>
    public const int BatchEventsMax = 8190;

    internal const ulong NanosecondsPerSecond = 1_000_000_000;

    // The reference keeps timestamps within 63 bits; 0 is never a valid timestamp.
    internal const ulong TimestampMin = 1;
    internal const ulong TimestampMax = (1UL << 63) - 1;

    private readonly PagedArray<Account> _accounts = new();
    private readonly PagedArray<AccountLog> _accountLogs = new();

    // The entries of every account's log, in chunks of native memory (see LogChunks), and every
    // account's balance checkpoints, appended in one native store (see AccountLog).
    private readonly LogChunks _logChunks;
    private readonly NativePagedArray<BalanceCheckpoint> _checkpoints;
    private readonly StorePages _pages;
    private readonly IdIndex<AccountIds> _accountIndex;

    // Transfers are the bulk of the state (128 B each, append-only): in native pages, in memory or
    // mapped from files (docs/storage.md), so they are never the garbage collector's to scan.
    private readonly NativePagedArray<Transfer> _transfers;
    private readonly NativePagedArray<TransferState> _transferStates;

    // The pending transfers not yet posted, voided or expired: a checkpoint names them, because only
    // their states change after they are stored (a restore from files resets them, see docs/storage.md).
    private readonly HashSet<long> _openPendings = [];
    private readonly LayeredIdIndex<TransferIds> _transferIndex;

    // Ids of transfers that failed with a transient result: kept in arrival order too, for the digest.
    private readonly HashSet<UInt128> _orphanedIds = [];
    private readonly List<UInt128> _orphanedOrder = [];

    // Pending transfers with a timeout, by (expires_at << 64 | timestamp): chronological, then by
    // creation. Entries are not removed on post/void; a popped entry is checked against the store.
    private readonly PriorityQueue<long, UInt128> _expiries = new();

    // Every expiry in stamp order, for GetChangeEvents (16 bytes per expiry; transfers are events
    // themselves, and the accounts as they stood after each event are computed on read, see AccountLog).
    private readonly PagedArray<ExpiryRecord> _expired = new();

    // The first stored transfer that is a change event: 0, or the transfer count at a restore from a
    // snapshot older than format 3 (which kept nothing to compute earlier events from).
    private long _changeEventsFrom;

    // The index of the first stored transfer: 0, but for tests at synthetic offsets (see the constructor).
    private readonly long _firstTransfer;

    private readonly UndoLog _undo = new();
    private readonly int[] _failedIndexes = new int[BatchEventsMax];
    private readonly uint[] _failedResults = new uint[BatchEventsMax];

    // The timestamp of the last applied batch (its last event); batches must advance past it.
    private ulong _commitTimestamp;

    // Entries each new account's log makes room for up front: its lists of chunks and checkpoints (0: they grow on demand).
    private readonly int _logCapacity;

    /// <summary>Creates an empty ledger whose storage grows on demand.</summary>
    public LedgerStateMachine()
        : this(StorePages.InMemory())
    {
    }

    /// <summary>An empty ledger whose transfers (and, when given, account-log chunks) live in pages from these sources; the rest in memory.</summary>
    internal LedgerStateMachine(PageSource transferPages, PageSource? logChunkPages = null)
        : this(StorePages.InMemory(transferPages, logChunkPages))
    {
    }

    /// <summary>An empty ledger whose stores live in <paramref name="pages"/>; with <paramref name="transferRuns"/>, the transfer ids of the records a checkpoint named, in the runs it named.</summary>
    internal LedgerStateMachine(StorePages pages, IdRun[]? transferRuns = null)
    {
        _pages = pages;
        _transfers = new NativePagedArray<Transfer>(pages.Transfers);
        _transferStates = new NativePagedArray<TransferState>(pages.States);
        _logChunks = new LogChunks(pages.LogChunks);
        _checkpoints = new NativePagedArray<BalanceCheckpoint>(pages.Checkpoints);
        _accountIndex = new IdIndex<AccountIds>(new AccountIds(_accounts));
        _transferIndex = pages.Runs is { } runs
            ? new LayeredIdIndex<TransferIds>(new TransferIds(_transfers), runs, transferRuns, pages.IdTableEntries)
            : new LayeredIdIndex<TransferIds>(new TransferIds(_transfers), prints: pages.TransfersInFiles);
    }

    /// <summary>
    /// An empty ledger whose first transfer will have index <paramref name="firstTransfer"/> (the indexes
    /// below it are holes): for tests of 64-bit indexes at synthetic offsets, past 2^32 without storing
    /// 2^32 transfers first. Everything but snapshots works as on a ledger that starts at 0.
    /// </summary>
    internal LedgerStateMachine(long firstTransfer)
        : this(StorePages.InMemory())
    {
        _transfers.StartAt(firstTransfer);
        _transferStates.StartAt(firstTransfer);
        _firstTransfer = firstTransfer;
        _changeEventsFrom = firstTransfer;
    }

    /// <summary>
    /// Creates an empty ledger with storage for <paramref name="accountCapacity"/> accounts and
    /// <paramref name="transferCapacity"/> transfers allocated up front (as TigerBeetle allocates at
    /// startup): until those are exceeded, applying events allocates nothing on the heap except the
    /// arrays of failure results, per-account transfer logs that outgrow an even share of the
    /// transfers, and the record of expiries (the expiry list, each account's positions in it). Beyond them, storage grows as usual.
    /// </summary>
    /// <param name="accountCapacity">Accounts to make room for (at least 0).</param>
    /// <param name="transferCapacity">Transfers to make room for (at least 0).</param>
    /// <exception cref="ArgumentOutOfRangeException">A capacity is negative.</exception>
    public LedgerStateMachine(int accountCapacity, long transferCapacity)
        : this(accountCapacity, transferCapacity, StorePages.InMemory())
    {
    }

    /// <summary>As <see cref="LedgerStateMachine(int, long)"/>, with the append-only stores in <paramref name="pages"/>.</summary>
    internal LedgerStateMachine(int accountCapacity, long transferCapacity, StorePages pages)
        : this(pages)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(accountCapacity);
        ArgumentOutOfRangeException.ThrowIfNegative(transferCapacity);
        _accounts.Reserve(accountCapacity);
        _accountLogs.Reserve(accountCapacity);
        _accountIndex.EnsureCapacity(accountCapacity);
        _transfers.Reserve(transferCapacity);
        _transferStates.Reserve(transferCapacity);
        _transferIndex.EnsureCapacity(transferCapacity);

        // Each transfer is logged under two accounts: an even share, with room for some skew; the
        // chunks and checkpoints those logs take are allocated now too.
        _logCapacity = accountCapacity == 0 ? 0 : (int)Math.Min(int.MaxValue, (2L * transferCapacity / accountCapacity) + 8);
        _logChunks.Reserve(accountCapacity * (((long)_logCapacity + LogChunks.Entries - 1) / LogChunks.Entries));
        _checkpoints.Reserve(accountCapacity * ((long)(_logCapacity / AccountLog.CheckpointInterval) + 1));
    }

    /// <summary>The timestamp of the last applied batch (0 before the first).</summary>
    public ulong CommitTimestamp => _commitTimestamp;

    /// <summary>Number of accounts stored.</summary>
    public long AccountCount => _accounts.Count;

    /// <summary>Where the append-only stores' pages come from (released by the engine when it closes).</summary>
    internal StorePages Pages => _pages;

    /// <summary>Number of transfers stored (including posts and voids).</summary>
    public long TransferCount => _transfers.Count;

    /// <summary>
    /// Creates accounts. Event <c>i</c> of <c>n</c> is stamped <c>timestamp - n + i + 1</c> (unless imported).
    /// Pending transfers whose deadline has passed expire first, as far as their stamps fit before the
    /// batch's first slot (see <see cref="GetChangeEvents"/>); the rest expire in a later batch.
    /// </summary>
    /// <param name="batch">At most <see cref="BatchEventsMax"/> accounts.</param>
    /// <param name="timestamp">The batch's timestamp in nanoseconds; every event's timestamp must be later
    /// than <see cref="CommitTimestamp"/>.</param>
    /// <returns>The events that failed, ordered by index; empty when all succeeded.</returns>
    /// <exception cref="ArgumentException">The batch is too large or its timestamps do not advance;
    /// nothing was changed.</exception>
    public CreateAccountsResult[] CreateAccounts(ReadOnlySpan<Account> batch, ulong timestamp)
    {
        int failed = ApplyBatch<Account, CreateAccountOperation>(batch, timestamp);
        if (failed == 0)
        {
            return [];
        }

        var results = new CreateAccountsResult[failed];
        for (int i = 0; i < failed; i++)
        {
            results[i] = new CreateAccountsResult(_failedIndexes[i], (CreateAccountResult)_failedResults[i]);
        }

        return results;
    }

    /// <summary>
    /// Creates transfers. Event <c>i</c> of <c>n</c> is stamped <c>timestamp - n + i + 1</c> (unless imported).
    /// Pending transfers whose deadline has passed expire first, as far as their stamps fit before the
    /// batch's first slot (see <see cref="GetChangeEvents"/>); the rest expire in a later batch. A post or
    /// void of a pending transfer whose deadline is at or before the post's or void's own timestamp fails
    /// with <see cref="CreateTransferResult.PendingTransferExpired"/> either way.
    /// </summary>
    /// <param name="batch">At most <see cref="BatchEventsMax"/> transfers.</param>
    /// <param name="timestamp">The batch's timestamp in nanoseconds; every event's timestamp must be later
    /// than <see cref="CommitTimestamp"/>.</param>
    /// <returns>The events that failed, ordered by index; empty when all succeeded.</returns>
    /// <exception cref="ArgumentException">The batch is too large or its timestamps do not advance;
    /// nothing was changed.</exception>
    public CreateTransfersResult[] CreateTransfers(ReadOnlySpan<Transfer> batch, ulong timestamp)
    {
        int failed = ApplyBatch<Transfer, CreateTransferOperation>(batch, timestamp);
        if (failed == 0)
        {
            return [];
        }

        var results = new CreateTransfersResult[failed];
        for (int i = 0; i < failed; i++)
        {
            results[i] = new CreateTransfersResult(_failedIndexes[i], (CreateTransferResult)_failedResults[i]);
        }

        return results;
    }

    /// <summary>
    /// Checks that a batch of <paramref name="count"/> events at <paramref name="timestamp"/> may be
    /// applied, without applying it. The engine uses this before journaling a batch.
    /// </summary>
    internal bool CanApply(int count, ulong timestamp) =>
        count <= BatchEventsMax && timestamp <= TimestampMax &&
        timestamp >= (ulong)Math.Max(count, 1) && timestamp - (ulong)Math.Max(count, 1) >= _commitTimestamp;

    /// <summary>
    /// The loop every create batch shares: linked chains (all or nothing), the imported-batch rule,
    /// and failure collection into reusable buffers. Returns the number of failures.
    /// </summary>
    private int ApplyBatch<TEvent, TOperation>(ReadOnlySpan<TEvent> batch, ulong timestamp)
        where TOperation : IBatchOperation<TEvent>
    {
        if (batch.Length > BatchEventsMax)
        {
            throw new ArgumentException($"A batch holds at most {BatchEventsMax} events; this one holds {batch.Length}.", nameof(batch));
        }

        if (!CanApply(batch.Length, timestamp))
        {
            throw new ArgumentException(
                $"Batch timestamp {timestamp} for {batch.Length} events does not advance past the last applied timestamp {_commitTimestamp}.",
                nameof(timestamp));
        }

        // Time moves first: pending transfers past their deadline are released before any event of the
        // batch is looked at, as far as their stamps fit before the batch's first slot.
        ExpirePendingTransfers(timestamp - (ulong)Math.Max(batch.Length, 1));
        _commitTimestamp = timestamp;

        int n = batch.Length;
        int failed = 0;
        int chainStart = -1;
        bool chainBroken = false;
        bool batchImported = n > 0 && TOperation.IsImported(in batch[0]);
        for (int i = 0; i < n; i++)
        {
            TOperation.Prefetch(this, batch, i);
            ref readonly TEvent e = ref batch[i];
            bool linked = TOperation.IsLinked(in e);
            if (linked && chainStart < 0)
            {
                chainStart = i;
                _undo.Open();
            }

            uint result;
            if (linked && i == n - 1)
            {
                result = (uint)CreateTransferResult.LinkedEventChainOpen;
            }
            else if (chainBroken)
            {
                result = (uint)CreateTransferResult.LinkedEventFailed;
            }
            else if (TOperation.IsImported(in e) != batchImported)
            {
                result = batchImported ? TOperation.ImportedEventExpected : TOperation.ImportedEventNotExpected;
            }
            else
            {
                result = TOperation.Apply(this, in e, timestamp - (ulong)n + (ulong)i + 1);
            }

            if (result != 0)
            {
                if (chainStart >= 0 && !chainBroken)
                {
                    chainBroken = true;
                    Rollback();
                    for (int j = chainStart; j < i; j++)
                    {
                        _failedIndexes[failed] = j;
                        _failedResults[failed++] = (uint)CreateTransferResult.LinkedEventFailed;
                    }
                }

                _failedIndexes[failed] = i;
                _failedResults[failed++] = result;
                TOperation.OnFailed(this, in e, result);
            }

            if (chainStart >= 0 && (!linked || result == (uint)CreateTransferResult.LinkedEventChainOpen))
            {
                _undo.Close();
                chainStart = -1;
                chainBroken = false;
            }
        }

        Debug.Assert(!_undo.Recording);

        // A share of any index growth under way, so it ends even when adds stop (see IdIndex).
        _transferIndex.Step();
        _accountIndex.Step();
        return failed;
    }

    /// <summary>Reverts every change recorded since the chain opened, newest first.</summary>
    private void Rollback()
    {
        for (int k = _undo.Count - 1; k >= 0; k--)
        {
            ref UndoEntry entry = ref _undo[k];
            switch (entry.Kind)
            {
                case UndoKind.AccountUpdated:
                    _accounts[entry.Index] = entry.OldAccount;
                    break;
                case UndoKind.AccountInserted:
                    Debug.Assert(entry.Index == _accounts.Count - 1);
                    _accountIndex.Remove(_accounts[entry.Index].Id);
                    _accounts.Truncate(entry.Index);
                    _accountLogs.Truncate(entry.Index);
                    break;
                case UndoKind.TransferStateChanged:
                    SetState(entry.Index, entry.OldState);
                    break;
                case UndoKind.TransferInserted:
                    UnindexTransfer(entry.Index);
                    break;
                default:
                    throw new UnreachableException();
            }
        }

        _undo.Close();
    }

    private readonly struct AccountIds(PagedArray<Account> accounts) : IIdSource
    {
        public long Count => accounts.Count;

        public UInt128 IdAt(long index) => accounts[index].Id;
    }

    private readonly struct TransferIds(NativePagedArray<Transfer> transfers) : IIdSource
    {
        public long Count => transfers.Count;

        public UInt128 IdAt(long index) => transfers[index].Id;
    }
}
