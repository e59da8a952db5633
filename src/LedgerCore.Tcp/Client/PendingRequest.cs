namespace LedgerCore.Tcp;

/// <summary>A request sent and not yet answered: completed by the read loop with its response or an error.</summary>
internal abstract class PendingRequest
{
    /// <summary>Decodes the response body and completes the caller's task.</summary>
    public abstract void Complete(ReadOnlyMemory<byte> body);

    /// <summary>Fails the caller's task.</summary>
    public abstract void Fail(Exception exception);
}
