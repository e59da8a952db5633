using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace LedgerCore;

/// <summary>
/// Health of the hosted ledger: healthy while open and accepting writes; unhealthy with the reason
/// when not open or faulted (a journal I/O error: writes are refused until the process reopens it).
/// Register with <c>services.AddHealthChecks().AddCheck&lt;LedgerHealthCheck&gt;("ledger")</c> after
/// <see cref="LedgerCoreServiceCollectionExtensions.AddLedgerCore"/>.
/// </summary>
public sealed class LedgerHealthCheck : IHealthCheck
{
    private readonly Func<ILedger?> _current;

    /// <summary>A check of whatever ledger <paramref name="current"/> returns (null: not open).</summary>
    internal LedgerHealthCheck(Func<ILedger?> current) => _current = current;

    /// <summary>Reports the ledger's state; never throws.</summary>
    /// <param name="context">The health-check context.</param>
    /// <param name="cancellationToken">Not used: the check reads two fields.</param>
    /// <returns>Healthy with the committed sequence, or unhealthy with the reason.</returns>
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (_current() is not { } ledger) return Task.FromResult(HealthCheckResult.Unhealthy("The ledger is not open."));
        if (ledger.Fault is { } fault) return Task.FromResult(HealthCheckResult.Unhealthy($"The ledger faulted: {fault.Message}", fault));
        return Task.FromResult(HealthCheckResult.Healthy($"Committed through batch {ledger.CommittedSequence}."));
    }
}
