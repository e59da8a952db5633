using System.Diagnostics;
using HdrHistogram;
using LedgerCore.Tcp;

namespace LedgerCore.Load;

/// <summary>
/// The durable run: the full pipeline on a data directory, <see cref="LoadOptions.Clients"/> callers
/// each awaiting its own batches, a live progress bar, then shutdown, reopen and the digest check.
/// With <c>--cluster</c> it goes over TCP, as the cluster run does, so the two differ only in replication.
/// </summary>
internal sealed class DurablePhase(LoadOptions options, string directory, LoadReport report)
{
    public async Task RunAsync()
    {
        LedgerOptions ledgerOptions = LedgerOptionsFor();
        UInt128 digest;
        await using (LedgerEngine engine = await LedgerEngine.OpenAsync(ledgerOptions))
        {
            // Per-account and per-transfer heap exclude the engine's fixed buffers (group buffer, queues).
            long heapBefore = Heap(collect: true);
            await CreateAccountsAsync(engine);
            long heapAccounts = Heap(collect: true);
            long rssAccounts = ResidentMemory.Bytes();
            report.HeapBytesPerAccount = (heapAccounts - heapBefore) / (double)options.Accounts;
            long commitsBefore = engine.JournalCommits;
            long bytesBefore = engine.JournalBytesWritten;
            TimeSpan commitTimeBefore = engine.JournalCommitTime;

            TimeSpan pausedBefore = GC.GetTotalPauseDuration();
            TimeSpan cpuBefore = Environment.CpuUsage.TotalTime;
            int gen2Before = GC.CollectionCount(2);
            var run = new ClientRun(options, options.NoFsync ? "[red]NOT DURABLE[/] transfers" : options.Cluster > 0 ? "single node, durable" : "durable transfers");
            using var runDone = new CancellationTokenSource();
            Task<LedgerBackup?> backup = BackupUnderLoadAsync(engine, run, runDone.Token);
            (LongHistogram latency, long batches, long failed, TimeSpan elapsed) = options.Tcp || options.Cluster > 0
                ? await RunOverTcpAsync(engine, run)
                : await run.RunAsync([.. Enumerable.Repeat<Submit>(engine.CreateTransfersAsync, options.Clients)]);
            await runDone.CancelAsync();
            if (await backup is { } taken)
            {
                report.BackupSeconds = taken.Duration.TotalSeconds;
                report.BackupBytes = taken.Bytes;
                report.BackupSequence = taken.Sequence;
                _backup = taken;
            }

            report.GcPauseSeconds = (GC.GetTotalPauseDuration() - pausedBefore).TotalSeconds;
            // Engine, TCP server and clients share this process: its CPU time is the whole cost.
            report.CpuUsPerTransfer = (Environment.CpuUsage.TotalTime - cpuBefore).TotalMicroseconds / options.Transfers;
            report.Gen2Collections = GC.CollectionCount(2) - gen2Before;
            report.TransfersPerSecond = options.Transfers / elapsed.TotalSeconds;
            report.BatchesPerSecond = batches / elapsed.TotalSeconds;
            report.FailedTransfers = failed;
            report.P50Us = latency.GetValueAtPercentile(50) / 1000.0;
            report.P99Us = latency.GetValueAtPercentile(99) / 1000.0;
            report.P999Us = latency.GetValueAtPercentile(99.9) / 1000.0;
            report.MaxUs = latency.GetMaxValue() / 1000.0;
            report.Fsyncs = engine.JournalCommits - commitsBefore;
            report.FsyncMeanUs = report.Fsyncs == 0 ? 0 : (engine.JournalCommitTime - commitTimeBefore).TotalMicroseconds / report.Fsyncs;
            report.JournalBytesPerTransfer = (engine.JournalBytesWritten - bytesBefore) / (double)options.Transfers;
            report.HeapBytesPerTransfer = (Heap(collect: true) - heapAccounts) / (double)options.Transfers;
            report.PeakMemoryBytes = Math.Max(run.PeakHeap, Heap(collect: false));
            report.RssBytesPerTransfer = (ResidentMemory.Bytes() - rssAccounts) / (double)options.Transfers;
            report.PeakRssBytes = Math.Max(run.PeakRss, ResidentMemory.Bytes());
            double[] deciles = run.DecileRates();
            report.FirstDecileTransfersPerSecond = deciles[0];
            report.LastDecileTransfersPerSecond = deciles[9];
            report.RssBytesPerTransferSlope = (run.DecileRss[10] - run.DecileRss[5]) / (options.Transfers / 2.0);
            _perClient = run.TransfersPerClient;
            report.SnapshotsWritten = engine.SnapshotsWritten;
            digest = await engine.ComputeDigestAsync();
        }

        TimeSpan recoveryPausedBefore = GC.GetTotalPauseDuration();
        long started = Stopwatch.GetTimestamp();
        await using (LedgerEngine reopened = await LedgerEngine.OpenAsync(LedgerOptionsFor()))
        {
            report.RecoverySeconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
            report.RecoveryGcPauseSeconds = (GC.GetTotalPauseDuration() - recoveryPausedBefore).TotalSeconds;
            report.RecoveryEventsReplayed = reopened.Recovery.EventsReplayed;
            report.RecoverySnapshotSequence = reopened.Recovery.SnapshotSequence;
            // The replay rate: journaled events re-applied per second, snapshot loading excluded.
            report.SnapshotLoadSeconds = reopened.Recovery.SnapshotLoadDuration.TotalSeconds;
            report.RecoveryTransfersPerSecond = reopened.Recovery.EventsReplayed / (reopened.Recovery.Duration - reopened.Recovery.SnapshotLoadDuration).TotalSeconds;
            report.DigestOk = await reopened.ComputeDigestAsync() == digest;
            await new ReadProbe(options, _perClient).RunAsync(reopened, report);
        }

        report.DiskBytesPerTransfer = DirectoryBytes(directory) / (double)options.Transfers;

        if (_backup is not null) await CheckBackupAsync(_backup);
    }

    private LedgerBackup? _backup;
    private IReadOnlyList<long> _perClient = [];

    /// <summary>Bytes of every file under <paramref name="path"/> (journal, snapshots, transfer segments as allocated).</summary>
    private static long DirectoryBytes(string path)
    {
        long bytes = 0;
        foreach (string file in Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories)) bytes += new FileInfo(file).Length;
        return bytes;
    }

    /// <summary>The backup's directory, beside the data directory (deleted at the end unless --dir was given).</summary>
    public static string BackupDirectoryFor(string directory) => directory.TrimEnd(Path.DirectorySeparatorChar) + "-backup";

    /// <summary>Once <see cref="LoadOptions.BackupAt"/> transfers are acknowledged, backs the engine up while the run goes on.</summary>
    private async Task<LedgerBackup?> BackupUnderLoadAsync(LedgerEngine engine, ClientRun run, CancellationToken runDone)
    {
        if (options.BackupAt == 0) return null;
        while (run.TransfersDone < options.BackupAt)
        {
            if (runDone.IsCancellationRequested) return null;
            await Task.Delay(1, CancellationToken.None);
        }

        report.BackupStartedAtTransfers = run.TransfersDone;
        return await engine.BackupAsync(BackupDirectoryFor(directory), CancellationToken.None);
    }

    /// <summary>Opens the backup as a restore would (which verifies it against its manifest) and compares digests.</summary>
    private async Task CheckBackupAsync(LedgerBackup backup)
    {
        try
        {
            await using LedgerEngine restored = await LedgerEngine.OpenAsync(new LedgerOptions { DataDirectory = backup.Directory, SnapshotIntervalEvents = 0 });
            report.BackupDigestOk = restored.CommittedSequence == backup.Sequence && await restored.ComputeDigestAsync() == backup.Digest;
        }
        catch (LedgerCorruptedException)
        {
            report.BackupDigestOk = false;
        }
    }

    private LedgerOptions LedgerOptionsFor() => new()
    {
        DataDirectory = directory,
        Durable = !options.NoFsync,
        SnapshotIntervalEvents = options.SnapshotInterval,
        AccountCapacity = options.Preallocate ? options.Accounts : 0,
        TransferCapacity = options.Preallocate ? (int)Math.Min(int.MaxValue, options.Transfers) : 0,
        TransferCacheBytes = options.TransferCacheMiB * 1024 * 1024,
    };

    private async Task CreateAccountsAsync(LedgerEngine engine)
    {
        for (int start = 1; start <= options.Accounts; start += LedgerOptions.BatchEventsMax)
        {
            int count = Math.Min(LedgerOptions.BatchEventsMax, options.Accounts - start + 1);
            CreateAccountsResult[] failures = await engine.CreateAccountsAsync(Workload.Accounts(start, count));
            if (failures.Length != 0)
            {
                throw new InvalidOperationException($"account {start + failures[0].Index} failed: {failures[0].Result}; use an empty --dir");
            }
        }
    }

    /// <summary>The same clients, each on its own connection to a server on loopback in front of the engine.</summary>
    private async Task<ClientRunResult> RunOverTcpAsync(LedgerEngine engine, ClientRun run)
    {
        await using var server = new LedgerTcpServer(engine, new LedgerTcpServerOptions { Port = 0 });
        await server.StartAsync();
        var clients = new LedgerTcpClient[options.Clients];
        try
        {
            for (int c = 0; c < clients.Length; c++)
            {
                clients[c] = await LedgerTcpClient.ConnectAsync(new LedgerTcpClientOptions { Host = "127.0.0.1", Port = server.Port });
            }

            return await run.RunAsync([.. clients.Select(client => (Submit)client.CreateTransfersAsync)]);
        }
        finally
        {
            foreach (LedgerTcpClient? client in clients)
            {
                if (client is not null) await client.DisposeAsync();
            }
        }
    }

    private static long Heap(bool collect)
    {
        if (collect)
        {
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
        }

        return GC.GetTotalMemory(forceFullCollection: false);
    }
}
