using System.Buffers;
using System.Net;
using System.Threading.Channels;
using DotNext.IO.Log;
using DotNext.Net.Cluster.Consensus.Raft;
using LedgerCore.Journal;
using LedgerCore.Pipeline;

namespace LedgerCore.Cluster.Replication;

/// <summary>
/// One term of leadership: the core <see cref="Sequencer"/> (sole reader of the clock: sequence,
/// timestamp, and the term as fencing token) feeding a replication stage that appends each batch's
/// journal record to the Raft log, in sequence order, with the batch as the entry's context, keeping at
/// most <c>window</c> batches between append and apply. Callers are answered by the applier
/// (<see cref="ReplicatedRecord"/>) once the entry is committed and applied; when leadership ends, every
/// batch not answered yet fails with <see cref="NotLeaderException"/> (outcome unknown).
/// </summary>
internal sealed class LeaderSession : IDisposable
{
    private readonly Channel<WriteRequest> _requests;
    private readonly Channel<Batch> _batches;
    private readonly IAuditTrail<IRaftLogEntry> _log;
    private readonly RaftCluster _cluster;
    private readonly SemaphoreSlim _slots;
    private readonly Func<EndPoint?> _leader;
    private readonly List<PendingBatch> _inFlight = [];
    private readonly Task _pipeline;

    public LeaderSession(RaftCluster cluster, IAuditTrail<IRaftLogEntry> log, long term,
        long nextSequence, ulong lastTimestamp, int maxBatchSize, int window, Func<EndPoint?> leader, CancellationToken leadership)
    {
        _cluster = cluster;
        _log = log;
        Term = term;
        Leadership = leadership;
        _leader = leader;
        _slots = new SemaphoreSlim(window, window);
        _requests = Channel.CreateBounded<WriteRequest>(new BoundedChannelOptions(window * 16) { FullMode = BoundedChannelFullMode.Wait, SingleReader = true });
        _batches = Channel.CreateBounded<Batch>(new BoundedChannelOptions(window) { FullMode = BoundedChannelFullMode.Wait, SingleReader = true, SingleWriter = true });
        var sequencer = new Sequencer(_requests.Reader, _batches.Writer, TimeProvider.System, maxBatchSize, (ulong)term, nextSequence, lastTimestamp);
        _pipeline = Task.WhenAll(Task.Run(sequencer.RunAsync, CancellationToken.None), Task.Run(ReplicateAsync, CancellationToken.None));
    }

    public long Term { get; }

    public CancellationToken Leadership { get; }

    /// <summary>Where callers' requests enter; completed when the session stops.</summary>
    public ChannelWriter<WriteRequest> Requests => _requests.Writer;

    /// <summary>Batches that were appended and then failed because leadership ended.</summary>
    public int FailedInFlight { get; private set; }

    /// <summary>After <see cref="StopAsync"/>, which finished every pending batch: a late apply finds it finished and releases no slot.</summary>
    public void Dispose() => _slots.Dispose();

    /// <summary>Stops taking requests and waits until every accepted one has an answer or a failure.</summary>
    public Task StopAsync()
    {
        _requests.Writer.TryComplete();
        return _pipeline;
    }

    private async Task ReplicateAsync()
    {
        Exception? failure = null;
        while (await _batches.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            bool appended = false;
            while (_batches.Reader.TryRead(out Batch? batch))
            {
                failure ??= Leadership.IsCancellationRequested ? Deposed(null) : null;
                if (failure is not null)
                {
                    batch.Fail(failure);
                    continue;
                }

                try
                {
                    await _slots.WaitAsync(Leadership).ConfigureAwait(false);
                }
                catch (OperationCanceledException e)
                {
                    failure = Deposed(e);
                    batch.Fail(failure);
                    continue;
                }

                var pending = new PendingBatch(batch, _slots);
                Prune();
                _inFlight.Add(pending);
                failure = await AppendAsync(pending).ConfigureAwait(false);
                appended |= failure is null;
            }

            // One replication round carries everything appended since the previous one (DotNext groups).
            if (appended && failure is null) _ = ObserveAsync(_cluster.ForceReplicationAsync(Leadership));
        }

        // Leadership ended (or the ledger is closing): what was appended but not answered may or may not commit.
        failure ??= Deposed(null);
        foreach (PendingBatch pending in _inFlight)
        {
            if (!pending.IsFinished) FailedInFlight++;
            pending.Fail(failure);
        }

        _inFlight.Clear();
    }

    /// <summary>Appends the batch's journal record as the next Raft entry; returns the failure that ends the session, if any.</summary>
    private async ValueTask<Exception?> AppendAsync(PendingBatch pending)
    {
        Batch batch = pending.Batch;
        int length = JournalFormat.RecordHeaderSize + batch.Payload.Length;
        byte[] record = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            batch.Payload.CopyTo(record.AsSpan(JournalFormat.RecordHeaderSize));
            JournalFormat.WriteRecordHeader(record, new JournalRecordInfo(batch.Sequence, batch.Timestamp, batch.FencingToken, batch.Operation, batch.EventCount), record.AsSpan(JournalFormat.RecordHeaderSize, batch.Payload.Length));
            var entry = new BinaryLogEntry { Term = Term, Content = record.AsMemory(0, length), Context = pending };
            await _log.AppendAsync(entry, Leadership).ConfigureAwait(false);
            return null;
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or InvalidOperationException)
        {
            Exception failure = Deposed(e);
            pending.Fail(failure);
            return failure;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(record);
        }
    }

    private void Prune()
    {
        int finished = 0;
        while (finished < _inFlight.Count && _inFlight[finished].IsFinished) finished++;
        if (finished > 0) _inFlight.RemoveRange(0, finished);
    }

    private NotLeaderException Deposed(Exception? cause) =>
        new($"Leadership of term {Term} ended before the write was answered: it may or may not be applied; resubmit the same ids to the leader.", _leader(), cause);

    private static async Task ObserveAsync(ValueTask round)
    {
        try
        {
            await round.ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or DotNext.Net.Cluster.Consensus.Raft.NotLeaderException)
        {
            // Leadership ended: the stage sees it through the same token.
        }
    }
}
