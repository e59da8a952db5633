using System.Runtime.InteropServices;

namespace LedgerCore.Journal;

/// <summary>
/// Applies journal records to a state machine during recovery, with the same fencing rule as the
/// processor: a record whose token is below one already applied came from a stale writer and is
/// skipped, never merged.
/// </summary>
internal sealed class JournalReplay(LedgerStateMachine machine, ulong highestFencingToken)
{
    public ulong HighestFencingToken { get; private set; } = highestFencingToken;

    public long Records { get; private set; }

    public long Events { get; private set; }

    public long StaleRecordsSkipped => _stale.Count;

    /// <summary>The sequences of the records skipped as stale, for the change feed to leave out too.</summary>
    public IReadOnlySet<long> StaleSequences => _stale;

    private readonly HashSet<long> _stale = [];

    public void Apply(in JournalRecordInfo info, ReadOnlySpan<byte> payload)
    {
        if (info.FencingToken < HighestFencingToken)
        {
            _stale.Add(info.Sequence);
            return;
        }

        if (!machine.CanApply(info.EventCount, info.Timestamp))
        {
            throw new LedgerCorruptedException(
                $"Journal record {info.Sequence} has timestamp {info.Timestamp}, which does not advance past {machine.CommitTimestamp}; the journal is not one this ledger wrote.");
        }

        HighestFencingToken = info.FencingToken;
        if (info.Operation == LedgerOperation.CreateAccounts)
        {
            machine.CreateAccounts(MemoryMarshal.Cast<byte, Account>(payload), info.Timestamp);
        }
        else
        {
            machine.CreateTransfers(MemoryMarshal.Cast<byte, Transfer>(payload), info.Timestamp);
        }

        Records++;
        Events += info.EventCount;
    }
}
