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
    internal static LedgerStateMachine Restore(ulong commitTimestamp, ReadOnlySpan<Account> accounts)
    {
        var machine = new LedgerStateMachine { _commitTimestamp = commitTimestamp };
        foreach (ref readonly Account account in accounts)
        {
            int index = machine._accounts.Add(in account);
            machine._accountLogs.Add(default);
            machine._accountIndex.Add(index);
        }

        return machine;
    }

    /// <summary>Appends a restored transfer, re-deriving its id index, account logs and expiry entry.</summary>
    internal void RestoreTransfer(in Transfer transfer, TransferState state)
    {
        int index = _transfers.Add(in transfer);
        _transferStates.Add(state);
        _transferIndex.Add(index);
        _accountLogs[_accountIndex.Find(transfer.DebitAccountId)].AddTransfer(index);
        _accountLogs[_accountIndex.Find(transfer.CreditAccountId)].AddTransfer(index);
        if (state == TransferState.Pending && transfer.Timeout != 0)
        {
            _expiries.Enqueue(index, ExpiryKey(transfer.Timestamp + ((ulong)transfer.Timeout * NanosecondsPerSecond), transfer.Timestamp));
        }
    }

    /// <summary>Whether both accounts of a restored transfer exist (a snapshot is checked before it is trusted).</summary>
    internal bool CanRestoreTransfer(in Transfer transfer) =>
        _accountIndex.Find(transfer.DebitAccountId) >= 0 && _accountIndex.Find(transfer.CreditAccountId) >= 0;

    internal void RestoreOrphan(UInt128 id) => Orphan(id);

    internal void RestoreBalance(int accountIndex, in AccountBalance balance) => _accountLogs[accountIndex].AddBalance(in balance);
}
