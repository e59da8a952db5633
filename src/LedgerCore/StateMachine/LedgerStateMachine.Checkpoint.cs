using LedgerCore.StateMachine.Storage;

namespace LedgerCore;

public sealed partial class LedgerStateMachine
{
    /// <summary>
    /// A machine reopened from a checkpoint that left the history in the store's files (snapshot format
    /// 5): the stores hold the <paramref name="transferCount"/> transfers and states,
    /// <paramref name="chunkCount"/> log chunks and <paramref name="checkpointCount"/> balance checkpoints
    /// it names (and perhaps more, written after it: appends overwrite them), the transfer ids are in
    /// <paramref name="transferRuns"/> (oldest first, covering every transfer). The caller then installs
    /// the logs, the open pending transfers and the rest.
    /// </summary>
    /// <exception cref="LedgerCorruptedException">A store file the checkpoint names is missing or short.</exception>
    internal static LedgerStateMachine Reopen(ulong commitTimestamp, ReadOnlySpan<Account> accounts, StorePages pages, IdRun[] transferRuns, long transferCount, long chunkCount, long checkpointCount)
    {
        pages.RequireExisting(transferCount, chunkCount, checkpointCount);
        var machine = new LedgerStateMachine(pages, transferRuns) { _commitTimestamp = commitTimestamp };
        foreach (ref readonly Account account in accounts)
        {
            long index = machine._accounts.Add(in account);
            machine._accountLogs.Add(default);
            machine._accountIndex.Add(index);
        }

        machine._transfers.Adopt(transferCount);
        machine._transferStates.Adopt(transferCount);
        machine._logChunks.Adopt(chunkCount);
        machine._checkpoints.Adopt(checkpointCount);
        return machine;
    }

    /// <summary>
    /// Installs an account's log a checkpoint named (chunks by number, expiries and checkpoints by
    /// position). Returns false, changing nothing, when a number or position is beyond its store.
    /// </summary>
    internal bool TryReopenAccountLog(long accountIndex, long[] chunkNumbers, int count, ulong[]? highStarts, int highStartCount,
        int[]? expiries, int expiryCount, long[]? checkpoints, int checkpointCount)
    {
        if ((long)chunkNumbers.Length * LogChunks.Entries < count) return false;
        var chunks = new nint[chunkNumbers.Length + (chunkNumbers.Length >> 2) + 2];
        for (int i = 0; i < chunkNumbers.Length; i++)
        {
            if ((ulong)chunkNumbers[i] >= (ulong)_logChunks.Count) return false;
            unsafe
            {
                chunks[i] = (nint)_logChunks.At(chunkNumbers[i]);
            }
        }

        for (int i = 0; i < expiryCount; i++)
        {
            if ((ulong)expiries![i] >= (ulong)_expired.Count) return false;
        }

        for (int i = 0; i < checkpointCount; i++)
        {
            if ((ulong)checkpoints![i] >= (ulong)_checkpoints.Count) return false;
        }

        if (count > 0 && AccountLog.TransferAt(chunks, highStarts, highStartCount, count - 1) >= _transfers.Count) return false;
        _accountLogs[accountIndex].Adopt(chunks, chunkNumbers.Length, count, highStarts, highStartCount, expiries, expiryCount, checkpoints, checkpointCount);
        return true;
    }

    /// <summary>
    /// Sets a pending transfer open at the checkpoint back to pending (the file may hold a post, void or
    /// expiry applied after the checkpoint, which the replay applies again) and queues its deadline.
    /// Returns false when the index is not a stored pending transfer.
    /// </summary>
    internal bool TryReopenPending(long index)
    {
        if ((ulong)index >= (ulong)_transfers.Count) return false;
        ref Transfer transfer = ref _transfers[index];
        if ((transfer.Flags & TransferFlags.Pending) == 0 || !_openPendings.Add(index)) return false;
        _transferStates[index] = TransferState.Pending;
        if (transfer.Timeout != 0)
        {
            _expiries.Enqueue(index, ExpiryKey(transfer.Timestamp + ((ulong)transfer.Timeout * NanosecondsPerSecond), transfer.Timestamp));
        }

        return true;
    }

    /// <summary>
    /// A cheap check that the reopened stores are the ones the checkpoint named: the newest transfer is
    /// stamped at or before the checkpoint's commit and found by its id at its own index.
    /// </summary>
    internal bool StoreMatches()
    {
        long count = _transfers.Count;
        if (_transferIndex.Count != count) return false;
        if (count == 0) return true;
        ref Transfer last = ref _transfers[count - 1];
        return last.Timestamp != 0 && last.Timestamp <= _commitTimestamp && _transferIndex.Find(last.Id) == count - 1;
    }

    internal void RestoreChangeEventsFrom(long transferIndex) => _changeEventsFrom = transferIndex;

    /// <summary>Waits for the transfer id index's background writes and merge (tests).</summary>
    internal void WaitForIdRuns() => _transferIndex.WaitForRuns();
}
