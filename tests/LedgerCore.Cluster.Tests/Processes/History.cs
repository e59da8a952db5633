using System.Collections.Concurrent;
using System.Diagnostics;

namespace LedgerCore.Cluster.Tests.Processes;

/// <summary>The transfers a test may have created (each id's fields fixed once) and every operation on them, in the style of a Jepsen history.</summary>
internal sealed class History
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly ConcurrentQueue<Operation> _operations = new();

    /// <summary>Every transfer ever sent, by id: a retry sends the same fields, so what exists must equal this.</summary>
    public ConcurrentDictionary<UInt128, Transfer> Transfers { get; } = new();

    /// <summary>The accounts the transfers move between (created before the load).</summary>
    public List<Account> Accounts { get; } = [];

    public IReadOnlyCollection<Operation> Operations => _operations;

    public TimeSpan Now => _clock.Elapsed;

    public Operation Invoke(int process, int node, UInt128[] ids)
    {
        var operation = new Operation(process, node, ids, _clock.Elapsed);
        _operations.Enqueue(operation);
        return operation;
    }

    public void Complete(Operation operation, Outcome outcome, string detail = "") => operation.Complete(outcome, detail, _clock.Elapsed);

    public string Summary()
    {
        int ok = 0, fail = 0, unknown = 0, pending = 0;
        foreach (Operation o in _operations)
        {
            switch (o.Outcome)
            {
                case Outcome.Ok: ok++; break;
                case Outcome.Fail: fail++; break;
                case Outcome.Unknown: unknown++; break;
                default: pending++; break;
            }
        }

        return $"{_operations.Count} operations: {ok} ok, {fail} fail, {unknown} unknown, {pending} pending; {Transfers.Count} distinct transfer ids";
    }
}
