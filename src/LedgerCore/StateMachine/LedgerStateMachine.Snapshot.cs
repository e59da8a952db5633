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
        for (int i = 0; i < _accountLogs.Count; i++)
        {
            ref AccountLog log = ref _accountLogs[i];
            if (log.BalanceCount > 0) history.Add((i, log.Balances.AsSpan(0, log.BalanceCount).ToArray()));
        }

        return new SnapshotImage
        {
            CommitTimestamp = _commitTimestamp,
            Accounts = _accounts.ToArray(_accounts.Count),
            TransferPages = _transfers.BorrowPages(),
            TransferPageSize = PagedArray<Transfer>.ItemsPerPage,
            TransferCount = _transfers.Count,
            TransferStates = _transferStates.ToArray(_transferStates.Count),
            OrphanedIds = [.. _orphanedOrder],
            History = [.. history],
        };
    }

    /// <summary>Rebuilds a machine from the parts of a snapshot; derived indexes are rebuilt here.</summary>
    internal static LedgerStateMachine Restore(ulong commitTimestamp, ReadOnlySpan<Account> accounts, int accountCapacity = 0, int transferCapacity = 0)
    {
        var machine = new LedgerStateMachine(accountCapacity, transferCapacity) { _commitTimestamp = commitTimestamp };
        foreach (ref readonly Account account in accounts)
        {
            int index = machine._accounts.Add(in account);
            machine._accountLogs.Add(default);
            machine._accountIndex.Add(index);
        }

        return machine;
    }

    /// <summary>Prefetches for restoring <c>transfers[ahead]</c> what the apply path prefetches for applying it.</summary>
    internal void PrefetchRestore(ReadOnlySpan<Transfer> transfers, int ahead) => CreateTransferOperation.Prefetch(this, transfers, ahead);

    /// <summary>Makes room for a snapshot's transfers before they are restored one by one.</summary>
    internal void ReserveTransfers(int count) => _transferIndex.EnsureCapacity(count);

    /// <summary>
    /// Appends a restored transfer, re-deriving its id index, account logs and expiry entry. Returns
    /// false, changing nothing, when an account it names is missing (a snapshot is checked before it
    /// is trusted).
    /// </summary>
    internal bool TryRestoreTransfer(in Transfer transfer, TransferState state)
    {
        int debit = _accountIndex.Find(transfer.DebitAccountId);
        int credit = _accountIndex.Find(transfer.CreditAccountId);
        if (debit < 0 || credit < 0) return false;

        int index = _transfers.Add(in transfer);
        _transferStates.Add(state);
        _transferIndex.Add(index);
        _accountLogs[debit].AddTransfer(index);
        _accountLogs[credit].AddTransfer(index);
        if (state == TransferState.Pending && transfer.Timeout != 0)
        {
            _expiries.Enqueue(index, ExpiryKey(transfer.Timestamp + ((ulong)transfer.Timeout * NanosecondsPerSecond), transfer.Timestamp));
        }

        return true;
    }

    internal void RestoreOrphan(UInt128 id) => Orphan(id);

    internal void RestoreBalance(int accountIndex, in AccountBalance balance) => _accountLogs[accountIndex].AddBalance(in balance);
}
