using System.Threading.Channels;
using LedgerCore.Diagnostics;

namespace LedgerCore.Pipeline;

/// <summary>
/// Stage three: the single consumer of the state machine. Applies journaled batches in sequence
/// order and answers reads between them; completes callers. No locks: nothing else touches the
/// state machine while the engine runs.
/// </summary>
internal sealed class Processor
{
    private readonly ChannelReader<ProcessorWork> _input;
    private readonly Action<Batch, Processor> _applied;
    private readonly Action<Exception> _faulted;
    private Exception? _failure;

    public Processor(LedgerStateMachine machine, ChannelReader<ProcessorWork> input, ulong highestFencingToken, Action<Batch, Processor> applied, Action<Exception> faulted)
    {
        Machine = machine;
        _input = input;
        HighestFencingToken = highestFencingToken;
        _applied = applied;
        _faulted = faulted;
    }

    public LedgerStateMachine Machine { get; private set; }

    /// <summary>Where applied batches are counted; null in tools that replay without an engine.</summary>
    public LedgerMetrics? Metrics { get; init; }

    /// <summary>The highest fencing token of any applied batch: a batch below it comes from a stale writer.</summary>
    public ulong HighestFencingToken { get; private set; }

    /// <summary>The sequence of the last applied batch; initially the sequence the machine was recovered to.</summary>
    public long AppliedSequence { get => _appliedSequence; init => _appliedSequence = value; }

    private long _appliedSequence;

    public async Task RunAsync()
    {
        while (await _input.WaitToReadAsync().ConfigureAwait(false))
        {
            while (_input.TryRead(out ProcessorWork? work))
            {
                if (_failure is not null)
                {
                    work.Fail(new LedgerFaultedException("The ledger faulted after an unexpected error in the processor and accepts no more work.", _failure));
                    continue;
                }

                try
                {
                    work.Execute(this);
                }
                catch (Exception e)
                {
                    // A bug, not an I/O error: the machine may be half-way through a batch, so nothing more is
                    // applied or read; but every caller gets an answer instead of waiting forever.
                    _failure = e;
                    _faulted(e);
                    work.Fail(e);
                }
            }
        }
    }

    /// <summary>Admits a batch's fencing token: false (reject) when it is below one already applied.</summary>
    public bool AdmitFencingToken(ulong token)
    {
        if (token < HighestFencingToken) return false;
        HighestFencingToken = token;
        return true;
    }

    /// <summary>
    /// Replaces the whole state, on the processor (from a work item): a replica installing a snapshot
    /// it received takes the snapshot's machine and its highest fencing token.
    /// </summary>
    public void Restore(LedgerStateMachine machine, ulong highestFencingToken)
    {
        Machine = machine;
        HighestFencingToken = highestFencingToken;
    }

    public void Applied(Batch batch)
    {
        _appliedSequence = batch.Sequence;
        _applied(batch, this);
    }
}
