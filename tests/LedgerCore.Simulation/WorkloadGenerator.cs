namespace LedgerCore.Simulation;

/// <summary>
/// A small seeded client: accounts on two ledgers (some with balance limits or history, some invalid),
/// and transfers that are single-phase, pending (with and without timeouts), posts and voids of them,
/// balancing, linked chains (some left open), invalid ones and reused ids. Everything comes from the
/// seed's <see cref="Random"/>; the client never looks at the engine's answers, so the workload is the
/// same whatever the faults do.
/// </summary>
internal sealed class WorkloadGenerator(Random random, int maxRequestEvents)
{
    private const ulong MissingAccount = 9_999_999;
    private readonly List<(UInt128 Id, uint Ledger)> _accounts = [];
    private readonly List<(UInt128 Id, uint Ledger)> _pending = [];
    private readonly List<UInt128> _transferIds = [];
    private ulong _nextAccount = 1;
    private ulong _nextTransfer = 1_000_000;
    private int _requests;

    /// <summary>Every transfer id the client has sent so far (whether or not it was created): what reads ask for.</summary>
    public IReadOnlyList<UInt128> TransferIds => _transferIds;

    public ClientRequest Next()
    {
        _requests++;
        return _accounts.Count < 4 || random.Next(8) == 0 ? NextAccounts() : NextTransfers();
    }

    private ClientRequest NextAccounts()
    {
        var accounts = new Account[random.Next(1, 7)];
        for (int i = 0; i < accounts.Length; i++)
        {
            var a = new Account
            {
                Id = random.Next(30) == 0 && _accounts.Count > 0 ? _accounts[random.Next(_accounts.Count)].Id : _nextAccount++,
                Ledger = random.Next(40) == 0 ? 0u : (uint)random.Next(1, 3),
                Code = random.Next(40) == 0 ? (ushort)0 : (ushort)1,
                UserData64 = (ulong)random.Next(100),
            };
            int limits = random.Next(8);
            if (limits == 0) a.Flags |= AccountFlags.DebitsMustNotExceedCredits;
            if (limits == 1) a.Flags |= AccountFlags.CreditsMustNotExceedDebits;
            if (limits == 2) a.Flags |= AccountFlags.DebitsMustNotExceedCredits | AccountFlags.CreditsMustNotExceedDebits; // invalid
            if (random.Next(4) == 0) a.Flags |= AccountFlags.History;
            if (i + 1 < accounts.Length && random.Next(6) == 0) a.Flags |= AccountFlags.Linked;
            accounts[i] = a;
            _accounts.Add((a.Id, a.Ledger));
        }

        return new ClientRequest(_requests, accounts);
    }

    private ClientRequest NextTransfers()
    {
        var transfers = new Transfer[random.Next(1, maxRequestEvents + 1)];
        for (int i = 0; i < transfers.Length; i++)
        {
            Transfer t = NextTransfer();
            bool last = i + 1 == transfers.Length;
            if (random.Next(8) == 0 && (!last || random.Next(3) == 0)) t.Flags |= TransferFlags.Linked; // some chains stay open
            transfers[i] = t;
            _transferIds.Add(t.Id);
        }

        return new ClientRequest(_requests, transfers);
    }

    private Transfer NextTransfer()
    {
        uint ledger = (uint)random.Next(1, 3);
        var t = new Transfer { Id = _nextTransfer++, Ledger = ledger, Code = 1, Amount = (ulong)random.Next(1, 1000) };
        (t.DebitAccountId, t.CreditAccountId) = (AccountOn(ledger), AccountOn(ledger));
        int kind = random.Next(100);
        if (kind < 50)
        {
            // Single-phase.
        }
        else if (kind < 62)
        {
            t.Flags = TransferFlags.Pending;
            if (random.Next(2) == 0) t.Timeout = (uint)random.Next(1, 6);
            _pending.Add((t.Id, ledger));
        }
        else if (kind < 80)
        {
            // Post or void a pending transfer (sometimes one that does not exist), inheriting its fields.
            UInt128 pending = _pending.Count > 0 && random.Next(10) != 0 ? _pending[random.Next(_pending.Count)].Id : _nextTransfer + 5_000_000;
            t = new Transfer
            {
                Id = t.Id,
                PendingId = pending,
                Flags = kind < 72 ? TransferFlags.PostPendingTransfer : TransferFlags.VoidPendingTransfer,
                Amount = kind < 72 && random.Next(2) == 0 ? (ulong)random.Next(1, 1000) : 0,
            };
        }
        else if (kind < 85)
        {
            t.Flags = random.Next(2) == 0 ? TransferFlags.BalancingDebit : TransferFlags.BalancingCredit;
            t.Amount = (ulong)random.Next(1, 5000);
        }
        else if (kind < 95)
        {
            switch (random.Next(5))
            {
                case 0: t.DebitAccountId = MissingAccount; break;
                case 1: t.CreditAccountId = t.DebitAccountId; break;
                case 2: t.Ledger = 3; break;
                case 3: t.Id = 0; break;
                default: t.Code = 0; break;
            }
        }
        else if (_transferIds.Count > 0)
        {
            // An id already used, with other fields: Exists or ExistsWith... (or a retry of a failed id).
            t.Id = _transferIds[random.Next(_transferIds.Count)];
        }

        return t;
    }

    private UInt128 AccountOn(uint ledger)
    {
        for (int tries = 0; tries < 8; tries++)
        {
            (UInt128 id, uint l) = _accounts[random.Next(_accounts.Count)];
            if (l == ledger) return id;
        }

        return _accounts[random.Next(_accounts.Count)].Id;
    }
}
