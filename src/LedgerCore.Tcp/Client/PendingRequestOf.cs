using LedgerCore.Tcp.Protocol;

namespace LedgerCore.Tcp;

/// <summary>A pending request whose response decodes to <typeparamref name="T"/>.</summary>
internal sealed class PendingRequest<T>(Func<ReadOnlyMemory<byte>, T> decode) : PendingRequest
{
    // Continuations run asynchronously so a caller never runs on (and stalls) the read loop.
    private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task<T> Task => _completion.Task;

    public override void Complete(ReadOnlyMemory<byte> body)
    {
        T value;
        try
        {
            value = decode(body);
        }
        catch (Exception ex) when (BodyCodec.IsMalformed(ex))
        {
            _completion.TrySetException(new LedgerTcpException(LedgerTcpErrorCode.MalformedBody, "The server's response could not be decoded: " + ex.Message));
            return;
        }

        _completion.TrySetResult(value);
    }

    public override void Fail(Exception exception) => _completion.TrySetException(exception);

    public void Cancel(CancellationToken cancellationToken) => _completion.TrySetCanceled(cancellationToken);
}
