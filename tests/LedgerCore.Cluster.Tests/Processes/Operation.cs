namespace LedgerCore.Cluster.Tests.Processes;

/// <summary>How a client operation ended, as the client saw it (Jepsen's ok / fail / info).</summary>
internal enum Outcome
{
    /// <summary>Invoked, no answer yet.</summary>
    Pending,

    /// <summary>Acknowledged: every event was created.</summary>
    Ok,

    /// <summary>Answered with failures (per event results); the others were created.</summary>
    Fail,

    /// <summary>No answer, or an exception: may or may not have been applied.</summary>
    Unknown,
}

/// <summary>One create-transfers call in a history: who sent which ids to which replica, when, and how it ended.</summary>
internal sealed class Operation(int process, int node, UInt128[] ids, TimeSpan invoked)
{
    public int Process { get; } = process;

    public int Node { get; } = node;

    public UInt128[] Ids { get; } = ids;

    public TimeSpan Invoked { get; } = invoked;

    public TimeSpan Completed { get; private set; }

    public Outcome Outcome { get; private set; }

    /// <summary>The answer's text for fail (index:result ...) and unknown (why).</summary>
    public string Detail { get; private set; } = "";

    /// <summary>For <see cref="Outcome.Fail"/>: the result of each failed event by index.</summary>
    public Dictionary<int, string> Failures { get; } = [];

    public void Complete(Outcome outcome, string detail, TimeSpan completed)
    {
        Outcome = outcome;
        Detail = detail;
        Completed = completed;
    }

    public override string ToString() =>
        $"[{Invoked.TotalMilliseconds:F0}-{Completed.TotalMilliseconds:F0} ms] client {Process} -> node {Node}: {Ids.Length} ids from {Ids[0]}: {Outcome} {Detail}";
}
