using LedgerCore.Amqp.Publishing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace LedgerCore.Amqp.Tests;

/// <summary>A .NET host as an application builds one: AddLedgerCore on a directory, then AddLedgerCoreAmqp.</summary>
internal sealed class PublisherHost : IAsyncDisposable
{
    private readonly IHost _host;

    private PublisherHost(IHost host) => _host = host;

    public ILedger Ledger => _host.Services.GetRequiredService<ILedger>();

    public PublisherState State => _host.Services.GetRequiredService<ChangeEventPublisher>().State;

    public IServiceProvider Services => _host.Services;

    public static async Task<PublisherHost> StartAsync(string directory, Uri broker, string exchange, Action<AmqpPublisherOptions>? configure = null)
    {
        IHost host = TestPublisher.Build(directory, broker, exchange, batchSize: 100, configure);
        await host.StartAsync();
        return new PublisherHost(host);
    }

    /// <summary>
    /// Stops the publisher alone with an already-cancelled token, wherever it is (mid-batch, awaiting
    /// confirms): no grace, as close to a kill as one process allows; its memory is gone with the host.
    /// </summary>
    public async Task AbortPublisherAsync()
    {
        try
        {
            await _host.Services.GetRequiredService<ChangeEventPublisher>().StopAsync(new CancellationToken(canceled: true));
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }
}
