namespace LedgerCore.Pipeline;

/// <summary>
/// A call run on the processor between batches with the processor itself (its machine, applied
/// sequence and fencing token), for work that must see one batch boundary: a backup's capture.
/// </summary>
internal sealed class CallWork<T>(Func<Processor, T> call, CancellationToken cancellationToken) : ProcessorWork
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

        _completion.TrySetResult(call(processor));
    }

    public override void Fail(Exception exception) => _completion.TrySetException(exception);
}
