namespace LedgerCore.Amqp.Tests;

/// <summary>Writes change events of every kind but expiry: single-phase, pending, posted, voided transfers, in batches.</summary>
internal static class Workload
{
    public const uint Ledger = 840;

    public static async Task CreateAccountsAsync(ILedger ledger)
    {
        var accounts = new Account[10];
        for (int i = 0; i < accounts.Length; i++) accounts[i] = new Account { Id = (UInt128)(i + 1), Ledger = Ledger, Code = (ushort)(10 + i) };
        Assert(await ledger.CreateAccountsAsync(accounts));
    }

    /// <summary>Writes <paramref name="batches"/> batches of 50 events with ids from <paramref name="firstId"/>.</summary>
    public static async Task<ulong> WriteAsync(ILedger ledger, ulong firstId, int batches, CancellationToken cancellationToken = default)
    {
        ulong id = firstId;
        for (int b = 0; b < batches; b++)
        {
            var transfers = new Transfer[50];
            for (int i = 0; i < transfers.Length; i += 5)
            {
                UInt128 debit = (UInt128)(1 + (id % 10));
                UInt128 credit = (UInt128)(1 + ((id + 3) % 10));
                transfers[i] = new Transfer { Id = id, DebitAccountId = debit, CreditAccountId = credit, Amount = (UInt128)(id % 97 + 1), Ledger = Ledger, Code = 1 };
                transfers[i + 1] = new Transfer { Id = id + 1, DebitAccountId = debit, CreditAccountId = credit, Amount = 10, Ledger = Ledger, Code = 2, Flags = TransferFlags.Pending };
                transfers[i + 2] = new Transfer { Id = id + 2, PendingId = id + 1, Amount = 4, Ledger = Ledger, Code = 2, Flags = TransferFlags.PostPendingTransfer };
                transfers[i + 3] = new Transfer { Id = id + 3, DebitAccountId = credit, CreditAccountId = debit, Amount = 5, Ledger = Ledger, Code = 3, Flags = TransferFlags.Pending };
                transfers[i + 4] = new Transfer { Id = id + 4, PendingId = id + 3, Ledger = Ledger, Code = 3, Flags = TransferFlags.VoidPendingTransfer };
                id += 5;
            }

            CreateTransfersResult[] failed = await ledger.CreateTransfersAsync(transfers, cancellationToken);
            if (failed.Length != 0) throw new InvalidOperationException($"transfer {failed[0].Index} failed: {failed[0].Result}");
        }

        return id;
    }

    /// <summary>Every change event of the ledger, in timestamp order, paged.</summary>
    public static async Task<List<ChangeEvent>> AllEventsAsync(ILedger ledger)
    {
        var all = new List<ChangeEvent>();
        ulong from = 1;
        for (int page = 0; page < 10_000; page++)
        {
            ChangeEvent[] events = await ledger.GetChangeEventsAsync(new ChangeEventsFilter(from, 0, LedgerStateMachine.ChangeEventsMax));
            if (events.Length == 0) return all;
            all.AddRange(events);
            from = events[^1].Timestamp + 1;
        }

        throw new InvalidOperationException("too many pages");
    }

    private static void Assert(CreateAccountsResult[] failed)
    {
        if (failed.Length != 0) throw new InvalidOperationException($"account {failed[0].Index} failed: {failed[0].Result}");
    }
}
