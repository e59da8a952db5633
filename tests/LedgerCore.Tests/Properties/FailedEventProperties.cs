using NUnit.Framework;

namespace LedgerCore.Tests.Properties;

/// <summary>Property 3: a failed event, or a failed linked chain, leaves no trace in the ledger.</summary>
public class FailedEventProperties
{
    /// <summary>
    /// For every batch B of the workload: machine 1 applies B; machine 2, in the same state before B,
    /// applies B with every failed event removed (a failed chain fails as a whole, so whole chains go).
    /// Every remaining event must succeed again, and both machines must hold the same accounts and
    /// transfers.
    /// <para>What is compared, and why not the digest: a transfer that fails with a transient code
    /// (account not found, exceeds credits, account closed, ...) reserves its id, so a retry gets
    /// IdAlreadyFailed — the reference's deliberate trace of a failure, kept in the digest. Machine 2
    /// never saw those failures, so its digest differs by exactly that set; we compare the ledger
    /// itself (every account and every transfer, field by field) instead. Both machines share the
    /// history before B, ids reserved earlier included, so B's surviving events meet the same state.
    /// Timestamps are left out of the comparison: removing events shifts the position, hence the
    /// timestamp, of those after them (the batch timestamp stays, so later events only move later
    /// and an imported event that did not advance past its slot still does not).</para>
    /// </summary>
    [Test]
    public void Failed_events_and_chains_change_no_account_or_transfer() =>
        LedgerHarness.Check(LedgerGenerators.Workloads(), workload =>
        {
            var batches = WorkloadBuilder.Build(workload);
            var machine = new LedgerStateMachine();
            for (int k = 0; k < batches.Count; k++)
            {
                LedgerBatch batch = batches[k];
                var twin = LedgerHarness.Replay(batches, k);
                uint[] codes = LedgerHarness.Apply(machine, batch);
                var failed = new HashSet<int>(Enumerable.Range(0, codes.Length).Where(i => codes[i] != 0));
                if (failed.Count == 0) continue;

                uint[] survivors = LedgerHarness.Apply(twin, batch.Without(failed));
                PropertyFailedException.Unless(survivors.All(c => c == 0),
                    () => $"batch {k}: without its failed events, events failed: {LedgerHarness.Describe(batch, survivors)} (originally {LedgerHarness.Describe(batch, codes)})");
                string? difference =
                    LedgerHarness.FirstDifference(LedgerHarness.Accounts(twin), LedgerHarness.Accounts(machine), LedgerHarness.WithoutTimestamp) ??
                    LedgerHarness.FirstDifference(LedgerHarness.Transfers(twin), LedgerHarness.Transfers(machine), LedgerHarness.WithoutTimestamp);
                PropertyFailedException.Unless(difference is null,
                    () => $"batch {k}: the failed events {LedgerHarness.Describe(batch, codes)} changed the ledger: {difference}");
            }
        }, cases: 300);
}
