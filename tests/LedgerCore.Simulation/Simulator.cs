namespace LedgerCore.Simulation;

/// <summary>Runs the deterministic whole-engine simulation (docs/simulation.md) for one seed.</summary>
public static class Simulator
{
    /// <summary>Runs one seed to the end (or to its first violation); the same seed always gives the same trace.</summary>
    public static SeedResult Run(int seed) => new SeedRun(seed).RunAsync().GetAwaiter().GetResult();
}
