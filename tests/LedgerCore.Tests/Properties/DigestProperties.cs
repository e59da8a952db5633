using NUnit.Framework;

namespace LedgerCore.Tests.Properties;

/// <summary>The digest sees every field: two runs that differ in one user field of one applied event differ in digest.</summary>
public class DigestProperties
{
    private const uint Fresh = 0xC0FFEE; // never generated, never 0: a post keeps it instead of inheriting

    [Test]
    public void Changing_one_field_of_one_applied_event_changes_the_digest() =>
        LedgerHarness.Check(LedgerGenerators.DigestCases(), c =>
        {
            var batches = WorkloadBuilder.Build(c.Workload);
            var machine = new LedgerStateMachine();
            var applied = new List<(int Batch, int Event)>();
            foreach (LedgerBatch batch in batches)
            {
                uint[] codes = LedgerHarness.Apply(machine, batch);
                applied.AddRange(Enumerable.Range(0, codes.Length).Where(i => codes[i] == 0).Select(i => (batch.Index, i)));
            }

            if (applied.Count == 0) return;
            var (b, e) = applied[c.Pick % applied.Count];
            var altered = batches.Select(x => x.Index == b ? Alter(x, e, c.Field) : x).ToList();

            var a = new LedgerStateMachine();
            var z = new LedgerStateMachine();
            for (int k = 0; k < batches.Count; k++)
            {
                LedgerHarness.Apply(a, batches[k]);
                uint[] codes = LedgerHarness.Apply(z, altered[k]);
                if (k < b) continue;
                PropertyFailedException.Unless(k != b || codes[e] == 0, () => $"the altered event {e} of batch {b} failed with {LedgerHarness.Name(altered[k], codes[e])}");
                PropertyFailedException.Unless(a.ComputeDigest() != z.ComputeDigest(),
                    () => $"after batch {k}, changing field {c.Field} of event {e} in batch {b} left the digest unchanged");
            }
        });

    private static LedgerBatch Alter(LedgerBatch batch, int index, int field)
    {
        if (batch.IsTransfers)
        {
            var transfers = batch.Transfers.ToArray();
            Transfer t = transfers[index];
            transfers[index] = (field % 3) switch
            {
                0 => t with { UserData128 = Fresh },
                1 => t with { UserData64 = Fresh },
                _ => t with { UserData32 = Fresh },
            };
            return batch with { Transfers = transfers };
        }

        var accounts = batch.Accounts.ToArray();
        Account a = accounts[index];
        accounts[index] = field switch
        {
            0 => a with { UserData128 = Fresh },
            1 => a with { UserData64 = Fresh },
            2 => a with { UserData32 = Fresh },
            _ => a with { Code = (ushort)(a.Code + 100) },
        };
        return batch with { Accounts = accounts };
    }
}
