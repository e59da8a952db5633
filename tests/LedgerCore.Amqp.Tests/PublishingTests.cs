using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using NUnit.Framework;

namespace LedgerCore.Amqp.Tests;

/// <summary>Against the shared broker: what a consumer receives, and a publisher stopped mid-stream.</summary>
[TestFixture]
public sealed class PublishingTests : BrokerFixture
{
    private protected override Task<TestBroker> StartBrokerAsync() => TestBroker.SharedAsync();

    [Test]
    public async Task Every_event_is_published_once_in_order_with_its_timestamp_as_id_then_live_ones_too()
    {
        long counted = 0;
        using var meters = new MeterListener();
        meters.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == AmqpDiagnostics.MeterName && instrument.Name == "ledgercore.amqp.events.published") listener.EnableMeasurementEvents(instrument);
        };
        meters.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref counted, value));
        meters.Start();

        var consumer = new TestConsumer(Broker.Uri, Exchange);
        await consumer.BindAsync();
        await using PublisherHost host = await PublisherHost.StartAsync(LedgerDirectory, Broker.Uri, Exchange);
        await Workload.CreateAccountsAsync(host.Ledger);
        ulong next = await Workload.WriteAsync(host.Ledger, 1, batches: 3);

        List<ChangeEvent> events = await Workload.AllEventsAsync(host.Ledger);
        Assert.That(events, Has.Count.EqualTo(150));
        await consumer.DrainUntilAsync(m => m.Count >= events.Count, TimeSpan.FromSeconds(20));

        // Caught up, the publisher waits for the ledger; new events then flow without a restart, an
        // expiry included (released by the first batch after its one-second deadline, in real time).
        Assert.That(await host.Ledger.CreateTransfersAsync(new[] { new Transfer { Id = 900_001, DebitAccountId = 1, CreditAccountId = 2, Amount = 7, Ledger = Workload.Ledger, Code = 9, Flags = TransferFlags.Pending, Timeout = 1 } }), Is.Empty);
        await Task.Delay(1100);
        await Workload.WriteAsync(host.Ledger, next, batches: 2);
        events = await Workload.AllEventsAsync(host.Ledger);
        await consumer.DrainUntilAsync(m => m.Count >= events.Count, TimeSpan.FromSeconds(20));

        Assert.That(consumer.Messages.Select(m => m.EventTimestamp), Is.EqualTo(Delivery.Timestamps(events)), "each event once, in timestamp order, in a clean run");
        Assert.That(Delivery.Accepted(consumer.Messages), Is.EqualTo(Delivery.Timestamps(events)));
        for (int i = 0; i < events.Count; i++)
        {
            Received m = consumer.Messages[i];
            ChangeEvent e = events[i];
            Assert.That(m.RoutingKey, Is.EqualTo($"ledger.840.{SnakeCase(e.Type)}"));
            Assert.That(m.ContentType, Is.EqualTo("application/json"));
            Assert.That(m.Persistent, Is.True);
            AssertBody(m.Body, e);
        }

        string[] types = consumer.Messages.Select(m => m.RoutingKey).Distinct().Order(StringComparer.Ordinal).ToArray();
        Assert.That(types, Is.EqualTo(new[] { "ledger.840.single_phase", "ledger.840.two_phase_expired", "ledger.840.two_phase_pending", "ledger.840.two_phase_posted", "ledger.840.two_phase_voided" }));

        // The checkpoint reaches the last event once the broker confirmed it.
        ulong checkpoint = 0;
        for (int i = 0; i < 200 && checkpoint != events[^1].Timestamp; i++)
        {
            checkpoint = await consumer.ReadCheckpointAsync(Exchange + ".checkpoint");
            if (checkpoint != events[^1].Timestamp) await Task.Delay(25);
        }

        Assert.That(checkpoint, Is.EqualTo(events[^1].Timestamp));
        Assert.That(host.State.LastPublishedTimestamp, Is.EqualTo(events[^1].Timestamp));

        HealthCheckResult health = await host.Services.GetRequiredService<AmqpPublisherHealthCheck>().CheckHealthAsync(new HealthCheckContext());
        Assert.That(health.Status, Is.EqualTo(HealthStatus.Healthy), health.Description);
        Assert.That(health.Data["lastPublishedTimestamp"], Is.EqualTo(events[^1].Timestamp));
        Assert.That(Interlocked.Read(ref counted), Is.EqualTo(events.Count), "the meter counts each confirmed event");
    }

    [Test]
    public async Task A_publisher_stopped_mid_stream_resumes_from_the_checkpoint_without_a_gap()
    {
        var consumer = new TestConsumer(Broker.Uri, Exchange);
        await consumer.BindAsync();
        ulong stoppedAt;
        await using (PublisherHost first = await PublisherHost.StartAsync(LedgerDirectory, Broker.Uri, Exchange, o => o.BatchSize = 50))
        {
            await Workload.CreateAccountsAsync(first.Ledger);
            await Workload.WriteAsync(first.Ledger, 1, batches: 60);
            List<ChangeEvent> written = await Workload.AllEventsAsync(first.Ledger);
            // Stopped as soon as some, not all, events are confirmed: mid-stream.
            await Delivery.WaitUntilAsync(() => first.State.LastPublishedTimestamp != 0, TimeSpan.FromSeconds(20), "the first confirmed batch");
            await first.AbortPublisherAsync();
            stoppedAt = first.State.LastPublishedTimestamp;
            Assert.That(stoppedAt, Is.LessThan(written[^1].Timestamp), "stopped before the end");
        }

        await using PublisherHost second = await PublisherHost.StartAsync(LedgerDirectory, Broker.Uri, Exchange, o => o.BatchSize = 50);
        await Workload.WriteAsync(second.Ledger, 1_000_000, batches: 4);
        List<ChangeEvent> events = await Workload.AllEventsAsync(second.Ledger);
        await consumer.DrainUntilAsync(m => Delivery.Complete(m, events[^1].Timestamp), TimeSpan.FromSeconds(30));

        Assert.That(Delivery.Accepted(consumer.Messages), Is.EqualTo(Delivery.Timestamps(events)), "no gap, in order");
        int duplicates = consumer.Messages.Count - events.Count;
        Assert.That(duplicates, Is.InRange(0, 50), "resumed from the checkpoint (at most the batch in flight again), not from the start");
    }

    [Test]
    public async Task Events_the_broker_refuses_never_advance_the_checkpoint_and_are_published_again()
    {
        // A full queue with reject-publish makes the broker nack: batches 1 and 2 fit, batch 3 only in part.
        var consumer = new TestConsumer(Broker.Uri, Exchange);
        await consumer.BindAsync(lengthMax: 120);
        await using PublisherHost host = await PublisherHost.StartAsync(LedgerDirectory, Broker.Uri, Exchange, o => o.BatchSize = 50);
        await Workload.CreateAccountsAsync(host.Ledger);
        await Workload.WriteAsync(host.Ledger, 1, batches: 6);
        List<ChangeEvent> events = await Workload.AllEventsAsync(host.Ledger);
        await Delivery.WaitUntilAsync(() => host.State.LastError is not null, TimeSpan.FromSeconds(20), "the broker's nack");
        await Task.Delay(500); // more attempts, each nacked again

        // The publisher, retrying, reads the checkpoint too: while it holds the one message (get, then
        // nack back) this read finds the queue empty (CI saw 0). An empty read is retried, a value is final.
        ulong checkpoint = 0;
        for (int i = 0; i < 200 && checkpoint == 0; i++)
        {
            checkpoint = await consumer.ReadCheckpointAsync(Exchange + ".checkpoint");
            if (checkpoint == 0) await Task.Delay(10);
        }

        Assert.That(checkpoint, Is.EqualTo(events[99].Timestamp), "the checkpoint stays at the last batch the broker confirmed in full");
        Assert.That(host.State.LastPublishedTimestamp, Is.EqualTo(events[99].Timestamp));

        // Room again: everything arrives, the refused events included.
        await consumer.DrainUntilAsync(m => Delivery.Complete(m, events[^1].Timestamp), TimeSpan.FromSeconds(30));
        Assert.That(Delivery.Accepted(consumer.Messages), Is.EqualTo(Delivery.Timestamps(events)));
    }

    [Test]
    public async Task A_second_publisher_for_the_same_checkpoint_waits_until_the_first_one_stops()
    {
        var consumer = new TestConsumer(Broker.Uri, Exchange);
        await consumer.BindAsync();
        string otherDirectory = LedgerDirectory + "-standby";
        try
        {
            PublisherHost first = await PublisherHost.StartAsync(LedgerDirectory, Broker.Uri, Exchange);
            await Workload.CreateAccountsAsync(first.Ledger);
            await Workload.WriteAsync(first.Ledger, 1, batches: 1);
            await Delivery.WaitUntilAsync(() => first.State.LastPublishedTimestamp != 0, TimeSpan.FromSeconds(20), "the first publisher");

            await using PublisherHost standby = await PublisherHost.StartAsync(otherDirectory, Broker.Uri, Exchange);
            await Delivery.WaitUntilAsync(() => standby.State.LastError is not null, TimeSpan.FromSeconds(20), "the standby's refusal");
            Assert.That(standby.State.Connected, Is.False);
            Assert.That(standby.State.LastError, Does.Contain("RESOURCE_LOCKED"));

            await first.DisposeAsync();
            await Delivery.WaitUntilAsync(() => standby.State.Connected, TimeSpan.FromSeconds(20), "the standby to take over");
        }
        finally
        {
            if (Directory.Exists(otherDirectory)) Directory.Delete(otherDirectory, recursive: true);
        }
    }

    private static string SnakeCase(ChangeEventType type) => type switch
    {
        ChangeEventType.SinglePhase => "single_phase",
        ChangeEventType.TwoPhasePending => "two_phase_pending",
        ChangeEventType.TwoPhasePosted => "two_phase_posted",
        ChangeEventType.TwoPhaseVoided => "two_phase_voided",
        _ => "two_phase_expired",
    };

    private static void AssertBody(string body, ChangeEvent e)
    {
        using JsonDocument json = JsonDocument.Parse(body);
        JsonElement root = json.RootElement;
        Assert.That(root.GetProperty("timestamp").GetString(), Is.EqualTo(e.Timestamp.ToString(CultureInfo.InvariantCulture)));
        Assert.That(root.GetProperty("type").GetString(), Is.EqualTo(SnakeCase(e.Type)));
        Assert.That(root.GetProperty("ledger").GetUInt32(), Is.EqualTo(e.Ledger));
        JsonElement transfer = root.GetProperty("transfer");
        Assert.That(transfer.GetProperty("id").GetString(), Is.EqualTo(e.Transfer.Id.ToString(CultureInfo.InvariantCulture)));
        Assert.That(transfer.GetProperty("amount").GetString(), Is.EqualTo(e.Transfer.Amount.ToString(CultureInfo.InvariantCulture)));
        Assert.That(transfer.GetProperty("flags").GetUInt16(), Is.EqualTo((ushort)e.Transfer.Flags));
        JsonElement debit = root.GetProperty("debit_account");
        Assert.That(debit.GetProperty("id").GetString(), Is.EqualTo(e.DebitAccount.Id.ToString(CultureInfo.InvariantCulture)));
        Assert.That(debit.GetProperty("debits_posted").GetString(), Is.EqualTo(e.DebitAccount.DebitsPosted.ToString(CultureInfo.InvariantCulture)));
        Assert.That(debit.GetProperty("debits_pending").GetString(), Is.EqualTo(e.DebitAccount.DebitsPending.ToString(CultureInfo.InvariantCulture)));
        JsonElement credit = root.GetProperty("credit_account");
        Assert.That(credit.GetProperty("credits_posted").GetString(), Is.EqualTo(e.CreditAccount.CreditsPosted.ToString(CultureInfo.InvariantCulture)));
        Assert.That(credit.GetProperty("credits_pending").GetString(), Is.EqualTo(e.CreditAccount.CreditsPending.ToString(CultureInfo.InvariantCulture)));
        Assert.That(credit.GetProperty("code").GetUInt16(), Is.EqualTo(e.CreditAccount.Code));
    }
}
