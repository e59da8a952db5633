using LedgerCore.Cluster.Hosting;
using LedgerCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace LedgerCore.Cluster;

/// <summary>Registers a replica of a replicated ledger in a .NET host (<c>Microsoft.Extensions.Hosting</c>, ASP.NET Core).</summary>
public static class LedgerCoreClusterServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="ClusterLedger"/> (also as <see cref="ILedger"/>) as a singleton that a hosted
    /// service starts when the host starts (snapshot restored, Raft listening; it does not wait for a leader)
    /// and disposes when the host stops. The options are validated at start
    /// (<see cref="ClusterOptions.Validate"/>), so a bad configuration stops the host with an
    /// <see cref="OptionsValidationException"/> naming the option. Also registers
    /// <see cref="ClusterHealthCheck"/> for <c>AddHealthChecks().AddCheck&lt;ClusterHealthCheck&gt;(...)</c>;
    /// metrics are on the meter <see cref="ClusterDiagnostics.MeterName"/>.
    /// </summary>
    /// <param name="services">The host's services.</param>
    /// <param name="configure">Sets the options: <see cref="ClusterOptions.EndPoint"/>, <see cref="ClusterOptions.Members"/>,
    /// <see cref="ClusterOptions.DataDirectory"/> and <see cref="ClusterOptions.LedgerId"/> are required.</param>
    /// <returns><paramref name="services"/>, for chaining.</returns>
    /// <remarks>Resolving <see cref="ClusterLedger"/> or <see cref="ILedger"/> before the host has started throws
    /// <see cref="InvalidOperationException"/>. Use either this or <c>AddLedgerCore</c> in one container, not both: both register <see cref="ILedger"/>.</remarks>
    public static IServiceCollection AddLedgerCoreCluster(this IServiceCollection services, Action<ClusterOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<ClusterOptions>().Configure(configure).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ClusterOptions>, ClusterOptionsValidator>());
        // Started without waiting for a leader (snapshot restored, Raft listening).
        services.TryAddSingleton(provider => new LedgerHost<ClusterLedger>(
            cancellationToken => ClusterLedger.StartAsync(
                provider.GetRequiredService<IOptions<ClusterOptions>>().Value, provider.GetRequiredService<ILogger<ClusterLedger>>(), cancellationToken),
            "The replica is not started: the host has not started (or has stopped)."));
        services.AddHostedService(provider => provider.GetRequiredService<LedgerHost<ClusterLedger>>());
        services.TryAddSingleton(provider => provider.GetRequiredService<LedgerHost<ClusterLedger>>().Ledger);
        services.TryAddSingleton<ILedger>(provider => provider.GetRequiredService<LedgerHost<ClusterLedger>>().Ledger);
        services.TryAddSingleton(provider => new ClusterHealthCheck(() => provider.GetRequiredService<LedgerHost<ClusterLedger>>().Current));
        return services;
    }
}
