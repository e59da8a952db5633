namespace LedgerCore.Pipeline;

/// <summary>
/// One caller's create batch, from the call until its results (or failure) are delivered. The
/// sequencer may coalesce several requests of one operation into one journaled batch.
/// </summary>
internal abstract class WriteRequest
{
    protected WriteRequest(LedgerOperation operation, int count, bool coalescable, CancellationToken cancellationToken)
    {
        Operation = operation;
        Count = count;
        Coalescable = coalescable;
        CancellationToken = cancellationToken;
    }

    public LedgerOperation Operation { get; }

    public int Count { get; }

    /// <summary>
    /// Whether this request may share a batch with others: not when it ends in an open linked chain
    /// (the chain would run into the next caller's events) or holds imported events (the imported rule
    /// looks at the batch's first event). Such a request travels alone, so its results are exactly
    /// those it would get by itself.
    /// </summary>
    public bool Coalescable { get; }

    public CancellationToken CancellationToken { get; }

    /// <summary>Copies the events, as their 128-byte layout, into the batch payload.</summary>
    public abstract void CopyEvents(Span<byte> destination);

    public abstract void Fail(Exception exception);

    public abstract void Cancel();
}
