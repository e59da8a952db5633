using BenchmarkDotNet.Attributes;

namespace LedgerCore.Benchmarks.StateMachine;

/// <summary>
/// Applying single-phase transfers to the state machine alone, in batches of 1 to 8190, uniform over
/// 100,000 accounts or 80% on ten hot accounts: the ceiling for everything the pipeline adds.
/// Results are per transfer. Each iteration starts from a fresh ledger (so every iteration inserts
/// the same new transfers); storage grows as it would in production, which is what the allocation
/// column shows (the stored transfer itself plus amortized index growth).
/// </summary>
[MemoryDiagnoser]
public class CreateTransfersBenchmark
{
    private const int TransfersPerInvoke = 8 * LedgerStateMachine.BatchEventsMax;

    private Transfer[] _transfers = [];
    private LedgerStateMachine _machine = new();
    private ulong _timestamp;

    [Params(1, 100, 1000, 8190)]
    public int BatchSize { get; set; }

    [Params(false, true)]
    public bool Hot { get; set; }

    [GlobalSetup]
    public void BuildTransfers() => _transfers = Ledgers.Transfers(TransfersPerInvoke, 1, Hot, seed: 42);

    [IterationSetup]
    public void OpenLedger()
    {
        _timestamp = 0;
        _machine = Ledgers.WithAccounts(ref _timestamp);
    }

    [Benchmark(OperationsPerInvoke = TransfersPerInvoke)]
    public int CreateTransfers()
    {
        int failed = 0;
        for (int start = 0; start < _transfers.Length; start += BatchSize)
        {
            int count = Math.Min(BatchSize, _transfers.Length - start);
            _timestamp += (ulong)count;
            failed += _machine.CreateTransfers(_transfers.AsSpan(start, count), _timestamp).Length;
        }

        return failed;
    }
}
