using System.Threading.Channels;
using LedgerCore.Pipeline;
using NUnit.Framework;

namespace LedgerCore.Tests.Engine;

/// <summary>The processor stage on its own: an unexpected exception faults it, and every caller still gets an answer.</summary>
public class ProcessorTests
{
    [Test]
    public async Task An_unexpected_exception_faults_the_processor_and_strands_no_caller()
    {
        var queue = Channel.CreateUnbounded<ProcessorWork>();
        var faults = new List<Exception>();
        var processor = new Processor(new LedgerStateMachine(), queue.Reader, 0, (_, _) => { }, faults.Add);
        Task running = Task.Run(processor.RunAsync);

        var before = new CallWork<int>(_ => 1, CancellationToken.None);
        var bug = new InvalidOperationException("a bug in the state machine");
        var throwing = new ThrowingWork(bug);
        var after = new CallWork<int>(_ => 2, CancellationToken.None);
        await queue.Writer.WriteAsync(before);
        await queue.Writer.WriteAsync(throwing);
        await queue.Writer.WriteAsync(after);
        queue.Writer.Complete();

        await running.Within(); // ends normally when its input ends, instead of dying with the bug
        Assert.That(await before.Task.Within(), Is.EqualTo(1));
        Assert.That(throwing.FailedWith, Is.SameAs(bug), "the item that threw fails with the error");
        Assert.That(faults, Is.EqualTo(new[] { bug }), "the engine is told, so it stops accepting writes");
        LedgerFaultedException? later = await Assert.ThrowsAsync<LedgerFaultedException>(() => after.Task.Within());
        Assert.That(later!.InnerException, Is.SameAs(bug), "nothing runs on a machine that may be half-way through a batch");
    }
}
