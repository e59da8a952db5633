using LedgerCore.Storage;

namespace LedgerCore.Tests.Engine;

/// <summary>Shared helpers for engine tests: options, events, and a reference machine fed from the change feed.</summary>
internal static class Ledgers
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public static LedgerOptions Options(string directory, Action<LedgerOptions>? configure = null)
    {
        var options = new LedgerOptions { DataDirectory = directory };
        configure?.Invoke(options);
        return options;
    }

    /// <summary>Opens an engine on an in-memory (or faulty) storage; the lock still lives in <paramref name="directory"/>.</summary>
    public static LedgerEngine Open(string directory, IStorage storage, Action<LedgerOptions>? configure = null) =>
        LedgerEngine.Open(Options(directory, configure), storage, TimeProvider.System, CancellationToken.None);

    public static Account[] Accounts(int count, ulong firstId = 1) =>
        Enumerable.Range(0, count).Select(i => new Account { Id = firstId + (ulong)i, Ledger = 1, Code = 1 }).ToArray();

    public static Transfer Transfer(UInt128 id, UInt128 debit, UInt128 credit, ulong amount = 1) =>
        new() { Id = id, DebitAccountId = debit, CreditAccountId = credit, Amount = amount, Ledger = 1, Code = 1 };

    /// <summary>Transfers with ids <paramref name="firstId"/>.. between accounts 1..<paramref name="accounts"/>.</summary>
    public static Transfer[] Transfers(ulong firstId, int count, int accounts = 4) =>
        Enumerable.Range(0, count).Select(i =>
        {
            ulong id = firstId + (ulong)i;
            ulong debit = (id % (ulong)accounts) + 1;
            ulong credit = ((id + 1) % (ulong)accounts) + 1;
            return Transfer(id, debit, credit, (id % 7) + 1);
        }).ToArray();

    /// <summary>Every committed batch from <paramref name="from"/> through the engine's committed sequence.</summary>
    public static async Task<List<CommittedBatch>> ReadFeedAsync(LedgerEngine engine, long from = 0)
    {
        var batches = new List<CommittedBatch>();
        long until = engine.CommittedSequence;
        if (until < Math.Max(from, 1)) return batches;
        using var cts = new CancellationTokenSource(Timeout);
        await foreach (CommittedBatch batch in engine.ReadCommittedAsync(from, cts.Token))
        {
            batches.Add(batch);
            if (batch.Sequence >= until) break;
        }

        return batches;
    }

    /// <summary>A reference machine fed exactly these batches, with their timestamps.</summary>
    public static LedgerStateMachine Reference(IEnumerable<CommittedBatch> batches)
    {
        var machine = new LedgerStateMachine();
        foreach (CommittedBatch batch in batches) Apply(machine, batch);
        return machine;
    }

    public static void Apply(LedgerStateMachine machine, CommittedBatch batch)
    {
        if (batch.Operation == LedgerOperation.CreateAccounts) machine.CreateAccounts(batch.Accounts.Span, batch.Timestamp);
        else machine.CreateTransfers(batch.Transfers.Span, batch.Timestamp);
    }

    public static async Task<T> Within<T>(this Task<T> task) => await task.WaitAsync(Timeout).ConfigureAwait(false);

    public static async Task Within(this Task task) => await task.WaitAsync(Timeout).ConfigureAwait(false);

    public static async Task Within(this ValueTask task) => await task.AsTask().WaitAsync(Timeout).ConfigureAwait(false);
}
