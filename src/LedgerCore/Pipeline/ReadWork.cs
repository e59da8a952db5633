namespace LedgerCore.Pipeline;

/// <summary>
/// A read answered by the processor between batches, so it sees every write that completed before it
/// was issued (linearizable within the process).
/// </summary>
internal sealed class ReadWork<T>(Func<LedgerStateMachine, T> read, CancellationToken cancellationToken) : ProcessorWork
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
            _completion.TrySetResult(read(processor.Machine));
        }
        catch (Exception e) when (e is ArgumentException)
        {
            _completion.TrySetException(e);
        }
    }

    public override void Fail(Exception exception) => _completion.TrySetException(exception);
}
