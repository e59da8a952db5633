using System.Diagnostics;
using System.Threading.Channels;
using LedgerCore.Diagnostics;
using LedgerCore.Journal;

namespace LedgerCore.Pipeline;

/// <summary>
/// Stage two: appends batches to the write-ahead journal in groups, one write and one fsync per
/// group, then passes them on to the processor. Batches are passed on only after their fsync, which
/// is what makes an acknowledgement mean "durable". After an I/O error the stage faults: the group's
/// callers get the exception, later callers <see cref="LedgerFaultedException"/>, and nothing more
/// is written.
/// </summary>
internal sealed class JournalStage
{
    private readonly ChannelReader<Batch> _input;
    private readonly ChannelWriter<ProcessorWork> _output;
    private readonly JournalWriter _writer;
    private readonly TimeSpan _commitDelayMax;
    private readonly bool _durable;
    private readonly Action<Batch> _committed;
    private readonly Action<Exception> _faulted;
    private readonly List<Batch> _group = [];
    private readonly LedgerMetrics? _metrics;
    private Exception? _fault;

    public JournalStage(ChannelReader<Batch> input, ChannelWriter<ProcessorWork> output, JournalWriter writer,
        TimeSpan commitDelayMax, bool durable, Action<Batch> committed, Action<Exception> faulted, LedgerMetrics? metrics = null)
    {
        _metrics = metrics;
        _input = input;
        _output = output;
        _writer = writer;
        _commitDelayMax = commitDelayMax;
        _durable = durable;
        _committed = committed;
        _faulted = faulted;
    }

    public async Task RunAsync()
    {
        try
        {
            while (await _input.WaitToReadAsync().ConfigureAwait(false))
            {
                while (_input.TryRead(out Batch? batch))
                {
                    if (_fault is not null)
                    {
                        batch.Fail(new LedgerFaultedException("The ledger faulted after an I/O error and accepts no more writes.", _fault));
                        continue;
                    }

                    if (!_writer.Fits(batch.Payload.Length))
                    {
                        await CommitAsync().ConfigureAwait(false);
                        if (_fault is not null)
                        {
                            batch.Fail(new LedgerFaultedException("The ledger faulted after an I/O error and accepts no more writes.", _fault));
                            continue;
                        }
                    }

                    _writer.Append(batch.Operation, batch.Timestamp, batch.FencingToken, batch.EventCount, batch.Payload);
                    _group.Add(batch);
                }

                if (_group.Count > 0 && _commitDelayMax > TimeSpan.Zero)
                {
                    await WaitForMoreAsync().ConfigureAwait(false);
                }

                await CommitAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            _output.TryComplete();
        }
    }

    /// <summary>Waits up to the commit delay for more batches to join the group (low load only).</summary>
    private async Task WaitForMoreAsync()
    {
        using var timeout = new CancellationTokenSource(_commitDelayMax);
        try
        {
            while (await _input.WaitToReadAsync(timeout.Token).ConfigureAwait(false))
            {
                if (!_input.TryPeek(out Batch? next) || !_writer.Fits(next.Payload.Length)) return;
                _input.TryRead(out next);
                _writer.Append(next!.Operation, next.Timestamp, next.FencingToken, next.EventCount, next.Payload);
                _group.Add(next);
            }
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            // The delay is over: commit what there is.
        }
    }

    private async Task CommitAsync()
    {
        if (_group.Count == 0) return;
        long ticks = _writer.CommitTicks;
        long bytes = _writer.BytesCommitted;
        try
        {
            _writer.Commit(_durable);
            _metrics?.GroupCommitted(Stopwatch.GetElapsedTime(0, _writer.CommitTicks - ticks), _writer.BytesCommitted - bytes);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _fault = e;
            _faulted(e);
            foreach (Batch batch in _group) batch.Fail(e);
            _group.Clear();
            return;
        }

        foreach (Batch batch in _group)
        {
            _committed(batch);
            await _output.WriteAsync(batch).ConfigureAwait(false);
        }

        _group.Clear();
    }
}
