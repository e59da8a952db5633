using LedgerCore.Amqp.Publishing;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace LedgerCore.Amqp;

/// <summary>
/// Health of the change-event publisher, with <c>connected</c>, <c>lastPublishedTimestamp</c> (the last event
/// the broker confirmed), <c>lagSeconds</c> and <c>lastError</c> in the result's data.
/// <list type="bullet">
/// <item><b>Healthy</b>: connected, and the lag is at most <see cref="LagMax"/>.</item>
/// <item><b>Degraded</b>: reconnecting (the broker is down, refuses the login, or another publisher holds the
/// checkpoint's lock), or the lag is above <see cref="LagMax"/>: consumers see the ledger late, nothing is lost.</item>
/// <item><b>Unhealthy</b>: not running (the host has not started it, or it stopped).</item>
/// </list>
/// The lag is zero while everything is published and the publisher waits for new events; otherwise the
/// time since it last was so: every event committed before now minus the lag has been confirmed by the broker.
/// Register with <c>services.AddHealthChecks().AddCheck&lt;AmqpPublisherHealthCheck&gt;("cdc")</c> after
/// <see cref="LedgerCoreAmqpServiceCollectionExtensions.AddLedgerCoreAmqp"/>.
/// </summary>
public sealed class AmqpPublisherHealthCheck : IHealthCheck
{
    /// <summary>The largest lag still reported healthy.</summary>
    public static readonly TimeSpan LagMax = TimeSpan.FromSeconds(30);

    private readonly PublisherState _state;

    internal AmqpPublisherHealthCheck(PublisherState state) => _state = state;

    /// <summary>Reports the publisher's state; never throws.</summary>
    /// <param name="context">The health-check context.</param>
    /// <param name="cancellationToken">Not used: the check reads fields.</param>
    /// <returns>The status, with the state as data.</returns>
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        bool connected = _state.Connected;
        ulong last = _state.LastPublishedTimestamp;
        TimeSpan lag = _state.Lag;
        string? error = _state.LastError;
        var data = new Dictionary<string, object>
        {
            ["connected"] = connected,
            ["lastPublishedTimestamp"] = last,
            ["lagSeconds"] = Math.Round(lag.TotalSeconds, 3),
            ["lastError"] = error ?? "",
        };
        if (!_state.Running) return Task.FromResult(new HealthCheckResult(HealthStatus.Unhealthy, "The change-event publisher is not running.", data: data));

        string description = connected
            ? $"Publishing; confirmed through timestamp {last}, lag {lag.TotalSeconds:0.###} s."
            : $"Reconnecting to the broker after timestamp {last}: {error ?? "connecting"}.";
        HealthStatus status = connected && lag <= LagMax ? HealthStatus.Healthy : HealthStatus.Degraded;
        return Task.FromResult(new HealthCheckResult(status, description, data: data));
    }
}
