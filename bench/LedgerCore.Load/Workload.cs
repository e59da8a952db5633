namespace LedgerCore.Load;

/// <summary>
/// Deterministic transfers for one client: unique ids from the client's own range, accounts drawn
/// uniformly or, for the hot share, among the first ten accounts. Fills a reused buffer, so the
/// generator allocates nothing per batch.
/// </summary>
internal sealed class Workload(LoadOptions options, int client)
{
    private const int HotAccounts = 10;

    private ulong _state = unchecked((options.Seed * 0x9E3779B97F4A7C15UL) + (ulong)client + 1) | 1;
    private ulong _nextId = ((ulong)client << 40) + 1;

    public void Fill(Span<Transfer> batch)
    {
        for (int i = 0; i < batch.Length; i++)
        {
            bool hot = options.HotAccountsPercent > 0 && (int)(Next() % 100) < options.HotAccountsPercent;
            uint range = hot ? HotAccounts : (uint)options.Accounts;
            ulong debit = 1 + Next() % range;
            ulong credit = 1 + Next() % (range - 1);
            if (credit >= debit) credit++;
            batch[i] = new Transfer
            {
                Id = _nextId++,
                DebitAccountId = debit,
                CreditAccountId = credit,
                Amount = 1 + Next() % 1000,
                Ledger = 1,
                Code = 1,
            };
        }
    }

    /// <summary>The accounts the run transfers between: ids 1..N, one ledger, no limits.</summary>
    public static Account[] Accounts(int start, int count)
    {
        var accounts = new Account[count];
        for (int i = 0; i < count; i++) accounts[i] = new Account { Id = (ulong)(start + i), Ledger = 1, Code = 1 };
        return accounts;
    }

    // xorshift64*: fast, deterministic, good enough to spread accounts.
    private ulong Next()
    {
        _state ^= _state >> 12;
        _state ^= _state << 25;
        _state ^= _state >> 27;
        return unchecked(_state * 0x2545F4914F6CDD1DUL);
    }
}
