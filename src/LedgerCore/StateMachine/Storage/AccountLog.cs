using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace LedgerCore.StateMachine.Storage;

/// <summary>
/// Per account: the indexes of the transfers that touched it and, for <see cref="AccountFlags.History"/>
/// accounts, the balances after each. Both are in timestamp order because transfers are stored in
/// timestamp order, so a timestamp range is found by binary search: O(log n + k) reads.
/// </summary>
/// <remarks>
/// For change events (<see cref="LedgerStateMachine.GetChangeEvents"/>) the account's events are its
/// log entries and its expiries, merged by timestamp. The expiries are positions in the machine's
/// expiry list (only allocated for an account that has any); every <see cref="CheckpointInterval"/>-th
/// event leaves a <see cref="BalanceCheckpoint"/>, taken when the account is hot in cache anyway. The
/// account as it stood after any event is then its nearest checkpoint plus fewer than
/// <see cref="CheckpointInterval"/> events replayed. RAM: 72 B per 32 events, about 2.25 B per log
/// entry, so 4.5 B per transfer (two accounts), instead of a copy of both accounts per transfer.
/// </remarks>
internal struct AccountLog
{
    /// <summary>Change events between checkpoints: reads replay fewer than this many; a power of two.</summary>
    public const int CheckpointInterval = 32;

    public int[]? Transfers;
    public int TransferCount;

    // Kept beside the count so an append never loads the array's header: with many accounts every
    // log is cold, and the append is then a store (absorbed by the store buffer), not a load miss.
    private int _transferCapacity;
    public AccountBalance[]? Balances;
    public int BalanceCount;

    /// <summary>Positions in the machine's expiry list of the expiries that touched the account, in order.</summary>
    public int[]? Expiries;
    public int ExpiryCount;
    public BalanceCheckpoint[]? Checkpoints;
    public int CheckpointCount;

    /// <summary>Whether the account's last event (just applied) is one that leaves a checkpoint.</summary>
    public readonly bool CheckpointDue
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => ((TransferCount + ExpiryCount) & (CheckpointInterval - 1)) == 0;
    }

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

    /// <summary>Gives an empty log room for <paramref name="capacity"/> transfers (and their checkpoints) up front.</summary>
    public void Reserve(int capacity)
    {
        if (Transfers is null && capacity > 0)
        {
            Transfers = new int[capacity];
            _transferCapacity = capacity;
            Checkpoints = new BalanceCheckpoint[(capacity / CheckpointInterval) + 1];
        }
    }

    /// <summary>Records the account's state after its event just applied (see <see cref="CheckpointDue"/>).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public void AddCheckpoint(in Account account)
    {
        if (Checkpoints is null || CheckpointCount == Checkpoints.Length)
        {
            Array.Resize(ref Checkpoints, Math.Max(4, CheckpointCount * 2));
        }

        Checkpoints[CheckpointCount++] = new BalanceCheckpoint(in account, TransferCount, ExpiryCount);
    }

    public void AddExpiry(int position)
    {
        if (Expiries is null || ExpiryCount == Expiries.Length)
        {
            Array.Resize(ref Expiries, Math.Max(4, ExpiryCount * 2));
        }

        Expiries[ExpiryCount++] = position;
    }

    /// <summary>Takes over expiries and checkpoints restored from a snapshot (the arrays become the log's own).</summary>
    public void RestoreEvents(int[]? expiries, int expiryCount, BalanceCheckpoint[]? checkpoints, int checkpointCount)
    {
        Expiries = expiries;
        ExpiryCount = expiryCount;
        Checkpoints = checkpoints;
        CheckpointCount = checkpointCount;
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

    /// <summary>Forgets the newest log entry (chain rollback), and the checkpoint its append left, if any.</summary>
    public void RemoveLastTransfer(int transferIndex)
    {
        Debug.Assert(TransferCount > 0 && Transfers![TransferCount - 1] == transferIndex);
        if (CheckpointCount > 0 && Checkpoints![CheckpointCount - 1].LogCount == TransferCount &&
            Checkpoints[CheckpointCount - 1].ExpiryCount == ExpiryCount)
        {
            CheckpointCount--;
        }

        TransferCount--;
    }

    public void RemoveLastBalance()
    {
        Debug.Assert(BalanceCount > 0);
        BalanceCount--;
        Balances![BalanceCount] = default;
    }
}
