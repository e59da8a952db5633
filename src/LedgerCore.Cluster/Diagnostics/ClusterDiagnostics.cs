namespace LedgerCore.Cluster;

/// <summary>
/// The meter every replica reports on, e.g. for OpenTelemetry's <c>AddMeter(ClusterDiagnostics.MeterName)</c>
/// or <c>dotnet-counters monitor --counters LedgerCore.Cluster</c>. The engine's own meter
/// (<see cref="LedgerDiagnostics.MeterName"/>) is not reported by a replica: its pipeline is the cluster's.
/// </summary>
/// <remarks>
/// Instruments, each tagged <c>replica</c> (the replica's endpoint, so replicas in one process stay apart):
/// <c>ledgercore.cluster.leader.changes</c> (counter: the leader this replica knows changed to another one, or to none);
/// <c>ledgercore.cluster.term</c> (observable counter: the Raft term, raised by one by every election in the cluster);
/// <c>ledgercore.cluster.leader</c> (observable gauge: 1 while this replica leads and takes writes, else 0);
/// <c>ledgercore.cluster.commit.lag</c> (observable gauge, Raft entries in this replica's log not yet known committed:
/// on the leader, appended and awaiting a majority; on a follower, received before the leader's commit index reached them);
/// <c>ledgercore.cluster.apply.lag</c> (observable gauge, Raft entries committed but not yet applied here: how stale a
/// follower's reads are). Nothing is recorded per transfer.
/// </remarks>
public static class ClusterDiagnostics
{
    /// <summary>The name of the meter.</summary>
    public const string MeterName = "LedgerCore.Cluster";

    /// <summary>The version of the meter: raised when an instrument's meaning or unit changes.</summary>
    public const string MeterVersion = "1.0";
}
