namespace LedgerCore.Tests.Properties;

/// <summary>
/// Turns a generated <see cref="Workload"/> into concrete batches: batch timestamps from the gaps,
/// imported timestamps relative to the previous batch, and post/void references resolved against
/// the pending transfers generated earlier. Pure: the same workload always builds the same batches.
/// </summary>
public static class WorkloadBuilder
{
    /// <summary>The timestamp the (virtual) batch before the first one had.</summary>
    public const ulong BaseTimestamp = 1_000_000_000_000;

    /// <summary>Builds the concrete batches.</summary>
    public static IReadOnlyList<LedgerBatch> Build(Workload workload)
    {
        ArgumentNullException.ThrowIfNull(workload);
        var batches = new List<LedgerBatch>(workload.Batches.Count);
        var pendings = new List<TransferSpec>();
        ulong previous = BaseTimestamp;
        foreach (BatchSpec spec in workload.Batches)
        {
            ulong timestamp = previous + (ulong)Math.Max(spec.Count, 1) + spec.GapNanoseconds;
            if (spec.IsTransfers)
            {
                var transfers = new Transfer[spec.Transfers.Count];
                for (int i = 0; i < transfers.Length; i++)
                {
                    TransferSpec t = spec.Transfers[i];
                    transfers[i] = ToTransfer(t, pendings, previous);
                    if ((t.Flags & TransferFlags.Pending) != 0) pendings.Add(t);
                }

                batches.Add(new LedgerBatch(batches.Count, true, [], transfers, timestamp));
            }
            else
            {
                batches.Add(new LedgerBatch(batches.Count, false, [.. spec.Accounts.Select(a => ToAccount(a, previous))], [], timestamp));
            }

            previous = timestamp;
        }

        return batches;
    }

    private static Account ToAccount(AccountSpec a, ulong previous)
    {
        var account = new Account
        {
            Id = a.Fault == SpecFault.IdMax ? UInt128.MaxValue : (UInt128)a.Id,
            Ledger = a.Ledger,
            Code = a.Code,
            Flags = a.Flags,
            UserData128 = UserData128(a.UserData),
            UserData64 = UserData64(a.UserData),
            UserData32 = UserData32(a.UserData),
            Timestamp = ImportedTimestamp((a.Flags & AccountFlags.Imported) != 0, a.ImportedDelta, previous, a.Fault),
        };
        switch (a.Fault)
        {
            case SpecFault.ReservedFlag:
                account.Flags |= (AccountFlags)(1 << 8);
                break;
            case SpecFault.BadField when a.Id % 2 == 0:
                account.Reserved = 1;
                break;
            case SpecFault.BadField:
                account.CreditsPosted = 1;
                break;
            default:
                break;
        }

        return account;
    }

    private static Transfer ToTransfer(TransferSpec t, List<TransferSpec> pendings, ulong previous)
    {
        TransferSpec? pending = null;
        UInt128 pendingId = 0;
        if ((t.Flags & (TransferFlags.PostPendingTransfer | TransferFlags.VoidPendingTransfer)) != 0)
        {
            if (t.PendingRef >= 0 && pendings.Count > 0)
            {
                pending = pendings[pendings.Count - 1 - (t.PendingRef % pendings.Count)];
                pendingId = (UInt128)pending.Id;
            }
            else
            {
                pendingId = (UInt128)Math.Max(0, -t.PendingRef - 1);
            }
        }
        else if (t.PendingRef < 0)
        {
            // A stray pending id on a transfer that resolves nothing: PendingIdMustBeZero.
            pendingId = (UInt128)(-t.PendingRef);
        }

        var transfer = new Transfer
        {
            Id = t.Fault == SpecFault.IdMax ? UInt128.MaxValue : (UInt128)t.Id,
            DebitAccountId = t.Fault == SpecFault.BadField ? UInt128.MaxValue : (UInt128)t.DebitId,
            CreditAccountId = (UInt128)t.CreditId,
            Amount = ResolveAmount(t, pending),
            PendingId = pendingId,
            Timeout = t.Timeout,
            Ledger = t.Ledger,
            Code = t.Code,
            Flags = t.Fault == SpecFault.ReservedFlag ? t.Flags | (TransferFlags)(1 << 12) : t.Flags,
            UserData128 = UserData128(t.UserData),
            UserData64 = UserData64(t.UserData),
            UserData32 = UserData32(t.UserData),
            Timestamp = ImportedTimestamp((t.Flags & TransferFlags.Imported) != 0, t.ImportedDelta, previous, t.Fault),
        };
        return transfer;
    }

    private static UInt128 ResolveAmount(TransferSpec t, TransferSpec? pending)
    {
        UInt128 basis = pending is null ? t.Amount : RequestedAmount(pending);
        return t.AmountMode switch
        {
            AmountMode.Value => t.Amount,
            AmountMode.Max => UInt128.MaxValue,
            AmountMode.PendingExact => basis,
            AmountMode.PendingHalf => basis / 2,
            AmountMode.PendingOver => basis == UInt128.MaxValue ? basis : basis + 1,
            _ => throw new ArgumentOutOfRangeException(nameof(t)),
        };
    }

    private static UInt128 RequestedAmount(TransferSpec pending) =>
        pending.AmountMode == AmountMode.Max ? UInt128.MaxValue : pending.Amount;

    private static ulong ImportedTimestamp(bool imported, long delta, ulong previous, SpecFault fault)
    {
        if (!imported) return fault == SpecFault.TimestampNotZero ? 1UL : 0UL;
        long value = (long)previous + delta;
        return value <= 0 ? 0UL : (ulong)value;
    }

    // Three small user-data values out of one, so filters on each field select different subsets.
    private static UInt128 UserData128(int userData) => (UInt128)(userData % 3);

    private static ulong UserData64(int userData) => (ulong)(userData / 3 % 3);

    private static uint UserData32(int userData) => (uint)(userData / 9 % 3);
}
