namespace LedgerCore.Amqp;

/// <summary>
/// The meter the change-event publisher reports on, e.g. for OpenTelemetry's
/// <c>AddMeter(AmqpDiagnostics.MeterName)</c> or <c>dotnet-counters monitor --counters LedgerCore.Amqp</c>.
/// </summary>
/// <remarks>
/// Instruments (no tags): <c>ledgercore.amqp.events.published</c> (counter: events the broker confirmed;
/// events published again after a reconnect count again); <c>ledgercore.amqp.reconnects</c> (counter:
/// connections lost or refused, each followed by a backoff and a new attempt);
/// <c>ledgercore.amqp.connected</c> (observable gauge: 1 while connected and publishing, else 0).
/// </remarks>
public static class AmqpDiagnostics
{
    /// <summary>The name of the meter.</summary>
    public const string MeterName = "LedgerCore.Amqp";
}
