using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace LedgerCore.Amqp.Tests;

/// <summary>
/// The host every test publisher runs in, in the test process or in the publisher child: a ledger on
/// <c>directory</c> and the publisher against the test broker as guest, with short reconnect delays so
/// broker faults resolve within a test. Linked into tests/LedgerCore.Amqp.PublisherChild.
/// </summary>
internal static class TestPublisher
{
    public static IHost Build(string directory, Uri broker, string exchange, int batchSize, Action<AmqpPublisherOptions>? configure = null)
    {
        HostApplicationBuilder builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddLogging();
        builder.Services.AddLedgerCore(options => options.DataDirectory = directory);
        builder.Services.AddLedgerCoreAmqp(options =>
        {
            options.HostName = broker.Host;
            options.Port = broker.Port;
            options.UserName = "guest";
            options.Password = "guest";
            options.Exchange = exchange;
            options.CheckpointQueue = exchange + ".checkpoint";
            options.BatchSize = batchSize;
            options.ReconnectDelayMin = TimeSpan.FromMilliseconds(50);
            options.ReconnectDelayMax = TimeSpan.FromMilliseconds(500);
            options.BrokerTimeout = TimeSpan.FromSeconds(5);
            configure?.Invoke(options);
        });
        return builder.Build();
    }
}
