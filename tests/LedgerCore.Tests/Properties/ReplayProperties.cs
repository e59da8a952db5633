using NUnit.Framework;

namespace LedgerCore.Tests.Properties;

/// <summary>Property 1: the state machine is deterministic.</summary>
public class ReplayProperties
{
    [Test]
    public void Replay_of_same_batches_gives_same_results_and_digest() =>
        LedgerHarness.Check(LedgerGenerators.Workloads(), workload =>
        {
            // Two independent builds of the batches (fresh arrays) fed to two fresh machines.
            var first = WorkloadBuilder.Build(workload);
            var second = WorkloadBuilder.Build(workload);
            var a = new LedgerStateMachine();
            var b = new LedgerStateMachine();
            for (int k = 0; k < first.Count; k++)
            {
                uint[] ra = LedgerHarness.Apply(a, first[k]);
                uint[] rb = LedgerHarness.Apply(b, second[k]);
                PropertyFailedException.Unless(ra.SequenceEqual(rb),
                    () => $"batch {k}: results differ: {LedgerHarness.Describe(first[k], ra)} vs {LedgerHarness.Describe(first[k], rb)}");
                PropertyFailedException.Unless(a.ComputeDigest() == b.ComputeDigest(), () => $"batch {k}: digests differ");
                string? difference = LedgerHarness.FirstDifference(LedgerHarness.Accounts(a), LedgerHarness.Accounts(b), x => x)
                    ?? LedgerHarness.FirstDifference(LedgerHarness.Transfers(a), LedgerHarness.Transfers(b), x => x);
                PropertyFailedException.Unless(difference is null, () => $"batch {k}: states differ: {difference}");
            }
        });
}
