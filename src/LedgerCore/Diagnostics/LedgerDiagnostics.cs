namespace LedgerCore;

/// <summary>
/// Names to subscribe to for LedgerCore's metrics (<see cref="System.Diagnostics.Metrics.Meter"/>) and
/// traces (<see cref="System.Diagnostics.ActivitySource"/>), e.g. with OpenTelemetry's
/// <c>AddMeter(LedgerDiagnostics.MeterName)</c> or <c>dotnet-counters monitor --counters LedgerCore</c>.
/// </summary>
/// <remarks>
/// Instruments (all tagged with nothing but what is listed):
/// <c>ledgercore.batches.committed</c> and <c>ledgercore.events.committed</c> (counters, durable and applied);
/// <c>ledgercore.results</c> (counter of failed events, tag <c>result</c> with the result code name);
/// <c>ledgercore.commit.latency</c> (histogram, ms, from sequencing to applied);
/// <c>ledgercore.fsync.duration</c> (histogram, ms, one group write and fsync);
/// <c>ledgercore.journal.bytes</c> (counter, bytes made durable);
/// <c>ledgercore.queue.depth</c> (observable gauge, batches waiting, tag <c>queue</c>: <c>requests</c> or <c>processor</c>);
/// <c>ledgercore.snapshot.duration</c> (histogram, ms). Spans: <c>ledgercore.batch</c>, one per applied batch.
/// </remarks>
public static class LedgerDiagnostics
{
    /// <summary>The name of the meter every engine reports on.</summary>
    public const string MeterName = "LedgerCore";

    /// <summary>The name of the activity source of batch spans.</summary>
    public const string ActivitySourceName = "LedgerCore";
}
