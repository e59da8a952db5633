using BenchmarkDotNet.Attributes;

namespace LedgerCore.Benchmarks.StateMachine;

/// <summary>
/// Two-phase transfers and linked chains, per event, in full batches: a batch of pending transfers
/// then a batch posting them; and chains of four linked transfers (all-or-nothing bookkeeping).
/// </summary>
[MemoryDiagnoser]
public class TwoPhaseBenchmark
{
    private const int Batch = LedgerStateMachine.BatchEventsMax;
    private const int Batches = 4;

    private Transfer[][] _pendings = [];
    private Transfer[][] _posts = [];
    private Transfer[][] _chains = [];
    private LedgerStateMachine _machine = new();
    private ulong _timestamp;

    [GlobalSetup]
    public void Build()
    {
        _pendings = new Transfer[Batches][];
        _posts = new Transfer[Batches][];
        _chains = new Transfer[Batches][];
        for (int b = 0; b < Batches; b++)
        {
            ulong first = 1 + ((ulong)b * Batch);
            _pendings[b] = Ledgers.Transfers(Batch, first, hot: false, seed: b);
            _posts[b] = new Transfer[Batch];
            for (int i = 0; i < Batch; i++)
            {
                _pendings[b][i].Flags = TransferFlags.Pending;
                _posts[b][i] = new Transfer { Id = 1_000_000_000 + first + (ulong)i, PendingId = first + (ulong)i, Amount = UInt128.MaxValue, Flags = TransferFlags.PostPendingTransfer };
            }

            // Chains of four: the last of each chain closes it. 8190 = 4 * 2047 + 2: the tail pair is a chain of two.
            _chains[b] = Ledgers.Transfers(Batch, 2_000_000_000 + first, hot: false, seed: 100 + b);
            for (int i = 0; i < Batch; i++)
            {
                bool last = i % 4 == 3 || i == Batch - 1;
                if (!last) _chains[b][i].Flags = TransferFlags.Linked;
            }
        }
    }

    [IterationSetup]
    public void OpenLedger()
    {
        _timestamp = 0;
        _machine = Ledgers.WithAccounts(ref _timestamp);
    }

    [Benchmark(OperationsPerInvoke = 2 * Batch * Batches)]
    public int PendingThenPost()
    {
        int failed = 0;
        for (int b = 0; b < Batches; b++)
        {
            _timestamp += Batch;
            failed += _machine.CreateTransfers(_pendings[b], _timestamp).Length;
            _timestamp += Batch;
            failed += _machine.CreateTransfers(_posts[b], _timestamp).Length;
        }

        return failed;
    }

    [Benchmark(OperationsPerInvoke = Batch * Batches)]
    public int LinkedChainsOfFour()
    {
        int failed = 0;
        for (int b = 0; b < Batches; b++)
        {
            _timestamp += Batch;
            failed += _machine.CreateTransfers(_chains[b], _timestamp).Length;
        }

        return failed;
    }
}
