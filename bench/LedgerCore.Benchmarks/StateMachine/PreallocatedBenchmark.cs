using BenchmarkDotNet.Attributes;

namespace LedgerCore.Benchmarks.StateMachine;

/// <summary>
/// The hot path alone: full batches of uniform single-phase transfers into a ledger whose storage
/// was allocated up front (<see cref="LedgerStateMachine(int, long)"/>), so the allocation column is
/// what applying a transfer itself allocates — it must read 0 B.
/// </summary>
[MemoryDiagnoser]
public class PreallocatedBenchmark
{
    private const int TransfersPerInvoke = 8 * LedgerStateMachine.BatchEventsMax;

    private Transfer[] _transfers = [];
    private LedgerStateMachine _machine = new();
    private ulong _timestamp;

    [GlobalSetup]
    public void BuildTransfers() => _transfers = Ledgers.Transfers(TransfersPerInvoke, 1, hot: false, seed: 42);

    [IterationSetup]
    public void OpenLedger()
    {
        _timestamp = 0;
        _machine = Ledgers.WithAccounts(ref _timestamp, new LedgerStateMachine(Ledgers.Accounts, TransfersPerInvoke));
    }

    [Benchmark(OperationsPerInvoke = TransfersPerInvoke)]
    public int CreateTransfers_8190_uniform_preallocated()
    {
        int failed = 0;
        for (int start = 0; start < _transfers.Length; start += LedgerStateMachine.BatchEventsMax)
        {
            _timestamp += LedgerStateMachine.BatchEventsMax;
            failed += _machine.CreateTransfers(_transfers.AsSpan(start, LedgerStateMachine.BatchEventsMax), _timestamp).Length;
        }

        return failed;
    }
}
