using LedgerCore.Pipeline;

namespace LedgerCore.Cluster.Replication;

/// <summary>Replaces the processor's state with a snapshot received from the leader (already durable).</summary>
internal sealed class SnapshotInstall(LedgerStateMachine machine, ulong highestFencingToken, Action<Processor> installed) : ProcessorWork
{
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Done => _done.Task;

    public override void Execute(Processor processor)
    {
        processor.Restore(machine, highestFencingToken);
        installed(processor);
        _done.TrySetResult();
    }

    public override void Fail(Exception exception) => _done.TrySetException(exception);
}
