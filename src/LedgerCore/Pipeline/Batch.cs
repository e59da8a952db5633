using System.Buffers;
using System.Diagnostics;
using LedgerCore.Diagnostics;
using System.Runtime.InteropServices;
using LedgerCore.Journal;

namespace LedgerCore.Pipeline;

/// <summary>
/// One journaled batch: the events of one or more coalesced caller requests, stamped by the sequencer
/// with its sequence, timestamp and fencing token. It flows sequencer → journal → processor.
/// </summary>
internal sealed class Batch : ProcessorWork
{
    private readonly List<WriteRequest> _requests = [];
    private byte[] _payload;

    public Batch(LedgerOperation operation, int capacityEvents)
    {
        Operation = operation;
        _payload = ArrayPool<byte>.Shared.Rent(capacityEvents * JournalFormat.EventSize);
    }

    public LedgerOperation Operation { get; }

    public long Sequence { get; set; }

    public ulong Timestamp { get; set; }

    public ulong FencingToken { get; set; }

    /// <summary>Stopwatch timestamp of sequencing, for the commit-latency metric only.</summary>
    public long SequencedAt { get; set; }

    public int EventCount { get; private set; }

    public int RequestCount => _requests.Count;

    public ReadOnlySpan<byte> Payload => _payload.AsSpan(0, EventCount * JournalFormat.EventSize);

    public void Add(WriteRequest request)
    {
        request.CopyEvents(_payload.AsSpan(EventCount * JournalFormat.EventSize, request.Count * JournalFormat.EventSize));
        _requests.Add(request);
        EventCount += request.Count;
    }

    /// <summary>Applies the batch to the state machine and hands each caller its own failures, re-indexed.</summary>
    public override void Execute(Processor processor)
    {
        if (!processor.AdmitFencingToken(FencingToken))
        {
            Fail(new StaleFencingTokenException(
                $"Batch {Sequence} carries fencing token {FencingToken}, below token {processor.HighestFencingToken} already applied."));
            return;
        }

        // A span only when someone listens: StartActivity returns null (and allocates nothing) otherwise.
        using Activity? span = LedgerMetrics.Activities.StartActivity("ledgercore.batch");
        span?.SetTag("ledgercore.sequence", Sequence).SetTag("ledgercore.operation", Operation.ToString()).SetTag("ledgercore.events", EventCount);
        LedgerMetrics? metrics = processor.Metrics;
        if (Operation == LedgerOperation.CreateAccounts)
        {
            CreateAccountsResult[] results = processor.Machine.CreateAccounts(MemoryMarshal.Cast<byte, Account>(Payload), Timestamp);
            if (metrics is not null) foreach (CreateAccountsResult r in results) metrics.AccountFailed(r.Result);
            Complete(results);
        }
        else
        {
            CreateTransfersResult[] results = processor.Machine.CreateTransfers(MemoryMarshal.Cast<byte, Transfer>(Payload), Timestamp);
            if (metrics is not null) foreach (CreateTransfersResult r in results) metrics.TransferFailed(r.Result);
            Complete(results);
        }

        metrics?.Committed(EventCount, SequencedAt);
        processor.Applied(this);
        Release();
    }

    public override void Fail(Exception exception)
    {
        foreach (WriteRequest request in _requests)
        {
            request.Fail(exception);
        }

        Release();
    }

    /// <summary>
    /// Hands each caller its own failures of an applied create-accounts batch, re-indexed. Also used by a
    /// replica that applied the batch's replicated record instead of the batch itself.
    /// </summary>
    public void Complete(CreateAccountsResult[] results) =>
        Distribute<Account, CreateAccountsResult>(results, static r => r.Index, static (r, offset) => r with { Index = r.Index - offset });

    /// <summary>Hands each caller its own failures of an applied create-transfers batch, re-indexed.</summary>
    public void Complete(CreateTransfersResult[] results) =>
        Distribute<Transfer, CreateTransfersResult>(results, static r => r.Index, static (r, offset) => r with { Index = r.Index - offset });

    /// <summary>
    /// Splits the batch's failures (ordered by index) among its requests (ordered by offset), in one
    /// pass. A request without failures gets the shared empty array: no allocation on success.
    /// </summary>
    private void Distribute<TEvent, TResult>(TResult[] results, Func<TResult, int> indexOf, Func<TResult, int, TResult> reindex)
        where TEvent : unmanaged
        where TResult : struct
    {
        int cursor = 0;
        int offset = 0;
        foreach (WriteRequest request in _requests)
        {
            int end = offset + request.Count;
            int first = cursor;
            while (cursor < results.Length && indexOf(results[cursor]) < end) cursor++;

            TResult[] own;
            if (cursor == first)
            {
                own = [];
            }
            else if (_requests.Count == 1)
            {
                own = results;
            }
            else
            {
                own = new TResult[cursor - first];
                for (int i = 0; i < own.Length; i++) own[i] = reindex(results[first + i], offset);
            }

            ((WriteRequest<TEvent, TResult>)request).Complete(own);
            offset = end;
        }
    }

    /// <summary>
    /// Returns the payload buffer to the pool, once: on a replica a deposed leader may fail a batch while
    /// the applier completes it, so the exchange keeps two threads from returning the same array.
    /// </summary>
    public void Release()
    {
        byte[] payload = Interlocked.Exchange(ref _payload, []);
        if (payload.Length > 0) ArrayPool<byte>.Shared.Return(payload);
    }
}
