using System.Threading.Channels;

namespace LedgerCore.Pipeline;

/// <summary>
/// Stage one: orders caller requests, coalesces small ones of the same operation into batches of up
/// to <c>MaxBatchSize</c> events, and stamps each batch with its sequence number, timestamp and the
/// writer's fencing token. The only reader of the clock, so everything after it is deterministic.
/// </summary>
internal sealed class Sequencer
{
    private readonly ChannelReader<WriteRequest> _input;
    private readonly ChannelWriter<Batch> _output;
    private readonly TimeProvider _clock;
    private readonly int _maxBatchSize;
    private readonly ulong _fencingToken;
    private long _nextSequence;
    private ulong _lastTimestamp;
    private WriteRequest? _carry;

    public Sequencer(ChannelReader<WriteRequest> input, ChannelWriter<Batch> output, TimeProvider clock,
        int maxBatchSize, ulong fencingToken, long nextSequence, ulong lastTimestamp)
    {
        _input = input;
        _output = output;
        _clock = clock;
        _maxBatchSize = maxBatchSize;
        _fencingToken = fencingToken;
        _nextSequence = nextSequence;
        _lastTimestamp = lastTimestamp;
    }

    public async Task RunAsync()
    {
        try
        {
            while (await NextAsync().ConfigureAwait(false) is { } first)
            {
                Batch batch = new(first.Operation, first.Coalescable ? _maxBatchSize : first.Count);
                batch.Add(first);
                while (first.Coalescable && _input.TryRead(out WriteRequest? next))
                {
                    if (next.CancellationToken.IsCancellationRequested)
                    {
                        next.Cancel();
                        continue;
                    }

                    if (!next.Coalescable || next.Operation != batch.Operation || batch.EventCount + next.Count > _maxBatchSize)
                    {
                        _carry = next;
                        break;
                    }

                    batch.Add(next);
                }

                Stamp(batch);
                await _output.WriteAsync(batch).ConfigureAwait(false);
            }
        }
        finally
        {
            _output.TryComplete();
        }
    }

    /// <summary>The next request not cancelled before it was sequenced, or null when the input is complete.</summary>
    private async ValueTask<WriteRequest?> NextAsync()
    {
        while (true)
        {
            WriteRequest? request = _carry;
            _carry = null;
            if (request is null)
            {
                if (!_input.TryRead(out request))
                {
                    if (!await _input.WaitToReadAsync().ConfigureAwait(false)) return null;
                    continue;
                }
            }

            if (!request.CancellationToken.IsCancellationRequested) return request;
            request.Cancel();
        }
    }

    /// <summary>
    /// The batch timestamp comes from the clock but always advances: event i of n gets
    /// <c>T - n + i + 1</c>, so T must exceed the previous batch's T by at least n even if the clock
    /// stepped back or stood still.
    /// </summary>
    private void Stamp(Batch batch)
    {
        ulong now = (ulong)(_clock.GetUtcNow().UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * 100;
        ulong earliest = _lastTimestamp + (ulong)Math.Max(batch.EventCount, 1);
        batch.Timestamp = Math.Max(now, earliest);
        batch.Sequence = _nextSequence++;
        batch.SequencedAt = System.Diagnostics.Stopwatch.GetTimestamp();
        batch.FencingToken = _fencingToken;
        _lastTimestamp = batch.Timestamp;
    }
}
