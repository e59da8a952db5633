using LedgerCore.Pipeline;

namespace LedgerCore.Cluster.Replication;

/// <summary>
/// A sequenced batch between its append to the Raft log and its callers' answer: the Raft entry's
/// context on the leader. Finished once, by whichever comes first: the applier completing it, or the
/// replication stage failing it when leadership is lost.
/// </summary>
internal sealed class PendingBatch(Batch batch, SemaphoreSlim slots)
{
    private int _finished;

    public Batch Batch => batch;

    public bool IsFinished => Volatile.Read(ref _finished) != 0;

    /// <summary>
    /// Whether a record is this batch's: a deposed leader keeps the context of an index a new leader
    /// overwrote, so the record's own sequence and fencing token (the term that sequenced it; one leader
    /// per term, one batch per sequence in a term) are checked before the context is trusted.
    /// </summary>
    public bool Matches(long sequence, ulong fencingToken) => batch.Sequence == sequence && batch.FencingToken == fencingToken;

    public void Complete(CreateAccountsResult[] results)
    {
        batch.Complete(results);
        Finish();
    }

    public void Complete(CreateTransfersResult[] results)
    {
        batch.Complete(results);
        Finish();
    }

    /// <summary>Fails the callers not yet answered (the outcome is unknown to them) and frees the slot.</summary>
    public void Fail(Exception exception)
    {
        batch.Fail(exception);
        Finish();
    }

    private void Finish()
    {
        if (Interlocked.Exchange(ref _finished, 1) != 0) return;
        batch.Release();
        slots.Release();
    }
}
