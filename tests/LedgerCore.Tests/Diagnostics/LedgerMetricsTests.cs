using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using NUnit.Framework;

namespace LedgerCore.Tests.Diagnostics;

/// <summary>
/// What an operator sees: every instrument named in <see cref="LedgerDiagnostics"/> reports through a
/// plain <see cref="MeterListener"/>, and each applied batch is a <c>ledgercore.batch</c> span.
/// </summary>
public class LedgerMetricsTests
{
    private string _directory = null!;

    [SetUp]
    public void SetUp() => _directory = Directory.CreateTempSubdirectory("ledgercore-metrics-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_directory, recursive: true);

    [Test]
    public async Task Every_instrument_reports_and_each_batch_is_a_span()
    {
        // Instrument name -> measurements (value, tags), from any meter named LedgerCore.
        var seen = new ConcurrentDictionary<string, ConcurrentBag<(double Value, KeyValuePair<string, object?>[] Tags)>>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == LedgerDiagnostics.MeterName) l.EnableMeasurementEvents(instrument);
        };
        void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags) =>
            seen.GetOrAdd(instrument.Name, _ => []).Add((value, tags.ToArray()));
        listener.SetMeasurementEventCallback<long>((i, v, t, _) => Record(i, v, t));
        listener.SetMeasurementEventCallback<int>((i, v, t, _) => Record(i, v, t));
        listener.SetMeasurementEventCallback<double>((i, v, t, _) => Record(i, v, t));
        listener.Start();

        var spans = new ConcurrentBag<Activity>();
        using var activities = new ActivityListener
        {
            ShouldListenTo = source => source.Name == LedgerDiagnostics.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Add,
        };
        ActivitySource.AddActivityListener(activities);

        long journalBytes;
        // A snapshot after the first four events (the second batch), so its duration is reported too.
        await using (LedgerEngine ledger = await LedgerEngine.OpenAsync(new LedgerOptions { DataDirectory = _directory, SnapshotIntervalEvents = 4 }))
        {
            Assert.That(await ledger.CreateAccountsAsync(new[]
            {
                new Account { Id = 1, Ledger = 1, Code = 1 },
                new Account { Id = 2, Ledger = 1, Code = 1 },
            }), Is.Empty);
            Assert.That(await ledger.CreateTransfersAsync(new[]
            {
                new Transfer { Id = 10, DebitAccountId = 1, CreditAccountId = 2, Amount = 5, Ledger = 1, Code = 1 },
                new Transfer { Id = 11, DebitAccountId = 1, CreditAccountId = 2, Amount = 5, Ledger = 1, Code = 1 },
            }), Is.Empty);

            // Two failures: one for a missing account, one for a ledger mismatch.
            CreateTransfersResult[] failures = await ledger.CreateTransfersAsync(new[]
            {
                new Transfer { Id = 12, DebitAccountId = 1, CreditAccountId = 99, Amount = 5, Ledger = 1, Code = 1 },
                new Transfer { Id = 13, DebitAccountId = 1, CreditAccountId = 2, Amount = 5, Ledger = 2, Code = 1 },
            });
            Assert.That(failures.Select(f => f.Result), Is.EqualTo(new[]
            {
                CreateTransferResult.CreditAccountNotFound, CreateTransferResult.TransferMustHaveTheSameLedgerAsAccounts,
            }));

            // The queue gauge is observable: it reports only when collected.
            listener.RecordObservableInstruments();
            journalBytes = ledger.JournalBytesWritten;
        }

        Assert.Multiple(() =>
        {
            Assert.That(Sum(seen, "ledgercore.batches.committed"), Is.EqualTo(3), "one per durable, applied batch");
            Assert.That(Sum(seen, "ledgercore.events.committed"), Is.EqualTo(6), "failed events are committed events too");
            Assert.That(Sum(seen, "ledgercore.journal.bytes"), Is.EqualTo(journalBytes));
            Assert.That(Values(seen, "ledgercore.commit.latency"), Has.Count.EqualTo(3).And.All.GreaterThanOrEqualTo(0));
            Assert.That(Values(seen, "ledgercore.fsync.duration"), Is.Not.Empty.And.All.GreaterThan(0));
            Assert.That(Values(seen, "ledgercore.snapshot.duration"), Has.Count.EqualTo(1).And.All.GreaterThan(0), "disposal waits for the background snapshot");

            var results = seen.GetValueOrDefault("ledgercore.results")?.ToArray() ?? [];
            Assert.That(results.Select(r => Tag(r.Tags, "result")), Is.EquivalentTo(new[]
            {
                nameof(CreateTransferResult.CreditAccountNotFound), nameof(CreateTransferResult.TransferMustHaveTheSameLedgerAsAccounts),
            }));
            Assert.That(results.Sum(r => r.Value), Is.EqualTo(2));

            var depths = seen.GetValueOrDefault("ledgercore.queue.depth")?.ToArray() ?? [];
            Assert.That(depths.Select(d => Tag(d.Tags, "queue")), Is.EquivalentTo(new[] { "requests", "processor" }));
            Assert.That(depths.Select(d => d.Value), Is.All.EqualTo(0), "nothing waits once every call has returned");

            Assert.That(spans.Count(s => s.OperationName == "ledgercore.batch"), Is.EqualTo(3));
        });
    }

    private static double Sum(ConcurrentDictionary<string, ConcurrentBag<(double Value, KeyValuePair<string, object?>[] Tags)>> seen, string name) =>
        Values(seen, name).Sum();

    private static List<double> Values(ConcurrentDictionary<string, ConcurrentBag<(double Value, KeyValuePair<string, object?>[] Tags)>> seen, string name) =>
        seen.TryGetValue(name, out var bag) ? bag.Select(m => m.Value).ToList() : [];

    private static object? Tag(KeyValuePair<string, object?>[] tags, string key) => tags.FirstOrDefault(t => t.Key == key).Value;
}
