using NUnit.Framework;

namespace LedgerCore.Tests.Properties;

/// <summary>Property 7: once every pending transfer is resolved, no pending balance is left.</summary>
public class ResolutionProperties
{
    /// <summary>
    /// After the workload, one batch posts (whole amount) or voids every open pending transfer. Posts
    /// only go where both accounts are open: the reference refuses any movement but a void in a closed
    /// account, and a closing transfer's own accounts are closed, so it can only be voided (or expire).
    /// Every event must succeed, and all pending balances must be zero.
    /// </summary>
    [Test]
    public void Posting_or_voiding_every_open_pending_transfer_leaves_no_pending_balance() =>
        LedgerHarness.Check(LedgerGenerators.Workloads(), workload =>
        {
            var (machine, model, last) = Run(workload);
            var resolution = ResolveAll(model, last, machine, voidOnly: false);
            uint[] codes = LedgerHarness.Apply(machine, resolution);
            PropertyFailedException.Unless(codes.All(c => c == 0), () => $"resolving every pending transfer failed: {LedgerHarness.Describe(resolution, codes)}");
            model.Observe(machine, resolution, codes);
            AssertNoPending(machine);
        });

    /// <summary>
    /// After the workload, the pending transfers without a timeout are voided, then time moves past the
    /// longest timeout with an empty batch: everything else expires, and all pending balances are zero.
    /// </summary>
    [Test]
    public void Voiding_untimed_and_expiring_timed_pending_transfers_leaves_no_pending_balance() =>
        LedgerHarness.Check(LedgerGenerators.Workloads(), workload =>
        {
            var (machine, model, last) = Run(workload);
            var voids = ResolveAll(model, last, machine, voidOnly: true);
            uint[] codes = LedgerHarness.Apply(machine, voids);
            PropertyFailedException.Unless(codes.All(c => c == 0), () => $"voiding the pending transfers without timeout failed: {LedgerHarness.Describe(voids, codes)}");
            model.Observe(machine, voids, codes);
            var later = new LedgerBatch(-1, true, [], [], voids.Timestamp + (LedgerGenerators.TimeoutMax * 1_000_000_000UL) + 1);
            model.Observe(machine, later, LedgerHarness.Apply(machine, later));
            AssertNoPending(machine);
        });

    private static (LedgerStateMachine Machine, LedgerModel Model, ulong Last) Run(Workload workload)
    {
        var machine = new LedgerStateMachine();
        var model = new LedgerModel();
        ulong last = WorkloadBuilder.BaseTimestamp;
        foreach (LedgerBatch batch in WorkloadBuilder.Build(workload))
        {
            model.Observe(machine, batch, LedgerHarness.Apply(machine, batch));
            last = batch.Timestamp;
        }

        return (machine, model, last);
    }

    /// <summary>
    /// One event per open pending transfer that will not have expired by the batch's timestamp (those
    /// are resolved by time at the start of the batch): a void, or a post of the whole amount.
    /// With <paramref name="voidOnly"/>, only the transfers without timeout, all voided.
    /// </summary>
    private static LedgerBatch ResolveAll(LedgerModel model, ulong last, LedgerStateMachine machine, bool voidOnly)
    {
        var open = model.OpenPending.Values.OrderBy(p => p.Timestamp).ToList();
        ulong timestamp = last + (ulong)Math.Max(open.Count, 1);
        var events = new List<Transfer>();
        foreach (Transfer p in open)
        {
            if (p.Timeout != 0 && (voidOnly || p.Timestamp + (p.Timeout * 1_000_000_000UL) <= timestamp)) continue;
            bool post = !voidOnly && p.Id % 2 == 0 && !model.IsClosed(p.DebitAccountId) && !model.IsClosed(p.CreditAccountId);
            events.Add(new Transfer
            {
                Id = (UInt128)(LedgerHarness.ExtraTransferIdBase + events.Count),
                PendingId = p.Id,
                Amount = post ? UInt128.MaxValue : 0,
                Flags = post ? TransferFlags.PostPendingTransfer : TransferFlags.VoidPendingTransfer,
            });
        }

        PropertyFailedException.Unless(machine.CommitTimestamp == last, () => "the machine's commit timestamp is not the last batch's");
        return new LedgerBatch(-1, true, [], events, timestamp);
    }

    private static void AssertNoPending(LedgerStateMachine machine)
    {
        foreach (Account a in LedgerHarness.Accounts(machine).Values)
        {
            PropertyFailedException.Unless(a.DebitsPending == 0 && a.CreditsPending == 0,
                () => $"every pending transfer is resolved, yet {LedgerHarness.Show(a)}");
        }

        ConservationProperties.AssertBalanced(machine, -1);
    }
}
