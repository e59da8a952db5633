using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace LedgerCore.Diagnostics;

/// <summary>
/// One engine's instruments (see <see cref="LedgerDiagnostics"/>). Recording is per batch, or per
/// failed event for result codes, never per successful event: the hot path stays allocation-free
/// (tag values are interned strings, one tag fits the instruments' stack path).
/// </summary>
internal sealed class LedgerMetrics : IDisposable
{
    public static readonly ActivitySource Activities = new(LedgerDiagnostics.ActivitySourceName);

    private static readonly string[] AccountResultNames = NamesOf<CreateAccountResult>();
    private static readonly string[] TransferResultNames = NamesOf<CreateTransferResult>();

    private readonly Meter _meter = new(LedgerDiagnostics.MeterName);
    private readonly Counter<long> _batches;
    private readonly Counter<long> _events;
    private readonly Counter<long> _results;
    private readonly Histogram<double> _commitLatency;
    private readonly Histogram<double> _fsync;
    private readonly Counter<long> _journalBytes;
    private readonly Histogram<double> _snapshot;

    public LedgerMetrics(Func<int> requestQueueDepth, Func<int> processorQueueDepth)
    {
        _batches = _meter.CreateCounter<long>("ledgercore.batches.committed", "{batch}", "Batches made durable and applied.");
        _events = _meter.CreateCounter<long>("ledgercore.events.committed", "{event}", "Events in batches made durable and applied.");
        _results = _meter.CreateCounter<long>("ledgercore.results", "{event}", "Failed events by result code.");
        _commitLatency = _meter.CreateHistogram<double>("ledgercore.commit.latency", "ms", "From sequencing a batch to applying it, fsync included.");
        _fsync = _meter.CreateHistogram<double>("ledgercore.fsync.duration", "ms", "One journal group write and its fsync.");
        _journalBytes = _meter.CreateCounter<long>("ledgercore.journal.bytes", "By", "Journal bytes made durable.");
        _snapshot = _meter.CreateHistogram<double>("ledgercore.snapshot.duration", "ms", "Writing one snapshot in the background.");
        _meter.CreateObservableGauge("ledgercore.queue.depth", () => new[]
        {
            new Measurement<int>(requestQueueDepth(), new KeyValuePair<string, object?>("queue", "requests")),
            new Measurement<int>(processorQueueDepth(), new KeyValuePair<string, object?>("queue", "processor")),
        }, "{item}", "Work waiting between stages.");
    }

    public void Committed(int events, long sequencedAt)
    {
        _batches.Add(1);
        _events.Add(events);
        _commitLatency.Record(Stopwatch.GetElapsedTime(sequencedAt).TotalMilliseconds);
    }

    public void AccountFailed(CreateAccountResult result) => _results.Add(1, new KeyValuePair<string, object?>("result", NameOf(AccountResultNames, (uint)result)));

    public void TransferFailed(CreateTransferResult result) => _results.Add(1, new KeyValuePair<string, object?>("result", NameOf(TransferResultNames, (uint)result)));

    public void GroupCommitted(TimeSpan duration, long bytes)
    {
        _fsync.Record(duration.TotalMilliseconds);
        _journalBytes.Add(bytes);
    }

    public void SnapshotWritten(TimeSpan duration) => _snapshot.Record(duration.TotalMilliseconds);

    public void Dispose() => _meter.Dispose();

    private static string NameOf(string[] names, uint code) => code < (uint)names.Length ? names[code] : "Unknown";

    private static string[] NamesOf<TEnum>() where TEnum : struct, Enum
    {
        TEnum[] values = Enum.GetValues<TEnum>();
        uint max = 0;
        foreach (TEnum value in values) max = Math.Max(max, Convert.ToUInt32(value, System.Globalization.CultureInfo.InvariantCulture));
        var names = new string[max + 1];
        Array.Fill(names, "Unknown");
        foreach (TEnum value in values) names[Convert.ToUInt32(value, System.Globalization.CultureInfo.InvariantCulture)] = value.ToString();
        return names;
    }
}
