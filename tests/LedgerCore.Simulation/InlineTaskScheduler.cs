namespace LedgerCore.Simulation;

/// <summary>
/// Runs every task synchronously on the thread that queues it. Given to the engine as its snapshot
/// scheduler, so a snapshot is written on the processor between two batches, at a point that depends only
/// on the seed, instead of on a pool thread racing the journal.
/// </summary>
internal sealed class InlineTaskScheduler : TaskScheduler
{
    public static readonly InlineTaskScheduler Instance = new();

    public override int MaximumConcurrencyLevel => 1;

    protected override void QueueTask(Task task) => TryExecuteTask(task);

    protected override bool TryExecuteTaskInline(Task task, bool taskWasPreviouslyQueued) => TryExecuteTask(task);

    protected override IEnumerable<Task> GetScheduledTasks() => [];
}
