using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using NUnit.Framework;

namespace LedgerCore.Amqp.Tests;

/// <summary>
/// A real publisher crash: a child process (tests/LedgerCore.Amqp.PublisherChild) writes and publishes and
/// is SIGKILLed mid-stream; a second child on the same directory resumes from the checkpoint in the broker.
/// </summary>
[TestFixture]
public sealed class PublisherProcessTests
{
    private const int BatchSize = 20; // the child's

    private TestBroker _broker = null!;

    [OneTimeSetUp]
    public async Task StartBroker() => _broker = await TestBroker.SharedAsync();

    [OneTimeTearDown]
    public async Task StopBroker() => await _broker.DisposeAsync();

    [Test]
    public async Task A_publisher_process_killed_mid_stream_resumes_from_the_checkpoint_without_a_gap()
    {
        string directory = Path.Combine(Path.GetTempPath(), $"ledgercore-amqp-tests-{Guid.NewGuid():N}");
        string exchange = $"ledgercore.test.{Guid.NewGuid():N}";
        var consumer = new TestConsumer(_broker.Uri, exchange);
        await consumer.BindAsync();
        try
        {
            ulong checkpointAtKill;
            using (Process first = StartChild(directory, exchange, batches: 200))
            {
                try
                {
                    ulong last = await ReadyAsync(first);
                    ulong checkpoint = 0;
                    for (int i = 0; i < 4000 && checkpoint == 0; i++)
                    {
                        checkpoint = await consumer.ReadCheckpointAsync(exchange + ".checkpoint");
                        if (checkpoint == 0) await Task.Delay(5);
                    }

                    Assert.That(checkpoint, Is.Not.Zero, "the first child published");
                    first.Kill(entireProcessTree: true);
                    await first.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
                    checkpointAtKill = await consumer.ReadCheckpointAsync(exchange + ".checkpoint");
                    Assert.That(checkpointAtKill, Is.LessThan(last), "killed mid-stream");
                }
                finally
                {
                    if (!first.HasExited) first.Kill(entireProcessTree: true);
                }
            }

            using (Process second = StartChild(directory, exchange, batches: 0))
            {
                try
                {
                    ulong last = await ReadyAsync(second);
                    await consumer.DrainUntilAsync(m => Delivery.Complete(m, last), TimeSpan.FromSeconds(30));
                    second.StandardInput.Close(); // a graceful stop
                    await second.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
                    Assert.That(second.ExitCode, Is.Zero, await second.StandardError.ReadToEndAsync());
                }
                finally
                {
                    if (!second.HasExited) second.Kill(entireProcessTree: true);
                }
            }

            await using LedgerEngine engine = await LedgerEngine.OpenAsync(new LedgerOptions { DataDirectory = directory });
            List<ChangeEvent> events = await Workload.AllEventsAsync(engine);
            Assert.That(events, Has.Count.EqualTo(200 * 50));
            Assert.That(Delivery.Accepted(consumer.Messages), Is.EqualTo(Delivery.Timestamps(events)), "no gap, in order");
            Assert.That(consumer.Messages.Count - events.Count, Is.InRange(0, BatchSize), "resumed from the checkpoint: at most the batch in flight again");
            await TestContext.Out.WriteLineAsync($"killed at checkpoint {checkpointAtKill}; {events.Count} events, {consumer.Messages.Count - events.Count} duplicates");
        }
        finally
        {
            if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        }
    }

    private Process StartChild(string directory, string exchange, int batches)
    {
        string child = typeof(PublisherProcessTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "PublisherChildPath").Value!;
        Assert.That(File.Exists(child), Is.True, $"the child is built with the tests: {child}");
        var start = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(child);
        start.ArgumentList.Add(directory);
        start.ArgumentList.Add(_broker.Uri.ToString());
        start.ArgumentList.Add(exchange);
        start.ArgumentList.Add(batches.ToString(CultureInfo.InvariantCulture));
        return Process.Start(start)!;
    }

    /// <summary>The timestamp of the ledger's last event, from the child's "ready" line.</summary>
    private static async Task<ulong> ReadyAsync(Process child)
    {
        string? line = await child.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
        if (line is null || !line.StartsWith("ready ", StringComparison.Ordinal))
        {
            Assert.Fail($"the child did not get ready: '{line}' {await child.StandardError.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(10))}");
        }

        return ulong.Parse(line!["ready ".Length..], CultureInfo.InvariantCulture);
    }

    private static string DotnetHost()
    {
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host)) return host;
        if (Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet") return self;
        return "dotnet";
    }
}
