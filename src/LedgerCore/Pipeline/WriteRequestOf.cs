using System.Runtime.InteropServices;

namespace LedgerCore.Pipeline;

/// <summary>A <see cref="WriteRequest"/> for events of type <typeparamref name="TEvent"/> answered with <typeparamref name="TResult"/> failures.</summary>
internal sealed class WriteRequest<TEvent, TResult> : WriteRequest
    where TEvent : unmanaged
    where TResult : struct
{
    private readonly ReadOnlyMemory<TEvent> _events;
    private readonly TaskCompletionSource<TResult[]> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public WriteRequest(LedgerOperation operation, ReadOnlyMemory<TEvent> events, bool coalescable, CancellationToken cancellationToken)
        : base(operation, events.Length, coalescable, cancellationToken)
    {
        _events = events;
    }

    public Task<TResult[]> Task => _completion.Task;

    public override void CopyEvents(Span<byte> destination) => MemoryMarshal.AsBytes(_events.Span).CopyTo(destination);

    public void Complete(TResult[] results) => _completion.TrySetResult(results);

    public override void Fail(Exception exception) => _completion.TrySetException(exception);

    public override void Cancel() => _completion.TrySetCanceled(CancellationToken);
}
