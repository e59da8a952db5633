namespace LedgerCore.Simulation;

/// <summary>What one seed's run did and found.</summary>
public sealed class SeedResult
{
    internal SeedResult(int seed, int steps, int restarts, int acknowledged, IReadOnlyDictionary<string, int> faults,
        IReadOnlyDictionary<string, int> coverage,
        IReadOnlyList<string> violations, string traceHash, IReadOnlyList<string> traceTail)
    {
        Seed = seed;
        Steps = steps;
        Restarts = restarts;
        BatchesAcknowledged = acknowledged;
        Faults = faults;
        Coverage = coverage;
        Violations = violations;
        TraceHash = traceHash;
        TraceTail = traceTail;
    }

    public int Seed { get; }

    /// <summary>Client requests sent (retries included).</summary>
    public int Steps { get; }

    /// <summary>Crash-and-restart cycles (machine crashes, process restarts, crashes at a storage operation).</summary>
    public int Restarts { get; }

    public int BatchesAcknowledged { get; }

    /// <summary>Faults that fired, by kind.</summary>
    public IReadOnlyDictionary<string, int> Faults { get; }

    /// <summary>What the run reached besides faults (snapshots loaded, torn tails cut, corruption reported, retries), by name.</summary>
    public IReadOnlyDictionary<string, int> Coverage { get; }

    /// <summary>Broken invariants; empty when the run is clean.</summary>
    public IReadOnlyList<string> Violations { get; }

    /// <summary>Hash of the whole trace (every outcome, recovery and digest): equal for two runs of one seed.</summary>
    public string TraceHash { get; }

    /// <summary>The last trace lines, for a failure report.</summary>
    public IReadOnlyList<string> TraceTail { get; }
}
