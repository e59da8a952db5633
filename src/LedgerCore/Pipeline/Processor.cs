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

    public Processor(LedgerStateMachine machine, ChannelReader<ProcessorWork> input, ulong highestFencingToken, Action<Batch, Processor> applied)
    {
        Machine = machine;
        _input = input;
        HighestFencingToken = highestFencingToken;
        _applied = applied;
    }

    public LedgerStateMachine Machine { get; }

    /// <summary>Where applied batches are counted; null in tools that replay without an engine.</summary>
    public LedgerMetrics? Metrics { get; init; }

    /// <summary>The highest fencing token of any applied batch: a batch below it comes from a stale writer.</summary>
    public ulong HighestFencingToken { get; private set; }

    /// <summary>The sequence of the last applied batch.</summary>
    public long AppliedSequence { get; private set; }

    public async Task RunAsync()
    {
        while (await _input.WaitToReadAsync().ConfigureAwait(false))
        {
            while (_input.TryRead(out ProcessorWork? work))
            {
                work.Execute(this);
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

    public void Applied(Batch batch)
    {
        AppliedSequence = batch.Sequence;
        _applied(batch, this);
    }
}
