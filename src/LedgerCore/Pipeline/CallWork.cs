namespace LedgerCore.Pipeline;

/// <summary>
/// A call run on the processor between batches: a read, which so sees every write that completed before it
/// was issued (linearizable within the process), or work that needs the processor itself at one batch
/// boundary (its applied sequence and fencing token: a backup's capture).
/// </summary>
internal sealed class CallWork<T>(Func<Processor, T> read, CancellationToken cancellationToken) : ProcessorWork
{
    private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task<T> Task => _completion.Task;

    public override void Execute(Processor processor)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            _completion.TrySetCanceled(cancellationToken);
            return;
        }

        try
        {
            _completion.TrySetResult(read(processor));
        }
        catch (ArgumentException e) // a read's bad filter; anything else faults the processor
        {
            _completion.TrySetException(e);
        }
    }

    public override void Fail(Exception exception) => _completion.TrySetException(exception);
}
