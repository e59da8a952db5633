using System.Diagnostics;
using LedgerCore.Simulation;
using NUnit.Framework;

namespace LedgerCore.Tests.Simulation;

/// <summary>
/// The deterministic simulator (tests/LedgerCore.Simulation, docs/simulation.md) in CI: a fixed set of
/// seeds must break no invariant, the faults must actually fire, and a seed must replay identically.
/// </summary>
public class SimulationTests
{
    private const int FirstSeed = 1;
    private const int SeedCount = 200;

    [Test]
    public void Two_hundred_seeds_break_no_invariant_under_storage_faults_and_crashes()
    {
        var summary = new SimulationSummary();
        var failures = new List<string>();
        var watch = Stopwatch.StartNew();

        // Seeds are independent, so two at a time (the machine has two cores) changes no seed's outcome.
        var gate = new Lock();
        Parallel.For(FirstSeed, FirstSeed + SeedCount, new ParallelOptions { MaxDegreeOfParallelism = 2 }, seed =>
        {
            SeedResult result = Simulator.Run(seed);
            lock (gate)
            {
                summary.Add(result);
                if (result.Violations.Count > 0) failures.Add($"seed {seed}: {result.Violations[0]} (reproduce: dotnet run --project tests/LedgerCore.Simulation -- --seed {seed})");
            }
        });

        TestContext.Out.WriteLine($"{summary} in {watch.Elapsed.TotalSeconds:F1} s");
        Assert.That(failures, Is.Empty);
        Assert.That(summary.Violations, Is.Zero);

        // Coverage: a run whose faults never fire proves nothing.
        foreach (string kind in new[] { "crash", "crash-torn", "write-EIO", "write-ENOSPC", "fsync-EIO", "fsync-ENOSPC", "bitflip-journal", "bitflip-snapshot", "clock-back" })
        {
            Assert.That(summary.Faults.GetValueOrDefault(kind), Is.GreaterThan(0), $"fault kind {kind} never fired");
        }

        foreach (string reached in new[] { "corruption-reported", "snapshot-loaded", "torn-tail-cut", "retry-acknowledged", "unacknowledged-committed", "lifetimes-with-several-segments" })
        {
            Assert.That(summary.Coverage.GetValueOrDefault(reached), Is.GreaterThan(0), $"the run never reached {reached}");
        }

        Assert.That(summary.BatchesAcknowledged, Is.GreaterThan(SeedCount * 20));
    }

    [Test]
    public void The_same_seed_gives_the_same_trace()
    {
        // The trace hashes every acknowledged result, every error, every recovery and every digest.
        for (int seed = 1; seed <= 12; seed++)
        {
            SeedResult first = Simulator.Run(seed);
            SeedResult second = Simulator.Run(seed);
            Assert.That(first.Violations, Is.Empty, $"seed {seed}");
            Assert.That(second.TraceHash, Is.EqualTo(first.TraceHash), $"seed {seed} replayed differently");
            Assert.That(second.BatchesAcknowledged, Is.EqualTo(first.BatchesAcknowledged));
            Assert.That(second.Faults, Is.EquivalentTo(first.Faults));
        }

        Assert.That(Simulator.Run(2).TraceHash, Is.Not.EqualTo(Simulator.Run(3).TraceHash), "different seeds differ");
    }
}
