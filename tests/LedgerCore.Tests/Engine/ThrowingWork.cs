using LedgerCore.Pipeline;

namespace LedgerCore.Tests.Engine;

/// <summary>A processor item standing in for a state-machine bug: it throws when executed.</summary>
internal sealed class ThrowingWork(Exception exception) : ProcessorWork
{
    public Exception? FailedWith { get; private set; }

    public override void Execute(Processor processor) => throw exception;

    public override void Fail(Exception exception) => FailedWith = exception;
}
