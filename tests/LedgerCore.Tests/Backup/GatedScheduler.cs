namespace LedgerCore.Tests.Backup;

/// <summary>Holds queued tasks until <see cref="Release"/>, so a test can act between a backup's capture and its writing.</summary>
internal sealed class GatedScheduler : TaskScheduler
{
    private readonly Lock _gate = new();
    private readonly List<Task> _queued = [];
    private readonly TaskCompletionSource _first = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _released;

    /// <summary>Completes when the first task is queued.</summary>
    public Task Queued => _first.Task;

    public void Release()
    {
        Task[] held;
        lock (_gate)
        {
            _released = true;
            held = [.. _queued];
            _queued.Clear();
        }

        foreach (Task task in held) ThreadPool.QueueUserWorkItem(_ => TryExecuteTask(task));
    }

    protected override void QueueTask(Task task)
    {
        lock (_gate)
        {
            if (!_released)
            {
                _queued.Add(task);
                _first.TrySetResult();
                return;
            }
        }

        ThreadPool.QueueUserWorkItem(_ => TryExecuteTask(task));
    }

    protected override bool TryExecuteTaskInline(Task task, bool taskWasPreviouslyQueued) => false;

    protected override IEnumerable<Task> GetScheduledTasks()
    {
        lock (_gate) return [.. _queued];
    }
}
