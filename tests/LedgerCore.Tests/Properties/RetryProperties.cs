using NUnit.Framework;

namespace LedgerCore.Tests.Properties;

/// <summary>
/// Property 5b: Exists means "the same transfer". A post or void may leave its accounts, ledger, code
/// and user data at zero and its amount at the sentinel (MaxValue for a post, 0 for a void) to inherit
/// them from its pending transfer. A retry of a stored post/void, in any mix of stated and inherited
/// fields, gets Exists exactly when it would have stored the same transfer, and an Exists* code
/// otherwise; it never applies.
/// </summary>
public class RetryProperties
{
    [Test]
    public void A_retried_post_or_void_gets_exists_exactly_when_it_would_store_the_same_transfer() =>
        LedgerHarness.Check(LedgerGenerators.Workloads(), workload =>
        {
            var machine = new LedgerStateMachine();
            var batches = WorkloadBuilder.Build(workload);
            foreach (LedgerBatch batch in batches) LedgerHarness.Apply(machine, batch);

            var transfers = LedgerHarness.Transfers(machine);
            var requests = batches.SelectMany(b => b.Transfers).Where(t => transfers.TryGetValue(t.Id, out Transfer e) && Resolves(e));
            ulong timestamp = machine.CommitTimestamp;
            foreach (Transfer request in requests.DistinctBy(t => t.Id))
            {
                Transfer stored = transfers[request.Id];
                Transfer pending = transfers[stored.PendingId];
                foreach (Transfer retry in Variants(request, stored, pending))
                {
                    bool same = Effective(retry, pending) == (stored with { Timestamp = 0 });
                    timestamp++;
                    var results = machine.CreateTransfers([retry], timestamp);
                    CreateTransferResult result = results.Length == 0 ? CreateTransferResult.Ok : results[0].Result;
                    PropertyFailedException.Unless(same ? result == CreateTransferResult.Exists : result is not CreateTransferResult.Ok and not CreateTransferResult.Exists,
                        () => $"retry {LedgerHarness.Show(retry)} of stored {LedgerHarness.Show(stored)} (pending {LedgerHarness.Show(pending)}) got {result}, expected {(same ? "Exists" : "an ExistsWithDifferent* code")}");
                }
            }
        }, cases: 500);

    private static bool Resolves(Transfer t) => (t.Flags & (TransferFlags.PostPendingTransfer | TransferFlags.VoidPendingTransfer)) != 0;

    /// <summary>What the retry would store if it were new: zero fields and the sentinel amount inherit from the pending transfer.</summary>
    private static Transfer Effective(Transfer retry, Transfer pending)
    {
        bool post = (retry.Flags & TransferFlags.PostPendingTransfer) != 0;
        return retry with
        {
            DebitAccountId = retry.DebitAccountId != 0 ? retry.DebitAccountId : pending.DebitAccountId,
            CreditAccountId = retry.CreditAccountId != 0 ? retry.CreditAccountId : pending.CreditAccountId,
            Ledger = retry.Ledger != 0 ? retry.Ledger : pending.Ledger,
            Code = retry.Code != 0 ? retry.Code : pending.Code,
            UserData128 = retry.UserData128 != 0 ? retry.UserData128 : pending.UserData128,
            UserData64 = retry.UserData64 != 0 ? retry.UserData64 : pending.UserData64,
            UserData32 = retry.UserData32 != 0 ? retry.UserData32 : pending.UserData32,
            Amount = post
                ? (retry.Amount == UInt128.MaxValue ? pending.Amount : retry.Amount)
                : (retry.Amount == 0 ? pending.Amount : retry.Amount),
            Timestamp = 0,
        };
    }

    /// <summary>The original request, and versions of it with one field stated (as stored) or left to inherit.</summary>
    private static IEnumerable<Transfer> Variants(Transfer request, Transfer stored, Transfer pending)
    {
        // A linked retry alone in its batch would be an open chain, an imported one needs an imported
        // batch: those are left out, the rest is retried as it was requested.
        if ((stored.Flags & (TransferFlags.Linked | TransferFlags.Imported)) != 0) yield break;
        bool post = (request.Flags & TransferFlags.PostPendingTransfer) != 0;
        Transfer r = request with { Timestamp = 0 };
        yield return r;
        yield return r with { Amount = post ? UInt128.MaxValue : 0 };
        yield return r with { Amount = stored.Amount };
        yield return r with { UserData128 = 0 };
        yield return r with { UserData64 = 0 };
        yield return r with { UserData32 = 0 };
        yield return r with { UserData128 = stored.UserData128, UserData64 = stored.UserData64, UserData32 = stored.UserData32 };
        yield return r with { DebitAccountId = 0, CreditAccountId = 0, Ledger = 0, Code = 0 };
        yield return r with { DebitAccountId = stored.DebitAccountId, CreditAccountId = stored.CreditAccountId, Ledger = stored.Ledger, Code = stored.Code };
        yield return r with { UserData64 = pending.UserData64 == 0 ? 1UL : pending.UserData64 };
    }
}
