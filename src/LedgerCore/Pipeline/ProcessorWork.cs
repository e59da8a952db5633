namespace LedgerCore.Pipeline;

/// <summary>An item in the processor's queue: a journaled batch to apply, or a read to answer.</summary>
internal abstract class ProcessorWork
{
    /// <summary>Runs on the processor, the only code that touches the state machine.</summary>
    public abstract void Execute(Processor processor);

    /// <summary>Fails every caller waiting on this item.</summary>
    public abstract void Fail(Exception exception);
}
