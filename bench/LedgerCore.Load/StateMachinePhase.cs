using System.Diagnostics;

namespace LedgerCore.Load;

/// <summary>
/// The same workload applied to the state machine alone (no journal, no pipeline, one thread): the
/// ceiling the durable run is compared with, so the cost of durability is visible.
/// </summary>
internal static class StateMachinePhase
{
    /// <summary>Returns transfers per second of wall time and per second of this process's CPU time
    /// (the phase is single-threaded, so the second is robust against a busy shared machine).</summary>
    /// <summary>The phase applies at most this many transfers: it is a reference rate, and it keeps every transfer in memory.</summary>
    public const long TransfersMax = 10_000_000;

    public static (double Wall, double Cpu) Run(LoadOptions options)
    {
        long transfers = Math.Min(options.Transfers, TransfersMax);
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
        TimeSpan cpuStarted = Environment.CpuUsage.TotalTime;
        for (long done = 0; done < transfers; done += batch.Length)
        {
            Span<Transfer> events = batch.AsSpan(0, (int)Math.Min(batch.Length, transfers - done));
            workload.Fill(events);
            timestamp += (ulong)events.Length;
            if (machine.CreateTransfers(events, timestamp).Length != 0)
            {
                throw new InvalidOperationException("the state-machine phase expects every transfer to succeed");
            }
        }

        double wall = Stopwatch.GetElapsedTime(started).TotalSeconds;
        double cpu = (Environment.CpuUsage.TotalTime - cpuStarted).TotalSeconds;
        return (transfers / wall, transfers / cpu);
    }
}
