using BenchmarkDotNet.Attributes;

namespace LedgerCore.Benchmarks.StateMachine;

/// <summary>Looking up 8190 random accounts of 100,000 by id, per id; the result array is the only allocation.</summary>
[MemoryDiagnoser]
public class LookupAccountsBenchmark
{
    private readonly UInt128[] _ids = new UInt128[LedgerStateMachine.BatchEventsMax];
    private LedgerStateMachine _machine = new();

    [GlobalSetup]
    public void Setup()
    {
        ulong timestamp = 0;
        _machine = Ledgers.WithAccounts(ref timestamp);
        var random = new Random(3);
        for (int i = 0; i < _ids.Length; i++) _ids[i] = (ulong)random.Next(1, Ledgers.Accounts + 1);
    }

    [Benchmark(OperationsPerInvoke = LedgerStateMachine.BatchEventsMax)]
    public int LookupAccounts() => _machine.LookupAccounts(_ids).Length;
}
