using FsCheck;
using FsCheck.Fluent;

namespace LedgerCore.Tests.Properties;

/// <summary>
/// FsCheck generators of ledger workloads: up to 10 batches of up to 30 events over a small id space
/// (8 accounts, 200 transfers, the first 8 of them drawn often) so that collisions, Exists*, IdAlreadyFailed, limits, expiries and
/// closed accounts happen often. Valid and invalid events are mixed; values are plain records, so
/// counterexamples print readably and shrink by dropping batches and events.
/// </summary>
public static class LedgerGenerators
{
    /// <summary>Account ids are 1..AccountIdMax (plus 0 and AccountIdMax + 1, which never exist).</summary>
    public const int AccountIdMax = 8;

    /// <summary>Transfer ids are 1..TransferIdMax (plus 0).</summary>
    public const int TransferIdMax = 200;

    /// <summary>The longest pending timeout generated, in seconds.</summary>
    public const uint TimeoutMax = 3;

    /// <summary>The ledger an account id usually gets: odd and even ids live in different ledgers.</summary>
    public static uint LedgerOf(int accountId) => 1 + (uint)(accountId % 2);

    /// <summary>Workloads with a shrinker that drops batches, then single events.</summary>
    public static Arbitrary<Workload> Workloads() => Arb.From(WorkloadGen(), ShrinkWorkload);

    /// <summary>Workloads plus read filters; shrinks the workload.</summary>
    public static Arbitrary<ReadCase> ReadCases() => Arb.From(
        from w in WorkloadGen()
        from af in Gen.ArrayOf(AccountFilterGen(), 6)
        from qf in Gen.ArrayOf(QueryFilterGen(), 6)
        select new ReadCase(w, af, qf),
        c => ShrinkWorkload(c.Workload).Select(w => c with { Workload = w }));

    /// <summary>Workloads plus the choice of one applied event to alter.</summary>
    public static Arbitrary<DigestCase> DigestCases() => Arb.From(
        from w in WorkloadGen()
        from pick in Gen.Choose(0, 1000)
        from field in Gen.Choose(0, 3)
        select new DigestCase(w, pick, field),
        c => ShrinkWorkload(c.Workload).Select(w => c with { Workload = w }));

    /// <summary>
    /// Drops one batch (keeping at least one), then one event of one batch, then simplifies one event
    /// (no Linked flag, no deliberate fault) or one gap (to zero).
    /// </summary>
    public static IEnumerable<Workload> ShrinkWorkload(Workload workload)
    {
        ArgumentNullException.ThrowIfNull(workload);
        var batches = workload.Batches;
        for (int b = batches.Count - 1; b >= 0 && batches.Count > 1; b--)
        {
            yield return new Workload([.. batches.Where((_, i) => i != b)]);
        }

        for (int b = batches.Count - 1; b >= 0; b--)
        {
            BatchSpec batch = batches[b];
            for (int e = batch.Count - 1; e >= 0 && batch.Count > 1; e--)
            {
                BatchSpec smaller = batch with
                {
                    Accounts = [.. batch.Accounts.Where((_, i) => i != e)],
                    Transfers = [.. batch.Transfers.Where((_, i) => i != e)],
                };
                yield return new Workload([.. batches.Select((x, i) => i == b ? smaller : x)]);
            }
        }

        for (int b = 0; b < batches.Count; b++)
        {
            BatchSpec batch = batches[b];
            if (batch.GapNanoseconds != 0) yield return Replace(workload, b, batch with { GapNanoseconds = 0 });
            for (int e = 0; e < batch.Accounts.Count; e++)
            {
                AccountSpec a = batch.Accounts[e];
                if ((a.Flags & AccountFlags.Linked) != 0) yield return Replace(workload, b, batch with { Accounts = [.. batch.Accounts.Select((x, i) => i == e ? a with { Flags = a.Flags & ~AccountFlags.Linked } : x)] });
                if (a.Fault != SpecFault.None) yield return Replace(workload, b, batch with { Accounts = [.. batch.Accounts.Select((x, i) => i == e ? a with { Fault = SpecFault.None } : x)] });
            }

            for (int e = 0; e < batch.Transfers.Count; e++)
            {
                TransferSpec t = batch.Transfers[e];
                if ((t.Flags & TransferFlags.Linked) != 0) yield return Replace(workload, b, batch with { Transfers = [.. batch.Transfers.Select((x, i) => i == e ? t with { Flags = t.Flags & ~TransferFlags.Linked } : x)] });
                if (t.Fault != SpecFault.None) yield return Replace(workload, b, batch with { Transfers = [.. batch.Transfers.Select((x, i) => i == e ? t with { Fault = SpecFault.None } : x)] });
            }
        }
    }

    private static Workload Replace(Workload workload, int index, BatchSpec batch) =>
        new([.. workload.Batches.Select((x, i) => i == index ? batch : x)]);

    private static Gen<Workload> WorkloadGen() => Gen.Sized(size =>
        from count in Gen.Choose(1, Math.Clamp(2 + (size / 8), 2, 10))
        from first in FirstBatchGen()
        from rest in Gen.ArrayOf(BatchGen(accounts: false, size), count - 1)
        select new Workload([first, .. rest]));

    // The first batch opens most of the accounts (distinct ids, no chain), so transfers have somewhere
    // to go; later account batches collide, chain and fail like the rest.
    private static Gen<BatchSpec> FirstBatchGen() =>
        from ids in Gen.Shuffle(Enumerable.Range(1, AccountIdMax))
        from n in Gen.Frequency((4, Gen.Constant(AccountIdMax)), (1, Gen.Choose(5, AccountIdMax)))
        from events in Gen.CollectToArray(Enumerable.Range(0, n), i => AccountGen(importedBatch: false, i, ids[i]))
        select new BatchSpec(false, 0, [.. events.Select(e => e with { Flags = e.Flags & ~AccountFlags.Linked })], []);

    private static Gen<BatchSpec> BatchGen(bool accounts, int size) =>
        from isTransfers in accounts ? Gen.Constant(false) : Chance(70)
        from imported in Chance(15)
        from n in isTransfers ? Gen.Choose(1, Math.Clamp(3 + (size / 3), 3, 30)) : Gen.Choose(1, AccountIdMax)
        from gapSeconds in imported ? Gen.Choose(1, 4) : Gen.Frequency((6, Gen.Constant(0)), (4, Gen.Choose(1, 4)))
        from gapSmall in Gen.Choose(0, 1000)
        from accountEvents in isTransfers
            ? Gen.Constant(Array.Empty<AccountSpec>())
            : Gen.CollectToArray(Enumerable.Range(0, n), i => AccountGen(imported, i, fixedId: null))
        from transferEvents in isTransfers
            ? Gen.CollectToArray(Enumerable.Range(0, n), i => TransferGen(imported, i))
            : Gen.Constant(Array.Empty<TransferSpec>())
        select new BatchSpec(isTransfers, ((ulong)gapSeconds * 1_000_000_000UL) + (ulong)gapSmall, accountEvents, transferEvents);

    private static Gen<AccountSpec> AccountGen(bool importedBatch, int index, int? fixedId) =>
        from id in fixedId is null ? AccountIdGen() : Gen.Constant(fixedId.Value)
        from ledgerOk in Chance(95)
        from otherLedger in Gen.Choose(0, 3)
        from code in CodeGen()
        from debitsLimit in Chance(35)
        from creditsLimit in Chance(20)
        from history in Chance(40)
        from closed in Chance(4)
        from linked in Chance(10)
        from imported in ImportedFlagGen(importedBatch)
        from delta in ImportedDeltaGen(index)
        from userData in UserDataGen()
        from fault in FaultGen()
        select new AccountSpec(
            id,
            ledgerOk ? LedgerOf(id) : (uint)otherLedger,
            code,
            (debitsLimit ? AccountFlags.DebitsMustNotExceedCredits : 0) |
            (creditsLimit ? AccountFlags.CreditsMustNotExceedDebits : 0) |
            (history ? AccountFlags.History : 0) |
            (closed ? AccountFlags.Closed : 0) |
            (linked ? AccountFlags.Linked : 0) |
            (imported ? AccountFlags.Imported : 0),
            userData,
            delta,
            fault);

    private static Gen<TransferSpec> TransferGen(bool importedBatch, int index) =>
        from kind in Gen.Frequency(
            (34, Gen.Constant(0)), // single-phase
            (24, Gen.Constant(1)), // pending
            (14, Gen.Constant(2)), // post
            (10, Gen.Constant(3)), // void
            (8, Gen.Constant(4)),  // balancing
            (4, Gen.Constant(5)))  // closing
        from spec in kind switch
        {
            0 => NewTransferGen(pending: false, balancing: false, closing: false),
            1 => NewTransferGen(pending: true, balancing: false, closing: false),
            2 => ResolveGen(post: true),
            3 => ResolveGen(post: false),
            4 => from pending in Chance(30) from s in NewTransferGen(pending, balancing: true, closing: false) select s,
            _ => from pending in Chance(90) from s in NewTransferGen(pending, balancing: false, closing: true) select s,
        }
        from linked in Chance(10)
        from imported in ImportedFlagGen(importedBatch)
        from delta in ImportedDeltaGen(index)
        select spec with
        {
            Flags = spec.Flags | (linked ? TransferFlags.Linked : 0) | (imported ? TransferFlags.Imported : 0),
            ImportedDelta = delta,
        };

    private static Gen<TransferSpec> NewTransferGen(bool pending, bool balancing, bool closing) =>
        from id in TransferIdGen()
        from pair in PairGen()
        from amount in AmountGen()
        from ledgerOk in Chance(95)
        from otherLedger in Gen.Choose(0, 3)
        from code in CodeGen()
        from timeout in pending
            ? Gen.Frequency((1, Gen.Constant(0u)), (1, Gen.Choose(1, (int)TimeoutMax).Select(t => (uint)t)))
            : Gen.Frequency((30, Gen.Constant(0u)), (1, Gen.Constant(1u)))
        from side in Gen.Choose(1, 3)
        from strayPendingId in Chance(2)
        from userData in UserDataGen()
        from fault in FaultGen()
        select new TransferSpec(
            id,
            pair.Debit,
            pair.Credit,
            amount.Value,
            amount.Mode,
            strayPendingId ? -5 : 0,
            timeout,
            ledgerOk ? LedgerOf(pair.Debit) : (uint)otherLedger,
            code,
            (pending ? TransferFlags.Pending : 0) |
            (balancing ? (side == 1 ? TransferFlags.BalancingDebit : side == 2 ? TransferFlags.BalancingCredit : TransferFlags.BalancingDebit | TransferFlags.BalancingCredit) : 0) |
            (closing ? (side == 1 ? TransferFlags.ClosingDebit : side == 2 ? TransferFlags.ClosingCredit : TransferFlags.ClosingDebit | TransferFlags.ClosingCredit) : 0),
            userData,
            0,
            fault);

    private static Gen<TransferSpec> ResolveGen(bool post) =>
        from id in TransferIdGen()
        from accounts in Gen.Frequency((9, Gen.Constant((Debit: 0, Credit: 0))), (1, PairGen()))
        from mode in post
            ? Gen.Frequency(
                (8, Gen.Constant(AmountMode.Max)),
                (4, Gen.Constant(AmountMode.PendingExact)),
                (4, Gen.Constant(AmountMode.PendingHalf)),
                (1, Gen.Constant(AmountMode.PendingOver)),
                (3, Gen.Constant(AmountMode.Value)))
            : Gen.Frequency(
                (10, Gen.Constant(AmountMode.Value)),
                (6, Gen.Constant(AmountMode.PendingExact)),
                (2, Gen.Constant(AmountMode.PendingHalf)),
                (1, Gen.Constant(AmountMode.PendingOver)))
        from value in post ? Gen.Choose(0, 100) : Gen.Frequency((9, Gen.Constant(0)), (1, Gen.Choose(1, 100)))
        from pendingRef in Gen.Frequency((6, Gen.Choose(0, 3)), (3, Gen.Choose(0, 50)), (1, Gen.Choose(-TransferIdMax - 2, -1)))
        from ledger in Gen.Frequency((9, Gen.Constant(0u)), (1, Gen.Choose(1, 3).Select(l => (uint)l)))
        from code in Gen.Frequency((9, Gen.Constant((ushort)0)), (1, CodeGen()))
        from badFlags in Gen.Frequency(
            (30, Gen.Constant(TransferFlags.None)),
            (1, Gen.Elements(TransferFlags.PostPendingTransfer | TransferFlags.VoidPendingTransfer, TransferFlags.Pending, TransferFlags.BalancingDebit, TransferFlags.ClosingCredit)))
        from timeout in Gen.Frequency((30, Gen.Constant(0u)), (1, Gen.Constant(1u)))
        from inherit in Chance(50)
        from userData in UserDataGen()
        from fault in FaultGen()
        select new TransferSpec(
            id,
            accounts.Debit,
            accounts.Credit,
            (ulong)value,
            mode,
            pendingRef,
            timeout,
            ledger,
            code,
            (post ? TransferFlags.PostPendingTransfer : TransferFlags.VoidPendingTransfer) | badFlags,
            inherit ? 0 : userData,
            0,
            fault);

    private static Gen<AccountFilterSpec> AccountFilterGen() =>
        from accountId in Gen.Frequency((20, Gen.Choose(1, AccountIdMax)), (1, Gen.Constant(0)), (1, Gen.Constant(AccountIdMax + 1)))
        from ud128 in FilterValueGen()
        from ud64 in FilterValueGen()
        from ud32 in FilterValueGen()
        from code in Gen.Frequency((3, Gen.Constant((ushort)0)), (1, CodeGen()))
        from min in BoundGen()
        from max in BoundGen()
        from limit in LimitGen()
        from flags in Gen.Frequency(
            (20, Gen.Choose(1, 7).Select(f => (AccountFilterFlags)f)),
            (1, Gen.Elements((AccountFilterFlags)0, AccountFilterFlags.Reversed, (AccountFilterFlags)(1 | 8))))
        select new AccountFilterSpec(accountId, ud128, ud64, ud32, code, min.Pick, min.Nudge, max.Pick, max.Nudge, limit, flags);

    private static Gen<QueryFilterSpec> QueryFilterGen() =>
        from ud128 in FilterValueGen()
        from ud64 in FilterValueGen()
        from ud32 in FilterValueGen()
        from ledger in Gen.Frequency((3, Gen.Constant(0u)), (1, Gen.Choose(1, 3).Select(l => (uint)l)))
        from code in Gen.Frequency((3, Gen.Constant((ushort)0)), (1, CodeGen()))
        from min in BoundGen()
        from max in BoundGen()
        from limit in LimitGen()
        from flags in Gen.Frequency(
            (20, Gen.Choose(0, 1).Select(f => (QueryFilterFlags)f)),
            (1, Gen.Constant((QueryFilterFlags)2)))
        select new QueryFilterSpec(ud128, ud64, ud32, ledger, code, min.Pick, min.Nudge, max.Pick, max.Nudge, limit, flags);

    private static Gen<(int Pick, int Nudge)> BoundGen() =>
        from bounded in Chance(50)
        from pick in Gen.Choose(0, 200)
        from nudge in Gen.Frequency((4, Gen.Constant(0)), (1, Gen.Constant(-1)), (1, Gen.Constant(1)))
        select (bounded ? pick : -1, nudge);

    private static Gen<uint> LimitGen() => Gen.Frequency(
        (1, Gen.Constant(0u)),
        (12, Gen.Choose(1, 6).Select(l => (uint)l)),
        (4, Gen.Constant(8190u)),
        (2, Gen.Constant(uint.MaxValue)));

    private static Gen<int> FilterValueGen() => Gen.Frequency((6, Gen.Constant(0)), (2, Gen.Choose(1, 2)), (1, Gen.Constant(3)));

    private static Gen<(int Debit, int Credit)> PairGen() => Gen.Frequency(
        // Same parity, different ids: the same ledger, so the transfer can succeed.
        (10, from a in Gen.Choose(1, AccountIdMax) from k in Gen.Choose(1, (AccountIdMax / 2) - 1) select (a, ((a - 1 + (2 * k)) % AccountIdMax) + 1)),
        (1, from a in AccountIdGen() from b in AccountIdGen() select (a, b)));

    // Mostly small amounts, so limited accounts take several debits before they refuse one.
    private static Gen<(ulong Value, AmountMode Mode)> AmountGen() => Gen.Frequency(
        (20, Gen.Choose(1, 30).Select(a => ((ulong)a, AmountMode.Value))),
        (10, Gen.Choose(0, 100).Select(a => ((ulong)a, AmountMode.Value))),
        (1, Gen.Constant((0UL, AmountMode.Max))));

    private static Gen<int> AccountIdGen() =>
        Gen.Frequency((30, Gen.Choose(1, AccountIdMax)), (1, Gen.Constant(0)), (1, Gen.Constant(AccountIdMax + 1)));

    // A few hot ids collide often (Exists*, IdAlreadyFailed); the rest of the space keeps most events new.
    private static Gen<int> TransferIdGen() =>
        Gen.Frequency((30, Gen.Choose(1, TransferIdMax)), (3, Gen.Choose(1, 8)), (1, Gen.Constant(0)));

    private static Gen<ushort> CodeGen() => Gen.Frequency((30, Gen.Choose(1, 3)), (1, Gen.Constant(0))).Select(c => (ushort)c);

    private static Gen<int> UserDataGen() => Gen.Choose(0, 26);

    private static Gen<SpecFault> FaultGen() => Gen.Frequency(
        (40, Gen.Constant(SpecFault.None)),
        (1, Gen.Elements(SpecFault.TimestampNotZero, SpecFault.ReservedFlag, SpecFault.IdMax, SpecFault.BadField)));

    // Imported batches are all-imported and non-imported batches have none, but for a stray event.
    private static Gen<bool> ImportedFlagGen(bool importedBatch) =>
        Chance(2).Select(stray => importedBatch != stray);

    // Imported timestamps climb after the previous batch's timestamp; sometimes they regress (at or
    // before what is stored) or advance past the event's own timestamp.
    private static Gen<long> ImportedDeltaGen(int index) => Gen.Frequency(
        (16, Gen.Constant((index + 1L) * 10)),
        (3, Gen.Choose(-12, 0).Select(d => (long)d)),
        (1, Gen.Constant(5_000_000_000L)));

    private static Gen<bool> Chance(int percent) => Gen.Choose(0, 99).Select(x => x < percent);
}
