using System.Net;

namespace LedgerCore.Cluster;

/// <summary>How a replica of a replicated ledger starts (<see cref="ClusterLedger.StartAsync"/>).</summary>
public sealed class ClusterOptions
{
    /// <summary>This replica's address: where it listens for the other replicas, and how they name it.</summary>
    public required IPEndPoint EndPoint { get; set; }

    /// <summary>
    /// The replicas of the cluster, this one included, used only when <see cref="DataDirectory"/> holds no
    /// membership yet; afterwards the membership stored there (changed through Raft) is the word.
    /// Three replicas is the supported configuration (docs/replication.md). Empty (with
    /// <see cref="ColdStart"/> false) starts a replica that joins a running cluster: it waits, taking no
    /// part in elections, until the leader adds it (<see cref="ClusterLedger.AddMemberAsync"/>).
    /// </summary>
    public required IReadOnlyList<IPEndPoint> Members { get; set; }

    /// <summary>This replica's own directory: the Raft log, membership and snapshots. Never shared between replicas.</summary>
    public required string DataDirectory { get; set; }

    /// <summary>The ledger's identity, the same on every replica (stamped into its snapshots); not zero.</summary>
    public required UInt128 LedgerId { get; set; }

    /// <summary>
    /// The shortest time a follower waits without hearing from a leader before it stands for election.
    /// Defaults to 1 s: short timeouts make a loaded machine (GC pauses, fsync stalls) elect needlessly.
    /// </summary>
    public TimeSpan ElectionTimeoutMin { get; set; } = TimeSpan.FromMilliseconds(1000);

    /// <summary>The longest such wait (each replica picks at random between the two); defaults to 2 s.</summary>
    public TimeSpan ElectionTimeoutMax { get; set; } = TimeSpan.FromMilliseconds(2000);

    /// <summary>Applied events between snapshots (which also bound the Raft log kept on disk); 0 takes none.</summary>
    public long SnapshotIntervalEvents { get; set; } = 1_000_000;

    /// <summary>The most events one create call may carry, and one replicated batch; at most <see cref="LedgerStateMachine.BatchEventsMax"/>.</summary>
    public int MaxBatchSize { get; set; } = LedgerStateMachine.BatchEventsMax;

    /// <summary>
    /// Whether this replica may start a cluster of its own when it knows no other member (DotNext's cold
    /// start). Leave false when <see cref="Members"/> lists every replica.
    /// </summary>
    public bool ColdStart { get; set; }

    /// <summary>Checks every option.</summary>
    /// <exception cref="ArgumentException">An option is missing or out of range.</exception>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(EndPoint);
        ArgumentNullException.ThrowIfNull(Members);
        ArgumentException.ThrowIfNullOrWhiteSpace(DataDirectory);
        if (LedgerId == UInt128.Zero) throw new ArgumentException("LedgerId must not be zero.", nameof(LedgerId));
        if (Members.Count > 0 && !Members.Contains(EndPoint)) throw new ArgumentException("Members must include this replica's EndPoint (or be empty for a replica that joins a running cluster).", nameof(Members));
        if (ElectionTimeoutMin <= TimeSpan.Zero || ElectionTimeoutMax <= ElectionTimeoutMin || ElectionTimeoutMax.TotalMilliseconds > int.MaxValue)
        {
            throw new ArgumentException("Election timeouts must be positive with ElectionTimeoutMin below ElectionTimeoutMax.", nameof(ElectionTimeoutMax));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(SnapshotIntervalEvents);
        if (MaxBatchSize < 1 || MaxBatchSize > LedgerStateMachine.BatchEventsMax)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxBatchSize), MaxBatchSize, $"MaxBatchSize must be between 1 and {LedgerStateMachine.BatchEventsMax}.");
        }
    }
}
