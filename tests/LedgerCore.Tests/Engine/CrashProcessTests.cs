using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text;
using NUnit.Framework;

namespace LedgerCore.Tests.Engine;

/// <summary>
/// A real crash: a child process (tests/LedgerCore.CrashChild) writes transfers and prints each
/// acknowledged id; it is killed with SIGKILL at random moments, and after each kill the directory is
/// reopened here and every printed id must be in the ledger.
/// </summary>
public class CrashProcessTests
{
    private const int Rounds = 4;

    [TestCase(false)]
    [TestCase(true)] // stores in files, snapshots are checkpoints naming them: kills land in their flushes and writes too
    public async Task Every_transfer_acknowledged_before_a_kill_survives_it(bool storeInFiles)
    {
        string child = typeof(CrashProcessTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "CrashChildPath").Value!;
        Assert.That(File.Exists(child), Is.True, $"the crash child is built with the tests: {child}");
        using var dir = new TempDirectory();
        var random = new Random(TestContext.CurrentContext.Random.Next());
        var acknowledged = new List<UInt128>();
        int fromSnapshot = 0;

        for (int round = 0; round < Rounds; round++)
        {
            int killAfterMs = random.Next(300, 1501);
            List<UInt128> printed = await RunAndKillAsync(child, dir.Path, killAfterMs, storeInFiles);
            acknowledged.AddRange(printed);
            TestContext.Out.WriteLine($"round {round}: killed after {killAfterMs} ms, {printed.Count} transfers acknowledged");

            await using LedgerEngine engine = await LedgerEngine.OpenAsync(Ledgers.Options(dir.Path, o => o.TransferCacheBytes = storeInFiles ? 1 << 20 : 0)).Within();
            TestContext.Out.WriteLine($"  recovered: {engine.Recovery}");
            if (engine.Recovery.SnapshotSequence > 0) fromSnapshot++;
            foreach (UInt128[] chunk in acknowledged.Chunk(8_000))
            {
                Transfer[] found = await engine.LookupTransfersAsync(chunk).Within();
                Assert.That(found.Select(t => t.Id), Is.EqualTo(chunk), $"round {round}: every acknowledged transfer is present");
                Assert.That(found.All(t => t.Amount == 1 && t.DebitAccountId == 1 && t.CreditAccountId == 2), Is.True);
            }

            // The recovered ledger is exactly its committed journal, and the balances add up.
            List<CommittedBatch> feed = await Ledgers.ReadFeedAsync(engine);
            Assert.That(await engine.ComputeDigestAsync().Within(), Is.EqualTo(Ledgers.Reference(feed).ComputeDigest()));
            long transfers = feed.Sum(b => (long)b.Transfers.Length);
            Account[] accounts = await engine.LookupAccountsAsync(new UInt128[] { 1, 2 }).Within();
            Assert.That(accounts[0].DebitsPosted, Is.EqualTo((UInt128)(ulong)transfers));
            Assert.That(accounts[1].CreditsPosted, Is.EqualTo((UInt128)(ulong)transfers));
            Assert.That(transfers, Is.GreaterThanOrEqualTo(acknowledged.Count));
        }

        Assert.That(acknowledged, Is.Not.Empty, "the child acknowledged transfers before it was killed");
        // With the stores in files the rounds must reach checkpoints (their interval is set low for that);
        // in memory the 20k-event interval may not be reached on a slow machine, as before checkpoints.
        if (storeInFiles) Assert.That(fromSnapshot, Is.GreaterThan(0), "some recovery started from a checkpoint naming the store files");
    }

    /// <summary>Starts the child, waits until it is ready, lets it write for a while, kills it; returns the ids it printed on complete lines.</summary>
    private static async Task<List<UInt128>> RunAndKillAsync(string child, string directory, int killAfterMs, bool storeInFiles)
    {
        // Snapshots too, so a kill can land in the middle of one. Checkpoints also wait for the journal to
        // outgrow twice the id index's tables (5-10k events here), so their interval is set low: a slow
        // machine writes ~5k transfers in a round.
        List<string> output = await RunAndKillLinesAsync(child, storeInFiles ? [directory, "1000", "--transfer-cache-bytes=1048576"] : [directory, "20000"], killAfterMs);
        return output.Select(l => UInt128.Parse(l, CultureInfo.InvariantCulture)).ToList();
    }

    /// <summary>Starts the child with <paramref name="arguments"/>, waits until it is ready, lets it run for a while, kills it; returns the complete lines it printed after "ready".</summary>
    internal static async Task<List<string>> RunAndKillLinesAsync(string child, string[] arguments, int killAfterMs)
    {
        var start = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(child);
        foreach (string argument in arguments) start.ArgumentList.Add(argument);

        using var process = Process.Start(start)!;
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Task<List<string>> lines = ReadCompleteLinesAsync(process.StandardOutput.BaseStream, ready);
        Task<string> errors = process.StandardError.ReadToEndAsync();
        try
        {
            await ready.Task.WaitAsync(TimeSpan.FromSeconds(30));
            await Task.Delay(killAfterMs);
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }

        List<string> output = await lines.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.That(await errors.WaitAsync(TimeSpan.FromSeconds(30)), Is.Empty, "the child reported no failure");
        Assert.That(output[0], Does.StartWith("ready "));
        return output.Skip(1).ToList();
    }

    /// <summary>Reads stdout to its end, keeping only lines ended by a newline (a kill may cut the last one).</summary>
    private static async Task<List<string>> ReadCompleteLinesAsync(Stream stdout, TaskCompletionSource ready)
    {
        var lines = new List<string>();
        var pending = new StringBuilder();
        byte[] buffer = new byte[64 * 1024];
        int read;
        while ((read = await stdout.ReadAsync(buffer)) > 0)
        {
            pending.Append(Encoding.UTF8.GetString(buffer, 0, read));
            string text = pending.ToString();
            int end = text.LastIndexOf('\n');
            if (end < 0) continue;
            lines.AddRange(text[..end].Split('\n'));
            pending.Clear().Append(text.AsSpan(end + 1));
            if (lines.Count > 0 && lines[0].StartsWith("ready ", StringComparison.Ordinal)) ready.TrySetResult();
        }

        ready.TrySetException(new InvalidOperationException("the child exited before it was ready"));
        return lines;
    }

    private static string DotnetHost()
    {
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host)) return host;
        if (Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet") return self;
        return "dotnet";
    }
}
