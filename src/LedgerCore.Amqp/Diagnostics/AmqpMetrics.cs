using System.Diagnostics.Metrics;

namespace LedgerCore.Amqp.Diagnostics;

/// <summary>One publisher's instruments (see <see cref="AmqpDiagnostics"/>), recorded per batch, never per event.</summary>
internal sealed class AmqpMetrics : IDisposable
{
    private readonly Meter _meter = new(AmqpDiagnostics.MeterName);
    private readonly Counter<long> _published;
    private readonly Counter<long> _reconnects;

    public AmqpMetrics(Func<bool> connected)
    {
        _published = _meter.CreateCounter<long>("ledgercore.amqp.events.published", "{event}", "Change events the broker confirmed.");
        _reconnects = _meter.CreateCounter<long>("ledgercore.amqp.reconnects", "{connection}", "Broker connections lost or refused.");
        _meter.CreateObservableGauge("ledgercore.amqp.connected", () => connected() ? 1 : 0, "{connection}", "1 while connected and publishing.");
    }

    public void Published(int events) => _published.Add(events);

    public void Reconnecting() => _reconnects.Add(1);

    public void Dispose() => _meter.Dispose();
}
