using System.Diagnostics;

namespace LedgerCore.Load;

/// <summary>
/// The same workload applied to the state machine alone (no journal, no pipeline, one thread): the
/// ceiling the durable run is compared with, so the cost of durability is visible.
/// </summary>
internal static class StateMachinePhase
{
    public static double Run(LoadOptions options)
    {
        var machine = new LedgerStateMachine();
        ulong timestamp = 0;
        for (int start = 1; start <= options.Accounts; start += options.Batch)
        {
            int count = Math.Min(options.Batch, options.Accounts - start + 1);
            timestamp += (ulong)count;
            machine.CreateAccounts(Workload.Accounts(start, count), timestamp);
        }

        var workload = new Workload(options, client: 0);
        var batch = new Transfer[options.Batch];
        long started = Stopwatch.GetTimestamp();
        for (long done = 0; done < options.Transfers; done += batch.Length)
        {
            Span<Transfer> events = batch.AsSpan(0, (int)Math.Min(batch.Length, options.Transfers - done));
            workload.Fill(events);
            timestamp += (ulong)events.Length;
            if (machine.CreateTransfers(events, timestamp).Length != 0)
            {
                throw new InvalidOperationException("the state-machine phase expects every transfer to succeed");
            }
        }

        return options.Transfers / Stopwatch.GetElapsedTime(started).TotalSeconds;
    }
}
