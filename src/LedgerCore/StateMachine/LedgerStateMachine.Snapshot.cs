using System.Diagnostics;
using LedgerCore.StateMachine.Storage;

namespace LedgerCore;

public sealed partial class LedgerStateMachine
{
    /// <summary>
    /// Freezes the state at the current batch boundary (see <see cref="SnapshotImage"/>): all of it, or
    /// with <paramref name="checkpoint"/> what a checkpoint needs beside the store's files (the states are
    /// then not copied, see <see cref="StoreImage"/>).
    /// </summary>
    internal SnapshotImage CaptureImage(bool checkpoint = false)
    {
        Debug.Assert(!_undo.Recording);
        if (_firstTransfer != 0) throw new InvalidOperationException("A ledger at a synthetic offset (a test's) takes no snapshot.");
        var history = new List<(long, AccountBalance[])>();
        var logs = new FrozenLog[AccountsInOneArray()];
        for (int i = 0; i < logs.Length; i++)
        {
            ref AccountLog log = ref _accountLogs[i];
            if (log.BalanceCount > 0) history.Add((i, log.Balances.AsSpan(0, log.BalanceCount).ToArray()));
            logs[i] = new FrozenLog(log.Chunks, log.TransferCount, log.HighStarts, log.HighStartCount, log.Expiries, log.ExpiryCount, log.Checkpoints, log.CheckpointCount);
        }

        return new SnapshotImage
        {
            CommitTimestamp = _commitTimestamp,
            ChangeEventsFrom = _changeEventsFrom,
            ExpiryPages = _expired.BorrowPages(),
            ExpiryPageSize = PagedArray<ExpiryRecord>.ItemsPerPage,
            ExpiryCount = _expired.Count,
            Accounts = _accounts.ToArray(logs.Length),
            TransferPages = _transfers.BorrowPages(),
            TransferCount = _transfers.Count,
            TransferStates = checkpoint ? null : _transferStates.CopyPages(),
            OrphanedIds = [.. _orphanedOrder],
            History = [.. history],
            Logs = logs,
            Checkpoints = _checkpoints.BorrowPages(),
            Pages = _pages,
            Store = checkpoint ? CaptureStore() : null,
        };
    }

    private StoreImage CaptureStore()
    {
        var open = new long[_openPendings.Count];
        _openPendings.CopyTo(open);
        return new StoreImage
        {
            OpenPendings = open,
            Chunks = _logChunks.Numbers(),
            ChunkCount = _logChunks.Count,
            CheckpointCount = _checkpoints.Count,
            TransferRuns = _transferIndex.Capture(),
        };
    }

    // A snapshot image holds the accounts and their logs in arrays: beyond 2^31 accounts (256 GiB of
    // them in memory) it cannot be taken, and says so rather than truncating.
    private int AccountsInOneArray() => _accounts.Count <= Array.MaxLength
        ? (int)_accounts.Count
        : throw new InvalidOperationException($"A snapshot holds at most {Array.MaxLength} accounts; this ledger has {_accounts.Count}.");

    /// <summary>Rebuilds a machine from the parts of a snapshot; derived indexes are rebuilt here.</summary>
    internal static LedgerStateMachine Restore(ulong commitTimestamp, ReadOnlySpan<Account> accounts, int accountCapacity = 0, long transferCapacity = 0, StorePages? pages = null)
    {
        var machine = new LedgerStateMachine(accountCapacity, transferCapacity, pages ?? StorePages.InMemory()) { _commitTimestamp = commitTimestamp };
        foreach (ref readonly Account account in accounts)
        {
            long index = machine._accounts.Add(in account);
            machine._accountLogs.Add(default);
            machine._accountIndex.Add(index);
        }

        return machine;
    }

    /// <summary>Makes room for a snapshot's transfers before they are appended.</summary>
    internal void ReserveTransfers(long count)
    {
        _transfers.Reserve(count);
        _transferStates.Reserve(count);
        _transferIndex.EnsureCapacity(count);
    }

    /// <summary>
    /// Room for up to <paramref name="count"/> restored transfers in the store itself, for the caller
    /// to read into (no intermediate copy), without their derived indexes: restore first copies every
    /// record (and its state, <see cref="AppendRestoredStatesInPlace"/>), then derives the id index
    /// (<see cref="IndexRestoredTransfers"/>) and the account logs and expiries (<see cref="LogRestoredTransfers"/>).
    /// </summary>
    internal Span<Transfer> AppendRestoredTransfersInPlace(long count) => _transfers.AppendInPlace((int)Math.Min(count, int.MaxValue));

    /// <summary>Room for the states of the transfers appended in place, in order, as <see cref="AppendRestoredTransfersInPlace"/>.</summary>
    internal Span<TransferState> AppendRestoredStatesInPlace(long count) => _transferStates.AppendInPlace((int)Math.Min(count, int.MaxValue));

    /// <summary>
    /// Indexes every stored transfer by id, in store order. Touches only the transfer id index, never
    /// what <see cref="LogRestoredTransfers"/> writes, so the two may run at the same time on a machine
    /// nothing else uses yet; each is sequential, so the result is the same as running them in turn.
    /// </summary>
    internal void IndexRestoredTransfers()
    {
        long count = _transfers.Count;
        for (long i = 0; i < count; i++)
        {
            _transfers.ScanAhead(i);
            if (i + SlotsAhead < count) _transferIndex.Prefetch(_transfers[i + SlotsAhead].Id);
            _transferIndex.Add(i);
            _transferIndex.FreezeIfFull();
        }
    }

    /// <summary>
    /// Logs every stored transfer under its two accounts and queues the deadlines of open pending
    /// transfers, in store order (see <see cref="IndexRestoredTransfers"/> for running both at once).
    /// Returns the index of the first transfer naming an account the ledger lacks, or -1.
    /// </summary>
    internal long LogRestoredTransfers()
    {
        long count = _transfers.Count;
        for (long i = 0; i < count; i++)
        {
            _transfers.ScanAhead(i);
            // The apply path's prefetch stages (the transfer's own index slot is IndexRestoredTransfers' concern).
            if (i + SlotsAhead < count) PrefetchAccountSlots(in _transfers[i + SlotsAhead]);
            if (i + RecordsAhead < count) PrefetchAccounts(in _transfers[i + RecordsAhead]);
            if (i + TailsAhead < count) PrefetchLogTails(in _transfers[i + TailsAhead]);

            ref Transfer transfer = ref _transfers[i];
            long debit = _accountIndex.Find(transfer.DebitAccountId);
            long credit = _accountIndex.Find(transfer.CreditAccountId);
            if (debit < 0 || credit < 0) return i;

            _accountLogs[debit].AddTransfer(i, _logChunks);
            _accountLogs[credit].AddTransfer(i, _logChunks);
            if (_transferStates[i] == TransferState.Pending) _openPendings.Add(i);
            if (_transferStates[i] == TransferState.Pending && transfer.Timeout != 0)
            {
                _expiries.Enqueue(i, ExpiryKey(transfer.Timestamp + ((ulong)transfer.Timeout * NanosecondsPerSecond), transfer.Timestamp));
            }
        }

        return -1;
    }

    /// <summary>
    /// Installs an account's transfer log read from a snapshot (format 2 stores the logs, so restart
    /// does not rebuild them from the transfers). Returns false, changing nothing, when an entry is not
    /// a stored transfer or the entries are not in store order.
    /// </summary>
    internal bool TryRestoreAccountLog(long accountIndex, uint[] transfers, int count, ulong[]? highStarts, int highStartCount)
    {
        // Changes of the high half: at rising positions within the log, to rising high halves (from 0).
        int previousStart = -1;
        uint previousHigh = 0;
        for (int i = 0; i < highStartCount; i++)
        {
            int start = (int)(highStarts![i] >> 32);
            uint high = unchecked((uint)highStarts[i]);
            if (start <= previousStart || start >= count || high <= previousHigh) return false;
            previousStart = start;
            previousHigh = high;
        }

        long previous = -1;
        for (int i = 0; i < count; i++)
        {
            long index = AccountLog.TransferAt(transfers, highStarts, highStartCount, i);
            if (index <= previous || index >= _transfers.Count) return false;
            previous = index;
        }

        _accountLogs[accountIndex].Restore(transfers.AsSpan(0, count), highStarts, highStartCount, _logChunks);
        return true;
    }

    /// <summary>Lists the open pending transfers restored from a snapshot and queues their deadlines, in store order.</summary>
    internal void QueueRestoredExpiries()
    {
        for (long i = 0; i < _transferStates.Count; i++)
        {
            _transfers.ScanAhead(i);
            if (_transferStates[i] != TransferState.Pending) continue;
            _openPendings.Add(i);
            ref Transfer transfer = ref _transfers[i];
            if (transfer.Timeout != 0)
            {
                _expiries.Enqueue(i, ExpiryKey(transfer.Timestamp + ((ulong)transfer.Timeout * NanosecondsPerSecond), transfer.Timestamp));
            }
        }
    }

    internal void RestoreOrphan(UInt128 id) => Orphan(id);

    internal void RestoreBalance(long accountIndex, in AccountBalance balance) => _accountLogs[accountIndex].AddBalance(in balance);

    /// <summary>
    /// Room for up to <paramref name="count"/> restored expiries, for the caller to read into (format 3),
    /// at most what is left of the current page; see <see cref="TryRestoreAccountEvents"/>.
    /// </summary>
    internal Span<ExpiryRecord> AppendRestoredExpiriesInPlace(long count) => _expired.AppendInPlace((int)Math.Min(count, int.MaxValue));

    /// <summary>
    /// Installs an account's expiries and checkpoints read from a format 3 snapshot. Returns false,
    /// changing nothing, when they do not fit the account's log and the expiry list (positions out of
    /// order or missing, checkpoints out of order or beyond the account's events).
    /// </summary>
    internal bool TryRestoreAccountEvents(long accountIndex, int[]? expiries, int expiryCount, BalanceCheckpoint[]? checkpoints, int checkpointCount)
    {
        int previous = -1;
        for (int i = 0; i < expiryCount; i++)
        {
            if (expiries![i] <= previous || expiries[i] >= _expired.Count) return false;
            previous = expiries[i];
        }

        ref AccountLog log = ref _accountLogs[accountIndex];
        previous = 0;
        for (int i = 0; i < checkpointCount; i++)
        {
            ref BalanceCheckpoint checkpoint = ref checkpoints![i];
            if (checkpoint.EventCount <= previous || checkpoint.LogCount > log.TransferCount || checkpoint.ExpiryCount > expiryCount) return false;
            previous = checkpoint.EventCount;
        }

        log.RestoreEvents(expiries, expiryCount, checkpoints.AsSpan(0, checkpointCount), _checkpoints);
        return true;
    }

    /// <summary>
    /// After a restore from a snapshot older than format 3, which kept no expiries: change events start
    /// from here, and each account's current state is the checkpoint later events are computed from.
    /// </summary>
    internal void StartChangeEventsHere()
    {
        _changeEventsFrom = _transfers.Count;
        for (long i = 0; i < _accountLogs.Count; i++)
        {
            ref AccountLog log = ref _accountLogs[i];
            if (log.TransferCount > 0) log.AddCheckpoint(in _accounts[i], _checkpoints);
        }
    }

    /// <summary>Where change events start, from a format 3 snapshot; false when beyond the stored transfers.</summary>
    internal bool TryRestoreChangeEventsFrom(ulong transferIndex)
    {
        if (transferIndex > (ulong)_transfers.Count) return false;
        _changeEventsFrom = (int)transferIndex;
        return true;
    }
}
