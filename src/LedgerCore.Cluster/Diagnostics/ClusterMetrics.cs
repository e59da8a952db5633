using System.Diagnostics.Metrics;

namespace LedgerCore.Cluster;

/// <summary>One replica's instruments (see <see cref="ClusterDiagnostics"/>); observed values are read when a listener collects.</summary>
internal sealed class ClusterMetrics : IDisposable
{
    private readonly Meter _meter = new(ClusterDiagnostics.MeterName, ClusterDiagnostics.MeterVersion);
    private readonly Counter<long> _leaderChanges;
    private readonly KeyValuePair<string, object?> _replica;

    public ClusterMetrics(ClusterLedger replica, string endpoint)
    {
        _replica = new("replica", endpoint);
        _leaderChanges = _meter.CreateCounter<long>("ledgercore.cluster.leader.changes", "{change}", "The leader this replica knows changed (to another replica or to none).");
        _meter.CreateObservableCounter("ledgercore.cluster.term", () => new Measurement<long>(replica.Term, _replica), "{term}", "The Raft term: every election raises it by one.");
        _meter.CreateObservableGauge("ledgercore.cluster.leader", () => new Measurement<int>(replica.IsLeader ? 1 : 0, _replica), "{replica}", "1 while this replica leads and takes writes.");
        _meter.CreateObservableGauge("ledgercore.cluster.commit.lag", () => new Measurement<long>(replica.CommitLag, _replica), "{entry}", "Raft entries in this replica's log not yet known committed.");
        _meter.CreateObservableGauge("ledgercore.cluster.apply.lag", () => new Measurement<long>(replica.ApplyLag, _replica), "{entry}", "Raft entries committed but not yet applied on this replica.");
    }

    public void LeaderChanged() => _leaderChanges.Add(1, _replica);

    public void Dispose() => _meter.Dispose();
}
