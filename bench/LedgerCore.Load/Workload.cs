namespace LedgerCore.Load;

/// <summary>
/// Deterministic transfers for one client: unique ids from the client's own range (or, with
/// <c>--random-ids</c>, uniformly random-looking 128-bit ids), accounts drawn uniformly or, for the hot
/// share, among the first ten accounts. Fills a reused buffer, so the generator allocates nothing per batch.
/// </summary>
internal sealed class Workload(LoadOptions options, int client)
{
    private const int HotAccounts = 10;

    private ulong _state = unchecked((options.Seed * 0x9E3779B97F4A7C15UL) + (ulong)client + 1) | 1;
    private ulong _sent;

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
                Id = IdOf(options, client, _sent++),
                DebitAccountId = debit,
                CreditAccountId = credit,
                Amount = 1 + Next() % 1000,
                Ledger = 1,
                Code = 1,
            };
        }
    }

    /// <summary>
    /// The id of client <paramref name="client"/>'s transfer number <paramref name="n"/> (from 0): its
    /// own range, (client &lt;&lt; 40) + n + 1, or with <see cref="LoadOptions.RandomIds"/> a 128-bit id
    /// whose low half is a bijection of that number (so ids never repeat) and whose high half is mixed from it.
    /// </summary>
    public static UInt128 IdOf(LoadOptions options, int client, ulong n)
    {
        ulong sequential = ((ulong)client << 40) + n + 1;
        if (!options.RandomIds) return sequential;
        ulong low = Mix(sequential ^ options.Seed);
        return new UInt128(Mix(low ^ 0xD6E8FEB86659FD93UL) | 1, low);
    }

    // SplitMix64's finalizer: a bijection on 64 bits that spreads every input bit over the output.
    private static ulong Mix(ulong x)
    {
        x = unchecked((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL);
        x = unchecked((x ^ (x >> 27)) * 0x94D049BB133111EBUL);
        return x ^ (x >> 31);
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
