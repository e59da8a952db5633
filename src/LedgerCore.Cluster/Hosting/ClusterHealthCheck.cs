using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace LedgerCore.Cluster;

/// <summary>
/// Health of the hosted replica. Reports its role (<c>leader</c>; <c>follower</c>; <c>candidate</c> when it
/// knows no leader, an election being under way), term, leader endpoint, commit lag and apply lag (Raft
/// entries; see <see cref="ClusterLedger.CommitLag"/> and <see cref="ClusterLedger.ApplyLag"/>) in the
/// result's data and description.
/// <list type="bullet">
/// <item><b>Healthy</b>: a leader is known (or this replica leads) and both lags are at most <see cref="LagMax"/>.</item>
/// <item><b>Degraded</b>: no leader known (writes wait for an election, which takes 1-3 s with the default
/// timeouts; longer means no majority is reachable), or a lag above <see cref="LagMax"/> (the replica is
/// catching up: its reads are staler than usual).</item>
/// <item><b>Unhealthy</b>: not started, stopped, or faulted (it applies nothing more; rebuild it from the others).</item>
/// </list>
/// Register with <c>services.AddHealthChecks().AddCheck&lt;ClusterHealthCheck&gt;("ledger")</c> after
/// <see cref="LedgerCoreClusterServiceCollectionExtensions.AddLedgerCoreCluster"/>.
/// </summary>
public sealed class ClusterHealthCheck : IHealthCheck
{
    /// <summary>
    /// The largest commit or apply lag, in Raft entries, still reported healthy: a few replication rounds'
    /// worth under load (the leader keeps at most 32 batches in flight), far below a replica catching up.
    /// </summary>
    public const long LagMax = 256;

    private readonly Func<ClusterLedger?> _current;

    /// <summary>A check of whatever replica <paramref name="current"/> returns (null: not started).</summary>
    internal ClusterHealthCheck(Func<ClusterLedger?> current) => _current = current;

    /// <summary>Reports the replica's state; never throws.</summary>
    /// <param name="context">The health-check context.</param>
    /// <param name="cancellationToken">Not used: the check reads fields.</param>
    /// <returns>The status with the role, term, leader and lags as data.</returns>
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (_current() is not { } replica) return Task.FromResult(HealthCheckResult.Unhealthy("The replica is not started."));
        if (replica.Fault is { } fault) return Task.FromResult(HealthCheckResult.Unhealthy($"The replica faulted: {fault.Message}", fault));

        string? leader = replica.LeaderEndpoint?.ToString();
        string role = replica.IsLeader ? "leader" : leader is null ? "candidate" : "follower";
        long term = replica.Term;
        long commitLag = replica.CommitLag;
        long applyLag = replica.ApplyLag;
        var data = new Dictionary<string, object>
        {
            ["role"] = role,
            ["term"] = term,
            ["leader"] = leader ?? "",
            ["commitLag"] = commitLag,
            ["applyLag"] = applyLag,
            ["appliedSequence"] = replica.AppliedSequence,
        };
        string description = $"{role} in term {term}, leader {leader ?? "unknown"}, commit lag {commitLag}, apply lag {applyLag} entries, applied through batch {replica.AppliedSequence}.";
        HealthStatus status = leader is null || commitLag > LagMax || applyLag > LagMax ? HealthStatus.Degraded : HealthStatus.Healthy;
        return Task.FromResult(new HealthCheckResult(status, description, data: data));
    }
}
