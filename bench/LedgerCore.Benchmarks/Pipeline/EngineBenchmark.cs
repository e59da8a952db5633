using BenchmarkDotNet.Attributes;

namespace LedgerCore.Benchmarks.Pipeline;

/// <summary>
/// End to end through the durable engine (sequencer, group-commit journal with fsync, processor):
/// <c>CreateTransfersAsync</c> from 1 or 8 concurrent callers, each sending full batches of 8190 and
/// awaiting each before the next. Per transfer. The engine and its directory live for the whole run,
/// so later iterations insert into a larger ledger, as a real one would.
/// </summary>
[MemoryDiagnoser]
public class EngineBenchmark
{
    private const int Batch = LedgerStateMachine.BatchEventsMax;
    private const int BatchesPerCaller = 4;
    private const int Accounts = 100_000;

    private string _directory = "";
    private LedgerEngine? _engine;
    private Transfer[][] _buffers = [];
    private long _nextId;

    private const int CallersMax = 8;

    [GlobalSetup]
    public async Task Open()
    {
        _directory = Path.Combine(Path.GetTempPath(), $"ledgercore-bench-{Guid.NewGuid():N}");
        _engine = await LedgerEngine.OpenAsync(new LedgerOptions { DataDirectory = _directory, SnapshotIntervalEvents = 0 });
        var accounts = new Account[Batch];
        for (int start = 1; start <= Accounts; start += Batch)
        {
            int n = Math.Min(Batch, Accounts - start + 1);
            for (int i = 0; i < n; i++) accounts[i] = new Account { Id = (ulong)(start + i), Ledger = 1, Code = 1 };
            await _engine.CreateAccountsAsync(accounts.AsMemory(0, n));
        }

        _buffers = new Transfer[CallersMax][];
        for (int c = 0; c < CallersMax; c++) _buffers[c] = new Transfer[Batch];
    }

    [GlobalCleanup]
    public async Task Close()
    {
        if (_engine is not null) await _engine.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Benchmark(OperationsPerInvoke = Batch * BatchesPerCaller)]
    public Task OneCaller() => RunCallersAsync(1);

    [Benchmark(OperationsPerInvoke = Batch * BatchesPerCaller * CallersMax)]
    public Task EightCallers() => RunCallersAsync(CallersMax);

    private async Task RunCallersAsync(int count)
    {
        var callers = new Task[count];
        for (int c = 0; c < count; c++)
        {
            callers[c] = CallerAsync(_buffers[c], c);
        }

        await Task.WhenAll(callers);
    }

    private async Task CallerAsync(Transfer[] buffer, int caller)
    {
        var random = new Random(caller);
        for (int b = 0; b < BatchesPerCaller; b++)
        {
            for (int i = 0; i < buffer.Length; i++)
            {
                ulong debit = (ulong)random.Next(1, Accounts + 1);
                ulong credit = (ulong)random.Next(1, Accounts);
                if (credit >= debit) credit++;
                buffer[i] = new Transfer { Id = (ulong)Interlocked.Increment(ref _nextId), DebitAccountId = debit, CreditAccountId = credit, Amount = 1, Ledger = 1, Code = 1 };
            }

            CreateTransfersResult[] failures = await _engine!.CreateTransfersAsync(buffer);
            if (failures.Length != 0) throw new InvalidOperationException($"transfer failed: {failures[0].Result}");
        }
    }
}
