using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

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

    // Kept beside the count so an append never loads the array's header: with many accounts every
    // log is cold, and the append is then a store (absorbed by the store buffer), not a load miss.
    private int _transferCapacity;
    public AccountBalance[]? Balances;
    public int BalanceCount;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void AddTransfer(int transferIndex)
    {
        // The null test is on a register: the JIT then knows the array is there and emits no null
        // check that would load its (cold) header line.
        int[]? transfers = Transfers;
        if (transfers is null || TransferCount == _transferCapacity)
        {
            AddTransferGrowing(transferIndex);
            return;
        }

        Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(transfers), TransferCount++) = transferIndex;
    }

    /// <summary>Takes over a log restored from a snapshot (the array becomes the log's own).</summary>
    public void Restore(int[] transfers, int count)
    {
        Transfers = transfers;
        TransferCount = count;
        _transferCapacity = transfers.Length;
    }

    /// <summary>Gives an empty log room for <paramref name="capacity"/> transfers up front.</summary>
    public void Reserve(int capacity)
    {
        if (Transfers is null && capacity > 0)
        {
            Transfers = new int[capacity];
            _transferCapacity = capacity;
        }
    }

    /// <summary>Prefetches where the next <see cref="AddTransfer"/> writes.</summary>
    public readonly void PrefetchTail()
    {
        int[]? transfers = Transfers;
        if (transfers is not null && TransferCount < _transferCapacity)
        {
            Prefetcher.Line(ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(transfers), TransferCount));
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void AddTransferGrowing(int transferIndex)
    {
        _transferCapacity = Math.Max(4, TransferCount * 2);
        Array.Resize(ref Transfers, _transferCapacity);
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
