using System.Diagnostics;

namespace LedgerCore.StateMachine.Storage;

/// <summary>
/// Per account: the indexes of the transfers that touched it and, for <see cref="AccountFlags.History"/>
/// accounts, the balances after each. Both are in timestamp order because transfers are stored in
/// timestamp order, so a timestamp range is found by binary search: O(log n + k) reads.
/// </summary>
internal struct AccountLog
{
    public int[]? Transfers;
    public int TransferCount;
    public AccountBalance[]? Balances;
    public int BalanceCount;

    public void AddTransfer(int transferIndex)
    {
        if (Transfers is null || TransferCount == Transfers.Length)
        {
            Array.Resize(ref Transfers, Math.Max(4, TransferCount * 2));
        }

        Transfers[TransferCount++] = transferIndex;
    }

    public void AddBalance(in AccountBalance balance)
    {
        if (Balances is null || BalanceCount == Balances.Length)
        {
            Array.Resize(ref Balances, Math.Max(4, BalanceCount * 2));
        }

        Balances[BalanceCount++] = balance;
    }

    public void RemoveLastTransfer(int transferIndex)
    {
        Debug.Assert(TransferCount > 0 && Transfers![TransferCount - 1] == transferIndex);
        TransferCount--;
    }

    public void RemoveLastBalance()
    {
        Debug.Assert(BalanceCount > 0);
        BalanceCount--;
        Balances![BalanceCount] = default;
    }
}
