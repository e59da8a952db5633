using System.Runtime.InteropServices;
using LedgerCore.Journal;
using LedgerCore.Pipeline;

namespace LedgerCore.Cluster.Replication;

/// <summary>
/// One committed Raft entry's journal record, applied on the processor (the only code touching the
/// state machine) on every replica, by the rules of recovery (<see cref="JournalReplay"/>): a record
/// whose fencing token is below one applied is skipped as stale, one whose timestamp does not advance
/// is corruption. On the leader it also answers the batch's callers, from the record's own results.
/// </summary>
internal sealed class ReplicatedRecord : ProcessorWork
{
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly LedgerStateMachineAdapter _adapter;
    private readonly byte[] _record;
    private readonly JournalRecordInfo _info;
    private readonly long _index;
    private readonly long _term;
    private readonly PendingBatch? _context;

    public ReplicatedRecord(LedgerStateMachineAdapter adapter, long index, long term, in JournalRecordInfo info, byte[] record, PendingBatch? context)
    {
        _adapter = adapter;
        _index = index;
        _term = term;
        _info = info;
        _record = record;
        _context = context is not null && context.Matches(info.Sequence, info.FencingToken) ? context : null;
    }

    /// <summary>Completes once the record is applied (or skipped), faults with what stopped it.</summary>
    public Task Done => _done.Task;

    /// <summary>Whether the record changed the state (false when skipped as stale); read after <see cref="Done"/>.</summary>
    public bool Applied { get; private set; }

    public override void Execute(Processor processor)
    {
        LedgerStateMachine machine = processor.Machine;
        ReadOnlySpan<byte> events = _record.AsSpan(JournalFormat.RecordHeaderSize, _info.EventCount * JournalFormat.EventSize);
        if (_info.FencingToken < processor.HighestFencingToken)
        {
            // Cannot happen on a Raft log (terms never decrease along it); kept as recovery's tripwire.
            _context?.Fail(new StaleFencingTokenException($"Batch {_info.Sequence} carries fencing token {_info.FencingToken}, below token {processor.HighestFencingToken} already applied."));
            _adapter.Skipped(_index);
            _done.TrySetResult();
            return;
        }

        if (!machine.CanApply(_info.EventCount, _info.Timestamp))
        {
            throw new LedgerCorruptedException(
                $"Raft entry {_index} holds batch {_info.Sequence} with timestamp {_info.Timestamp}, which does not advance past {machine.CommitTimestamp}.");
        }

        processor.AdmitFencingToken(_info.FencingToken);
        if (_info.Operation == LedgerOperation.CreateAccounts)
        {
            CreateAccountsResult[] results = machine.CreateAccounts(MemoryMarshal.Cast<byte, Account>(events), _info.Timestamp);
            _adapter.Advance(_index, in _info);
            _context?.Complete(results);
        }
        else
        {
            CreateTransfersResult[] results = machine.CreateTransfers(MemoryMarshal.Cast<byte, Transfer>(events), _info.Timestamp);
            _adapter.Advance(_index, in _info);
            _context?.Complete(results);
        }

        _adapter.Applied(processor, _index, _term, in _info);
        Applied = true;
        _done.TrySetResult();
    }

    public override void Fail(Exception exception)
    {
        _context?.Fail(exception);
        _done.TrySetException(exception);
    }
}
