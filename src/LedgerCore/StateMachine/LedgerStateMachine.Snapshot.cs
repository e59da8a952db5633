using System.Diagnostics;
using LedgerCore.StateMachine.Storage;

namespace LedgerCore;

public sealed partial class LedgerStateMachine
{
    /// <summary>Freezes the state at the current batch boundary (see <see cref="SnapshotImage"/>).</summary>
    internal SnapshotImage CaptureImage()
    {
        Debug.Assert(!_undo.Recording);
        var history = new List<(int, AccountBalance[])>();
        var logs = new (int[]?, int)[_accountLogs.Count];
        for (int i = 0; i < _accountLogs.Count; i++)
        {
            ref AccountLog log = ref _accountLogs[i];
            if (log.BalanceCount > 0) history.Add((i, log.Balances.AsSpan(0, log.BalanceCount).ToArray()));
            logs[i] = (log.Transfers, log.TransferCount);
        }

        return new SnapshotImage
        {
            CommitTimestamp = _commitTimestamp,
            LastStamp = _lastStamp,
            ChangePages = _changes.BorrowPages(),
            ChangePageSize = PagedArray<ChangeRecord>.ItemsPerPage,
            ChangeCount = _changes.Count,
            Accounts = _accounts.ToArray(_accounts.Count),
            TransferPages = _transfers.BorrowPages(),
            TransferPageSize = PagedArray<Transfer>.ItemsPerPage,
            TransferCount = _transfers.Count,
            TransferStates = _transferStates.ToArray(_transferStates.Count),
            OrphanedIds = [.. _orphanedOrder],
            History = [.. history],
            Logs = logs,
        };
    }

    /// <summary>Rebuilds a machine from the parts of a snapshot; derived indexes are rebuilt here.</summary>
    internal static LedgerStateMachine Restore(ulong commitTimestamp, ReadOnlySpan<Account> accounts, int accountCapacity = 0, int transferCapacity = 0)
    {
        var machine = new LedgerStateMachine(accountCapacity, transferCapacity) { _commitTimestamp = commitTimestamp, _lastStamp = commitTimestamp };
        foreach (ref readonly Account account in accounts)
        {
            int index = machine._accounts.Add(in account);
            machine._accountLogs.Add(default);
            machine._accountIndex.Add(index);
        }

        return machine;
    }

    /// <summary>Makes room for a snapshot's transfers before they are appended.</summary>
    internal void ReserveTransfers(int count)
    {
        _transfers.Reserve(count);
        _transferStates.Reserve(count);
        _transferIndex.EnsureCapacity(count);
    }

    /// <summary>
    /// Room for up to <paramref name="count"/> restored transfers in the store itself, for the caller
    /// to read into (no intermediate copy), without their derived indexes: restore first copies every
    /// record (and its state, <see cref="AppendRestoredStates"/>), then derives the id index
    /// (<see cref="IndexRestoredTransfers"/>) and the account logs and expiries (<see cref="LogRestoredTransfers"/>).
    /// </summary>
    internal Span<Transfer> AppendRestoredTransfersInPlace(int count) => _transfers.AppendInPlace(count);

    /// <summary>Appends the states of the transfers appended in place, in order.</summary>
    internal void AppendRestoredStates(ReadOnlySpan<TransferState> states)
    {
        while (!states.IsEmpty)
        {
            Span<TransferState> target = _transferStates.AppendInPlace(states.Length);
            states[..target.Length].CopyTo(target);
            states = states[target.Length..];
        }
    }

    /// <summary>
    /// Indexes every stored transfer by id, in store order. Touches only the transfer id index, never
    /// what <see cref="LogRestoredTransfers"/> writes, so the two may run at the same time on a machine
    /// nothing else uses yet; each is sequential, so the result is the same as running them in turn.
    /// </summary>
    internal void IndexRestoredTransfers()
    {
        int count = _transfers.Count;
        for (int i = 0; i < count; i++)
        {
            if (i + SlotsAhead < count) _transferIndex.Prefetch(_transfers[i + SlotsAhead].Id);
            _transferIndex.Add(i);
        }
    }

    /// <summary>
    /// Logs every stored transfer under its two accounts and queues the deadlines of open pending
    /// transfers, in store order (see <see cref="IndexRestoredTransfers"/> for running both at once).
    /// Returns the index of the first transfer naming an account the ledger lacks, or -1.
    /// </summary>
    internal int LogRestoredTransfers()
    {
        int count = _transfers.Count;
        for (int i = 0; i < count; i++)
        {
            // The apply path's prefetch stages (the transfer's own index slot is IndexRestoredTransfers' concern).
            if (i + SlotsAhead < count) PrefetchAccountSlots(in _transfers[i + SlotsAhead]);
            if (i + RecordsAhead < count) PrefetchAccounts(in _transfers[i + RecordsAhead]);
            if (i + TailsAhead < count) PrefetchLogTails(in _transfers[i + TailsAhead]);

            ref Transfer transfer = ref _transfers[i];
            int debit = _accountIndex.Find(transfer.DebitAccountId);
            int credit = _accountIndex.Find(transfer.CreditAccountId);
            if (debit < 0 || credit < 0) return i;

            _accountLogs[debit].AddTransfer(i);
            _accountLogs[credit].AddTransfer(i);
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
    internal bool TryRestoreAccountLog(int accountIndex, int[] transfers, int count)
    {
        int previous = -1;
        for (int i = 0; i < count; i++)
        {
            int index = transfers[i];
            if (index <= previous || index >= _transfers.Count) return false;
            previous = index;
        }

        _accountLogs[accountIndex].Restore(transfers, count);
        return true;
    }

    /// <summary>Queues the deadlines of the open pending transfers restored from a snapshot, in store order.</summary>
    internal void QueueRestoredExpiries()
    {
        for (int i = 0; i < _transferStates.Count; i++)
        {
            if (_transferStates[i] != TransferState.Pending) continue;
            ref Transfer transfer = ref _transfers[i];
            if (transfer.Timeout != 0)
            {
                _expiries.Enqueue(i, ExpiryKey(transfer.Timestamp + ((ulong)transfer.Timeout * NanosecondsPerSecond), transfer.Timestamp));
            }
        }
    }

    internal void RestoreOrphan(UInt128 id) => Orphan(id);

    internal void RestoreBalance(int accountIndex, in AccountBalance balance) => _accountLogs[accountIndex].AddBalance(in balance);

    /// <summary>
    /// Room for up to <paramref name="count"/> restored change records, for the caller to read into
    /// (format 3), at most what is left of the current page; see <see cref="RestoreLastStamp"/>.
    /// </summary>
    internal Span<ChangeRecord> AppendRestoredChangesInPlace(int count) => _changes.AppendInPlace(count);

    /// <summary>The last stamp given out, from a format 3 snapshot (older formats have none: it was the commit timestamp).</summary>
    internal void RestoreLastStamp(ulong lastStamp) => _lastStamp = lastStamp;
}
