using LedgerCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace LedgerCore;

/// <summary>Registers LedgerCore in a .NET host (<c>Microsoft.Extensions.Hosting</c>, ASP.NET Core).</summary>
public static class LedgerCoreServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="LedgerEngine"/> (also as <see cref="ILedger"/>) as a singleton that a hosted service opens when the host
    /// starts (recovery runs then) and disposes when it stops (in-flight batches drain first). The
    /// options are validated at start (<see cref="LedgerOptions.Validate"/>), so a bad configuration
    /// stops the host with an <see cref="OptionsValidationException"/> instead of failing on first use.
    /// Also registers <see cref="LedgerHealthCheck"/> for <c>AddHealthChecks().AddCheck&lt;LedgerHealthCheck&gt;(...)</c>.
    /// </summary>
    /// <param name="services">The host's services.</param>
    /// <param name="configure">Sets the options; <see cref="LedgerOptions.DataDirectory"/> is required.</param>
    /// <returns><paramref name="services"/>, for chaining.</returns>
    /// <remarks>Resolving <see cref="LedgerEngine"/> or <see cref="ILedger"/> before the host has started throws <see cref="InvalidOperationException"/>.</remarks>
    public static IServiceCollection AddLedgerCore(this IServiceCollection services, Action<LedgerOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<LedgerOptions>().Configure(configure).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<LedgerOptions>, LedgerOptionsValidator>());
        services.TryAddSingleton(provider => new LedgerHost<LedgerEngine>(
            cancellationToken => LedgerEngine.OpenAsync(
                provider.GetRequiredService<IOptions<LedgerOptions>>().Value, provider.GetRequiredService<ILogger<LedgerEngine>>(), cancellationToken),
            "The ledger is not open: the host has not started (or has stopped)."));
        services.AddHostedService(provider => provider.GetRequiredService<LedgerHost<LedgerEngine>>());
        services.TryAddSingleton(provider => provider.GetRequiredService<LedgerHost<LedgerEngine>>().Ledger);
        services.TryAddSingleton<ILedger>(provider => provider.GetRequiredService<LedgerHost<LedgerEngine>>().Ledger);
        services.TryAddSingleton(provider => new LedgerHealthCheck(() => provider.GetRequiredService<LedgerHost<LedgerEngine>>().Current));
        return services;
    }
}
