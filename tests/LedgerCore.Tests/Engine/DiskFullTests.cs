using System.Diagnostics;
using NUnit.Framework;

namespace LedgerCore.Tests.Engine;

/// <summary>
/// Disk full for real: the engine runs on a size-limited tmpfs mounted by the test, under a concurrent load,
/// until the disk is full. Callers get the I/O error, the engine faults, only acknowledged batches are
/// reported committed; after space is freed (the tmpfs is remounted bigger), a reopen recovers every
/// acknowledged batch and accepts writes again. Needs root (mount); without it the test fails and says so.
/// </summary>
[NonParallelizable]
public class DiskFullTests
{
    private const int Callers = 4;
    private const int TransfersPerRequest = 100;

    [Test]
    public async Task A_full_disk_faults_the_engine_and_a_reopen_after_freeing_space_recovers_every_acknowledged_batch()
    {
        string directory = Path.Combine(Path.GetTempPath(), "ledgercore-diskfull-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        (int mounted, string mountError) = Run("mount", $"-t tmpfs -o size=8m tmpfs {directory}");
        if (mounted != 0)
        {
            Directory.Delete(directory);
            Assert.Fail($"cannot mount a size-limited tmpfs at {directory} (mount exit {mounted}: {mountError.Trim()}); this test needs root to fill a real filesystem");
        }

        try
        {
            await FillRecoverAndVerifyAsync(directory);
        }
        finally
        {
            (int unmounted, string unmountError) = Run("umount", directory);
            Assert.That(unmounted, Is.Zero, $"umount {directory}: {unmountError}");
            Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task FillRecoverAndVerifyAsync(string directory)
    {
        Action<LedgerOptions> configure = o =>
        {
            o.SnapshotIntervalEvents = 0;
            o.SegmentBytesMax = 2 * 1024 * 1024; // several segments: the disk may fill while one is being created
            o.CommitBytesMax = 64 * 1024;
            o.MaxBatchSize = 1024;
        };

        var acknowledged = new List<Transfer[]>();
        var failed = new List<(Transfer[] Transfers, Exception Error)>();
        var gate = new Lock();
        long committedBeforeDispose;
        await using (LedgerEngine engine = await LedgerEngine.OpenAsync(Ledgers.Options(directory, configure)).Within())
        {
            Assert.That(await engine.CreateAccountsAsync(Ledgers.Accounts(8)).Within(), Is.Empty);
            ulong nextId = 1_000;
            await Task.WhenAll(Enumerable.Range(0, Callers).Select(_ => Task.Run(async () =>
            {
                while (true)
                {
                    Transfer[] transfers;
                    lock (gate)
                    {
                        transfers = Ledgers.Transfers(nextId, TransfersPerRequest, accounts: 8);
                        nextId += TransfersPerRequest;
                    }

                    try
                    {
                        await engine.CreateTransfersAsync(transfers).Within();
                        lock (gate) acknowledged.Add(transfers);
                    }
                    catch (Exception e) when (e is IOException or LedgerFaultedException)
                    {
                        lock (gate) failed.Add((transfers, e));
                        return;
                    }
                }
            }))).WaitAsync(TimeSpan.FromMinutes(2));

            TestContext.Out.WriteLine($"acknowledged {acknowledged.Count} requests before the disk filled; fault: {engine.Fault?.Message}");
            Assert.That(acknowledged, Is.Not.Empty, "the load wrote something before the disk filled");
            Assert.That(engine.IsFaulted, Is.True, "a full disk faults the engine");
            Assert.That(engine.Fault, Is.InstanceOf<IOException>());
            Assert.That(engine.Fault!.Message, Does.Contain("space").IgnoreCase, "the fault is the disk being full");
            Assert.That(failed.Select(f => f.Error), Has.Some.InstanceOf<IOException>(), "the callers of the failed group get the I/O error");
            Assert.That(failed.Select(f => f.Error), Has.All.InstanceOf<IOException>().Or.InstanceOf<LedgerFaultedException>());
            var refused = await Assert.ThrowsAsync<LedgerFaultedException>(() => engine.CreateTransfersAsync(Ledgers.Transfers(900_000_000, 1, accounts: 8)));
            Assert.That(refused!.InnerException, Is.SameAs(engine.Fault));

            // Nothing unacknowledged is reported durable: what the engine says is committed is exactly the acknowledged requests.
            List<CommittedBatch> committed = await Ledgers.ReadFeedAsync(engine);
            var committedIds = committed.SelectMany(b => b.Transfers.ToArray()).Select(t => t.Id).ToHashSet();
            var acknowledgedIds = acknowledged.SelectMany(r => r).Select(t => t.Id).ToHashSet();
            Assert.That(committedIds.SetEquals(acknowledgedIds), Is.True, "the committed batches hold exactly the acknowledged requests");
            committedBeforeDispose = engine.CommittedSequence;
        }

        // Free space, then reopen: every acknowledged batch is back; an unacknowledged one is whole or absent.
        (int remounted, string remountError) = Run("mount", $"-o remount,size=64m {directory}");
        Assert.That(remounted, Is.Zero, $"remount: {remountError}");
        await using LedgerEngine reopened = await LedgerEngine.OpenAsync(Ledgers.Options(directory, configure)).Within();
        TestContext.Out.WriteLine($"reopened: committed {reopened.CommittedSequence}, tail cut {reopened.Recovery.TruncatedBytes} bytes ({reopened.Recovery.TruncationReason})");
        Assert.That(reopened.CommittedSequence, Is.GreaterThanOrEqualTo(committedBeforeDispose));
        List<CommittedBatch> feed = await Ledgers.ReadFeedAsync(reopened);
        Assert.That(await reopened.ComputeDigestAsync().Within(), Is.EqualTo(Ledgers.Reference(feed).ComputeDigest()));
        var recovered = feed.SelectMany(b => b.Transfers.ToArray()).Select(t => t.Id).ToHashSet();
        foreach (Transfer[] request in acknowledged)
        {
            Assert.That(request.All(t => recovered.Contains(t.Id)), Is.True, "an acknowledged request survives the full disk and the reopen");
        }

        foreach ((Transfer[] request, Exception _) in failed)
        {
            int present = request.Count(t => recovered.Contains(t.Id));
            Assert.That(present, Is.EqualTo(0).Or.EqualTo(request.Length), "an unacknowledged request is whole or absent");
        }

        Assert.That(await reopened.CreateTransfersAsync(Ledgers.Transfers(900_000_000, 10, accounts: 8)).Within(), Is.Empty, "with space again the ledger accepts writes");
    }

    private static (int ExitCode, string Error) Run(string file, string arguments)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardError = true, RedirectStandardOutput = true })!;
            string error = process.StandardError.ReadToEnd();
            process.WaitForExit();
            return (process.ExitCode, error);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (-1, e.Message);
        }
    }
}
