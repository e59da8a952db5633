using System.Net;
using System.Net.Http.Json;
using System.Text;
using Microsoft.AspNetCore.Builder;
using NUnit.Framework;
using PaymentsService;

namespace LedgerCore.Samples.Tests;

/// <summary>The metrics sample: with <c>Telemetry:ConsoleMetrics</c> the service exports the LedgerCore meter through OpenTelemetry's console exporter.</summary>
public class PaymentsMetricsTests
{
    [Test]
    public async Task Console_exporter_prints_the_ledger_instruments()
    {
        string directory = Directory.CreateTempSubdirectory("ledgercore-payments-metrics-").FullName;
        TextWriter original = Console.Out;
        var captured = new StringWriter(new StringBuilder());
        // The exporter writes to Console.Out; capture it for the length of this test only. The synchronized
        // wrapper locks on itself, so reading under the same lock never sees a half-written line.
        TextWriter sync = TextWriter.Synchronized(captured);
        Console.SetOut(sync);
        try
        {
            await using WebApplication app = PaymentsApi.Build([
                "--urls", "http://127.0.0.1:0", "--Ledger:DataDirectory", directory, "--Logging:LogLevel:Default", "Warning",
                "--Telemetry:ConsoleMetrics", "true", "--Telemetry:ExportIntervalMilliseconds", "200"]);
            await app.StartAsync();
            using var http = new HttpClient { BaseAddress = new Uri(app.Urls.Single()) };

            using (HttpResponseMessage response = await http.PostAsJsonAsync("/accounts", new { id = "1", ledger = 1, code = 1 }))
            {
                Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created));
            }
            using (HttpResponseMessage response = await http.PostAsJsonAsync("/accounts", new { id = "1", ledger = 2, code = 1 }))
            {
                Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
            }

            var deadline = DateTime.UtcNow.AddSeconds(20);
            while (!(Text(sync, captured).Contains("ledgercore.results", StringComparison.Ordinal) && Text(sync, captured).Contains("ledgercore.batches.committed", StringComparison.Ordinal))
                && DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
            await app.StopAsync();
        }
        finally
        {
            Console.SetOut(original);
            Directory.Delete(directory, recursive: true);
        }

        string exported = Text(sync, captured);
        Assert.That(exported, Does.Contain("ledgercore.batches.committed").And.Contain("ledgercore.commit.latency").And.Contain("ledgercore.fsync.duration"));
        Assert.That(exported, Does.Contain("ledgercore.results").And.Contain("result: ExistsWithDifferentLedger"), "the failure, tagged with its result code");
    }

    private static string Text(TextWriter sync, StringWriter captured)
    {
        lock (sync) return captured.ToString();
    }
}
