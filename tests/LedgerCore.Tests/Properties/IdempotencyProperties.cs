using NUnit.Framework;
using TR = LedgerCore.CreateTransferResult;
using AR = LedgerCore.CreateAccountResult;

namespace LedgerCore.Tests.Properties;

/// <summary>Property 5: resubmitting a batch is safe — applied events report Exists, nothing changes.</summary>
public class IdempotencyProperties
{
    /// <summary>
    /// After each batch B (at T), B is resubmitted unchanged at T + n, and a twin machine in the same
    /// state receives an empty batch at T + n instead (so pending transfers expiring by then expire in
    /// both). What the reference says a resubmission returns:
    /// <list type="bullet">
    /// <item>an applied unlinked event: Exists; an applied chain: Exists for its first event, which
    /// breaks the chain (Exists is a failure in the classic result API), so LinkedEventFailed for the
    /// rest;</item>
    /// <item>a transfer that failed with a transient code: IdAlreadyFailed (its id is reserved);</item>
    /// <item>an Exists* failure: the same code (the stored object has not changed);</item>
    /// <item>any other failure fails again, a failed chain as a whole. Its code may differ: a
    /// state-dependent rule of higher precedence may now apply (an event later in B created or reserved
    /// the id, or an imported timestamp that did not regress then regresses now).</item>
    /// </list>
    /// Then the twin and the resubmitted machine hold the same accounts and transfers, and the same
    /// digest unless B held a failed chain: the events of a failed chain before the one that broke it
    /// were rolled back and run again on the resubmission, where a transient failure legitimately
    /// reserves their ids (a digest-only trace).
    /// Failures whose cause can go away with time or balances are exempt, with their chain:
    /// ImportedEventTimestampMustNotAdvance (the resubmission's slots are later) and the Overflows*
    /// codes (pending amounts may have been released since).
    /// </summary>
    [Test]
    public void Resubmitted_batch_returns_exists_and_changes_nothing() =>
        LedgerHarness.Check(LedgerGenerators.Workloads(), workload =>
        {
            var batches = WorkloadBuilder.Build(workload);
            for (int k = 0; k < batches.Count; k++)
            {
                LedgerBatch batch = batches[k];
                var again = LedgerHarness.Replay(batches, k);
                uint[] codes = LedgerHarness.Apply(again, batch);
                var twin = LedgerHarness.Replay(batches, k + 1);

                ulong later = batch.Timestamp + (ulong)Math.Max(batch.Count, 1);
                uint[] second = LedgerHarness.Apply(again, batch.At(later));
                LedgerHarness.Apply(twin, new LedgerBatch(-1, batch.IsTransfers, [], [], later));

                bool exempt = false;
                bool chainFailed = false;
                foreach (int[] unit in Units(batch))
                {
                    if (unit.Any(i => MayChange(batch, codes[i])))
                    {
                        exempt = true;
                        continue;
                    }

                    if (unit.All(i => codes[i] == 0))
                    {
                        foreach (int i in unit)
                        {
                            uint expected = i == unit[0] ? Exists(batch) : (uint)TR.LinkedEventFailed;
                            PropertyFailedException.Unless(second[i] == expected,
                                () => $"batch {k} resubmitted: event {i} was applied, expected {LedgerHarness.Name(batch, expected)} but got {LedgerHarness.Name(batch, second[i])}");
                        }
                    }
                    else if (unit.Length > 1)
                    {
                        chainFailed = true;
                        PropertyFailedException.Unless(unit.All(i => second[i] != 0),
                            () => $"batch {k} resubmitted: a failed chain ({LedgerHarness.Describe(batch, codes)}) now applied: {LedgerHarness.Describe(batch, second)}");
                    }
                    else
                    {
                        int i = unit[0];
                        PropertyFailedException.Unless(Allowed(batch, codes[i], second[i]),
                            () => $"batch {k} resubmitted: event {i} failed with {LedgerHarness.Name(batch, codes[i])} first, then {LedgerHarness.Name(batch, second[i])}");
                    }
                }

                if (exempt) continue;
                string? difference =
                    LedgerHarness.FirstDifference(LedgerHarness.Accounts(twin), LedgerHarness.Accounts(again), x => x) ??
                    LedgerHarness.FirstDifference(LedgerHarness.Transfers(twin), LedgerHarness.Transfers(again), x => x);
                PropertyFailedException.Unless(difference is null, () => $"batch {k} resubmitted: the ledger changed: {difference}");
                PropertyFailedException.Unless(chainFailed || twin.ComputeDigest() == again.ComputeDigest(),
                    () => $"batch {k} resubmitted: the digest changed ({LedgerHarness.Describe(batch, second)})");
            }
        }, cases: 300);

    /// <summary>The batch split into linked chains and single events, in order.</summary>
    private static IEnumerable<int[]> Units(LedgerBatch batch)
    {
        int[] starts = LedgerHarness.ChainStarts(batch);
        for (int i = 0; i < batch.Count;)
        {
            int end = i + 1;
            if (starts[i] >= 0)
            {
                while (end < batch.Count && starts[end] == i) end++;
            }

            yield return [.. Enumerable.Range(i, end - i)];
            i = end;
        }
    }

    private static uint Exists(LedgerBatch batch) => batch.IsTransfers ? (uint)TR.Exists : (uint)AR.Exists;

    private static bool MayChange(LedgerBatch batch, uint code) => batch.IsTransfers
        ? (TR)code is TR.ImportedEventTimestampMustNotAdvance or TR.OverflowsDebitsPending or TR.OverflowsCreditsPending or
            TR.OverflowsDebitsPosted or TR.OverflowsCreditsPosted or TR.OverflowsDebits or TR.OverflowsCredits or TR.OverflowsTimeout
        : (AR)code is AR.ImportedEventTimestampMustNotAdvance;

    private static bool Allowed(LedgerBatch batch, uint first, uint second)
    {
        if (batch.IsTransfers)
        {
            var (a, b) = ((TR)first, (TR)second);
            if (a is TR.DebitAccountNotFound or TR.CreditAccountNotFound or TR.PendingTransferNotFound or TR.ExceedsCredits or
                TR.ExceedsDebits or TR.DebitAccountAlreadyClosed or TR.CreditAccountAlreadyClosed)
            {
                return b == TR.IdAlreadyFailed;
            }

            return IsExists(a) ? b == a : b != TR.Ok;
        }

        var (x, y) = ((AR)first, (AR)second);
        return x is >= AR.ExistsWithDifferentFlags and <= AR.Exists ? y == x : y != AR.Ok;
    }

    private static bool IsExists(TR code) => code is TR.Exists or TR.ExistsWithDifferentFlags or TR.ExistsWithDifferentPendingId or
        TR.ExistsWithDifferentTimeout or TR.ExistsWithDifferentDebitAccountId or TR.ExistsWithDifferentCreditAccountId or
        TR.ExistsWithDifferentAmount or TR.ExistsWithDifferentUserData128 or TR.ExistsWithDifferentUserData64 or
        TR.ExistsWithDifferentUserData32 or TR.ExistsWithDifferentLedger or TR.ExistsWithDifferentCode;
}
