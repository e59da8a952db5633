namespace LedgerCore.Benchmarks.StateMachine;

/// <summary>Shared setup of the state-machine suites: a ledger of N plain accounts and transfer generators.</summary>
internal static class Ledgers
{
    public const int Accounts = 100_000;

    /// <summary>Share of transfers between the ten hot accounts in the skewed workload.</summary>
    public const int HotPercent = 80;

    public static LedgerStateMachine WithAccounts(ref ulong timestamp, LedgerStateMachine? machine = null, int count = Accounts)
    {
        machine ??= new LedgerStateMachine();
        var batch = new Account[LedgerStateMachine.BatchEventsMax];
        for (int start = 1; start <= count; start += batch.Length)
        {
            int n = Math.Min(batch.Length, count - start + 1);
            for (int i = 0; i < n; i++) batch[i] = new Account { Id = (ulong)(start + i), Ledger = 1, Code = 1 };
            timestamp += (ulong)n;
            machine.CreateAccounts(batch.AsSpan(0, n), timestamp);
        }

        return machine;
    }

    /// <summary>Single-phase transfers with ids from <paramref name="firstId"/>; uniform, or 80% among ten hot accounts.</summary>
    public static Transfer[] Transfers(int count, ulong firstId, bool hot, int seed)
    {
        var random = new Random(seed);
        var transfers = new Transfer[count];
        for (int i = 0; i < count; i++)
        {
            int range = hot && random.Next(100) < HotPercent ? 10 : Accounts;
            ulong debit = (ulong)random.Next(1, range + 1);
            ulong credit = (ulong)random.Next(1, range);
            if (credit >= debit) credit++;
            transfers[i] = new Transfer { Id = firstId + (ulong)i, DebitAccountId = debit, CreditAccountId = credit, Amount = 1, Ledger = 1, Code = 1 };
        }

        return transfers;
    }
}
