using LedgerCore.Amqp.Hosting;
using LedgerCore.Amqp.Publishing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace LedgerCore.Amqp;

/// <summary>Registers the change-event publisher in a .NET host (<c>Microsoft.Extensions.Hosting</c>, ASP.NET Core).</summary>
public static class LedgerCoreAmqpServiceCollectionExtensions
{
    /// <summary>
    /// Registers a hosted service that publishes the ledger's change events (<see cref="ILedger.GetChangeEventsAsync"/>)
    /// to a RabbitMQ exchange, at least once and in timestamp order, resuming after a restart from a
    /// checkpoint kept in the broker (docs/cdc.md). Call it after <c>AddLedgerCore</c> or
    /// <c>AddLedgerCoreCluster</c>: it publishes from the <see cref="ILedger"/> they register, starts after
    /// it is open and stops before it is disposed. The options are validated at start
    /// (<see cref="AmqpPublisherOptions.Validate"/>): a bad configuration stops the host with an
    /// <see cref="OptionsValidationException"/> naming the option; a broker that cannot be reached does not
    /// stop the host (the publisher retries with backoff and reports it through <see cref="AmqpPublisherHealthCheck"/>,
    /// also registered here, and the meter <see cref="AmqpDiagnostics.MeterName"/>).
    /// </summary>
    /// <param name="services">The host's services.</param>
    /// <param name="configure">Sets the options: <see cref="AmqpPublisherOptions.HostName"/>, <see cref="AmqpPublisherOptions.UserName"/>,
    /// <see cref="AmqpPublisherOptions.Password"/> and <see cref="AmqpPublisherOptions.Exchange"/> are required.</param>
    /// <returns><paramref name="services"/>, for chaining.</returns>
    public static IServiceCollection AddLedgerCoreAmqp(this IServiceCollection services, Action<AmqpPublisherOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<AmqpPublisherOptions>().Configure(configure).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AmqpPublisherOptions>, AmqpPublisherOptionsValidator>());
        services.TryAddSingleton<ChangeEventPublisher>();
        services.AddHostedService(provider => provider.GetRequiredService<ChangeEventPublisher>());
        services.TryAddSingleton(provider => new AmqpPublisherHealthCheck(provider.GetRequiredService<ChangeEventPublisher>().State));
        return services;
    }
}
