using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using NUnit.Framework;

namespace LedgerCore.Amqp.Tests;

/// <summary>Against a broker of the fixture's own, SIGKILLed and restarted (same port, same data) mid-stream.</summary>
[TestFixture]
public sealed class BrokerFaultTests : BrokerFixture
{
    private protected override Task<TestBroker> StartBrokerAsync() => TestBroker.OwnAsync();

    [Test]
    public async Task A_broker_killed_mid_stream_and_restarted_loses_nothing_and_reorders_nothing()
    {
        var consumer = new TestConsumer(Broker.Uri, Exchange);
        await consumer.BindAsync();
        await using PublisherHost host = await PublisherHost.StartAsync(LedgerDirectory, Broker.Uri, Exchange);
        await Workload.CreateAccountsAsync(host.Ledger);

        // The ledger keeps taking writes throughout; the broker dies while batches are in flight.
        using var stop = new CancellationTokenSource();
        Task writer = Task.Run(async () =>
        {
            ulong id = 1;
            // Until after the restart (bounded: 2000 batches at most).
            for (int i = 0; i < 2000 && !stop.IsCancellationRequested; i++)
            {
                id = await Workload.WriteAsync(host.Ledger, id, batches: 1);
                await Task.Delay(20);
            }
        });
        await Delivery.WaitUntilAsync(() => host.State.LastPublishedTimestamp != 0, TimeSpan.FromSeconds(20), "the first confirmed batch");
        await Broker.KillAsync();
        await Delivery.WaitUntilAsync(() => !host.State.Connected, TimeSpan.FromSeconds(20), "the publisher to notice");
        await Task.Delay(300);
        await Broker.RestartAsync();
        await Delivery.WaitUntilAsync(() => host.State.Connected, TimeSpan.FromSeconds(20), "the publisher to reconnect");
        await Task.Delay(300);
        await stop.CancelAsync();
        await writer;

        List<ChangeEvent> events = await Workload.AllEventsAsync(host.Ledger);
        await consumer.DrainUntilAsync(m => Delivery.Complete(m, events[^1].Timestamp), TimeSpan.FromSeconds(40));
        Assert.That(Delivery.Accepted(consumer.Messages), Is.EqualTo(Delivery.Timestamps(events)), "every event, in order, once the duplicates are dropped");
        await TestContext.Out.WriteLineAsync($"{events.Count} events, {consumer.Messages.Count} messages ({consumer.Messages.Count - events.Count} duplicates)");
    }

    [Test]
    public async Task With_the_broker_down_the_publisher_stops_reading_the_ledger_and_reports_degraded()
    {
        var consumer = new TestConsumer(Broker.Uri, Exchange);
        await consumer.BindAsync();
        await using PublisherHost host = await PublisherHost.StartAsync(LedgerDirectory, Broker.Uri, Exchange);
        AmqpPublisherHealthCheck health = host.Services.GetRequiredService<AmqpPublisherHealthCheck>();
        await Workload.CreateAccountsAsync(host.Ledger);
        ulong id = await Workload.WriteAsync(host.Ledger, 1, batches: 2);
        List<ChangeEvent> before = await Workload.AllEventsAsync(host.Ledger);
        await Delivery.WaitUntilAsync(() => host.State.LastPublishedTimestamp == before[^1].Timestamp, TimeSpan.FromSeconds(20), "the first events confirmed");

        await Broker.KillAsync();
        await Delivery.WaitUntilAsync(() => !host.State.Connected, TimeSpan.FromSeconds(20), "the publisher to notice");
        long read = host.State.EventsRead;
        id = await Workload.WriteAsync(host.Ledger, id, batches: 40); // 2000 events the publisher must not pull in
        await Task.Delay(1500); // several reconnection attempts (backoff 50-500 ms)

        Assert.That(host.State.EventsRead, Is.EqualTo(read), "nothing read from the ledger while the broker is down");
        Assert.That(host.State.ReadThroughTimestamp, Is.LessThanOrEqualTo(before[^1].Timestamp), "nothing buffered past what was confirmed");
        HealthCheckResult down = await health.CheckHealthAsync(new HealthCheckContext());
        Assert.That(down.Status, Is.EqualTo(HealthStatus.Degraded), down.Description);
        Assert.That(down.Data["connected"], Is.False);

        await Broker.RestartAsync();
        await Workload.WriteAsync(host.Ledger, id, batches: 1);
        List<ChangeEvent> events = await Workload.AllEventsAsync(host.Ledger);
        await consumer.DrainUntilAsync(m => Delivery.Complete(m, events[^1].Timestamp), TimeSpan.FromSeconds(40));
        Assert.That(Delivery.Accepted(consumer.Messages), Is.EqualTo(Delivery.Timestamps(events)));
        await Delivery.WaitUntilAsync(() => host.State.LastPublishedTimestamp == events[^1].Timestamp, TimeSpan.FromSeconds(20), "the publisher to catch up");
        HealthCheckResult up = await health.CheckHealthAsync(new HealthCheckContext());
        Assert.That(up.Status, Is.EqualTo(HealthStatus.Healthy), up.Description);
    }
}
