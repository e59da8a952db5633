using NUnit.Framework;

namespace LedgerCore.Tests.Properties;

/// <summary>
/// Property 6: pending balances are exactly the sum of the open pending transfers, never negative
/// (the library's arithmetic is checked, so an underflow would throw), and every pending transfer is
/// posted, voided or expired at most once — never after it expired. The same model also checks the
/// reference's rule for closed accounts: nothing but a void moves one, and Closed is set exactly
/// while the account was created closed or a closing pending transfer on it is open; and what each
/// accepted event stored (its slot's timestamp, the fields a post or void inherits, the amount a
/// post, void or balancing transfer actually moves). See <see cref="LedgerModel"/>.
/// </summary>
public class PendingProperties
{
    [Test]
    public void Pending_balances_match_open_pending_transfers_which_resolve_at_most_once() =>
        LedgerHarness.Check(LedgerGenerators.Workloads(), workload =>
        {
            var machine = new LedgerStateMachine();
            var model = new LedgerModel();
            foreach (LedgerBatch batch in WorkloadBuilder.Build(workload))
            {
                uint[] codes = LedgerHarness.Apply(machine, batch);
                model.Observe(machine, batch, codes);
            }
        }, cases: 1000);
}
