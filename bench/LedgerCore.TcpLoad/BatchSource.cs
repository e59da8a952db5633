namespace LedgerCore.TcpLoad;

/// <summary>
/// Hands out batch numbers to any number of workers and fills a batch deterministically from its
/// number: ids are batch × size + i + 1 (unique across workers), accounts are drawn uniformly.
/// </summary>
internal sealed class BatchSource(TcpLoadOptions options, long transfers)
{
    private long _next = -1;

    public long BatchCount { get; } = (transfers + options.Batch - 1) / options.Batch;

    /// <summary>The next batch number, or -1 when all are handed out.</summary>
    public long Take()
    {
        long batch = Interlocked.Increment(ref _next);
        return batch < BatchCount ? batch : -1;
    }

    /// <summary>Fills <paramref name="buffer"/> with batch <paramref name="batch"/>; returns how many transfers it holds.</summary>
    public int Fill(long batch, Transfer[] buffer)
    {
        long first = batch * options.Batch;
        int count = (int)Math.Min(options.Batch, transfers - first);
        ulong state = unchecked(((ulong)batch * 0x9E3779B97F4A7C15UL) + 1) | 1;
        uint range = (uint)options.Accounts;
        for (int i = 0; i < count; i++)
        {
            ulong debit = 1 + (Next(ref state) % range);
            ulong credit = 1 + (Next(ref state) % (range - 1));
            if (credit >= debit) credit++;
            buffer[i] = new Transfer
            {
                Id = (ulong)(first + i + 1),
                DebitAccountId = debit,
                CreditAccountId = credit,
                Amount = 1 + (Next(ref state) % 1000),
                Ledger = 1,
                Code = 1,
            };
        }

        return count;
    }

    // xorshift64*: fast, deterministic, good enough to spread accounts.
    private static ulong Next(ref ulong state)
    {
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        return unchecked(state * 0x2545F4914F6CDD1DUL);
    }
}
