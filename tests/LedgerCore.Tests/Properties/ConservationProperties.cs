using System.Numerics;
using NUnit.Framework;

namespace LedgerCore.Tests.Properties;

/// <summary>Property 2: double entry — every ledger balances, posted and pending alike.</summary>
public class ConservationProperties
{
    [Test]
    public void Debits_equal_credits_per_ledger_after_every_batch() =>
        LedgerHarness.Check(LedgerGenerators.Workloads(), workload =>
        {
            var batches = WorkloadBuilder.Build(workload);
            var machine = new LedgerStateMachine();
            foreach (LedgerBatch batch in batches)
            {
                LedgerHarness.Apply(machine, batch);
                AssertBalanced(machine, batch.Index);
            }
        }, cases: 500);

    /// <summary>Per ledger: Σ debits_posted = Σ credits_posted and Σ debits_pending = Σ credits_pending.</summary>
    internal static void AssertBalanced(LedgerStateMachine machine, int batchIndex)
    {
        foreach (var ledger in LedgerHarness.Accounts(machine).Values.GroupBy(a => a.Ledger))
        {
            // Exact sums: one account may hold UInt128.MaxValue, so a UInt128 sum could overflow.
            BigInteger debitsPosted = 0, creditsPosted = 0, debitsPending = 0, creditsPending = 0;
            foreach (Account a in ledger)
            {
                debitsPosted += (BigInteger)a.DebitsPosted;
                creditsPosted += (BigInteger)a.CreditsPosted;
                debitsPending += (BigInteger)a.DebitsPending;
                creditsPending += (BigInteger)a.CreditsPending;
            }

            PropertyFailedException.Unless(debitsPosted == creditsPosted,
                () => $"after batch {batchIndex}, ledger {ledger.Key}: debits posted {debitsPosted} != credits posted {creditsPosted}");
            PropertyFailedException.Unless(debitsPending == creditsPending,
                () => $"after batch {batchIndex}, ledger {ledger.Key}: debits pending {debitsPending} != credits pending {creditsPending}");
        }
    }
}
