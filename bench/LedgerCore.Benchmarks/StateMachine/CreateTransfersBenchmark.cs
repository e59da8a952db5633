using BenchmarkDotNet.Attributes;

namespace LedgerCore.Benchmarks.StateMachine;

/// <summary>
/// Applying full batches (8190 single-phase transfers, uniform over 100,000 accounts) to the state
/// machine alone: the ceiling for everything the pipeline adds. Results are per transfer.
/// </summary>
[MemoryDiagnoser]
public class CreateTransfersBenchmark
{
    private const int Accounts = 100_000;
    private const int BatchSize = LedgerStateMachine.BatchEventsMax;
    private const int BatchesPerInvoke = 16;

    private Transfer[][] _batches = [];
    private LedgerStateMachine _machine = new();
    private ulong _timestamp;

    [GlobalSetup]
    public void BuildBatches()
    {
        var random = new Random(42);
        _batches = new Transfer[BatchesPerInvoke][];
        ulong id = 1;
        for (int b = 0; b < BatchesPerInvoke; b++)
        {
            var batch = new Transfer[BatchSize];
            for (int i = 0; i < BatchSize; i++)
            {
                ulong debit = (ulong)random.Next(1, Accounts + 1);
                ulong credit = (ulong)random.Next(1, Accounts);
                if (credit >= debit) credit++;
                batch[i] = new Transfer { Id = id++, DebitAccountId = debit, CreditAccountId = credit, Amount = 1, Ledger = 1, Code = 1 };
            }

            _batches[b] = batch;
        }
    }

    /// <summary>A fresh ledger per iteration, so every iteration inserts the same new transfers.</summary>
    [IterationSetup]
    public void OpenLedger()
    {
        _machine = new LedgerStateMachine();
        var accounts = new Account[BatchSize];
        _timestamp = 0;
        for (int start = 1; start <= Accounts; start += BatchSize)
        {
            int count = Math.Min(BatchSize, Accounts - start + 1);
            for (int i = 0; i < count; i++) accounts[i] = new Account { Id = (ulong)(start + i), Ledger = 1, Code = 1 };
            _timestamp += (ulong)count;
            _machine.CreateAccounts(accounts.AsSpan(0, count), _timestamp);
        }
    }

    [Benchmark(OperationsPerInvoke = BatchSize * BatchesPerInvoke)]
    public int CreateTransfers_8190_uniform()
    {
        int failed = 0;
        foreach (Transfer[] batch in _batches)
        {
            _timestamp += BatchSize;
            failed += _machine.CreateTransfers(batch, _timestamp).Length;
        }

        return failed;
    }
}
