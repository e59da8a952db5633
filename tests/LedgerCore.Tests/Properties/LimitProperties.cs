using NUnit.Framework;

namespace LedgerCore.Tests.Properties;

/// <summary>Property 4: balance limits hold, with pending amounts counted against them.</summary>
public class LimitProperties
{
    [Test]
    public void Limit_flags_hold_with_pending_amounts_counted() =>
        LedgerHarness.Check(LedgerGenerators.Workloads(), workload =>
        {
            var machine = new LedgerStateMachine();
            foreach (LedgerBatch batch in WorkloadBuilder.Build(workload))
            {
                LedgerHarness.Apply(machine, batch);
                foreach (Account a in LedgerHarness.Accounts(machine).Values)
                {
                    PropertyFailedException.Unless(
                        (a.Flags & AccountFlags.DebitsMustNotExceedCredits) == 0 || a.DebitsPosted + a.DebitsPending <= a.CreditsPosted,
                        () => $"after batch {batch.Index}: {LedgerHarness.Show(a)} debits exceed credits");
                    PropertyFailedException.Unless(
                        (a.Flags & AccountFlags.CreditsMustNotExceedDebits) == 0 || a.CreditsPosted + a.CreditsPending <= a.DebitsPosted,
                        () => $"after batch {batch.Index}: {LedgerHarness.Show(a)} credits exceed debits");
                }
            }
        }, cases: 2000);
}
