using NUnit.Framework;

namespace LedgerCore.Tests.Properties;

/// <summary>
/// The reference's time rule: "no two objects can have the same timestamp, even different objects
/// like an Account and a Transfer" — user-defined (imported) timestamps included — and none is ahead
/// of the clock (the last batch's timestamp).
/// </summary>
public class TimestampProperties
{
    [Test]
    public void Timestamps_are_unique_across_accounts_and_transfers() =>
        LedgerHarness.Check(LedgerGenerators.Workloads(), workload =>
        {
            var machine = new LedgerStateMachine();
            foreach (LedgerBatch batch in WorkloadBuilder.Build(workload))
            {
                LedgerHarness.Apply(machine, batch);
                var stamps = LedgerHarness.Accounts(machine).Values.Select(a => (a.Timestamp, Name: $"account {a.Id}"))
                    .Concat(LedgerHarness.Transfers(machine).Values.Select(t => (t.Timestamp, Name: $"transfer {t.Id}")))
                    .ToList();
                var shared = stamps.GroupBy(s => s.Timestamp).FirstOrDefault(g => g.Count() > 1);
                PropertyFailedException.Unless(shared is null,
                    () => $"after batch {batch.Index}: {string.Join(" and ", shared!.Select(s => s.Name))} share timestamp {shared!.Key}");
                PropertyFailedException.Unless(stamps.All(s => s.Timestamp != 0 && s.Timestamp <= batch.Timestamp),
                    () => $"after batch {batch.Index}: a timestamp is zero or ahead of the batch timestamp {batch.Timestamp}");
            }
        }, cases: 1500);
}
