using System.Diagnostics;
using HdrHistogram;
using LedgerCore.Tcp;
using Spectre.Console;

namespace LedgerCore.Load;

/// <summary>
/// The durable run: the full pipeline on a data directory, <see cref="LoadOptions.Clients"/> callers
/// each awaiting its own batches, a live progress bar, then shutdown, reopen and the digest check.
/// </summary>
internal sealed class DurablePhase(LoadOptions options, string directory, LoadReport report)
{
    private long _transfersDone;
    private long _peakHeap;

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
            report.HeapBytesPerAccount = (heapAccounts - heapBefore) / (double)options.Accounts;
            long commitsBefore = engine.JournalCommits;
            long bytesBefore = engine.JournalBytesWritten;
            TimeSpan commitTimeBefore = engine.JournalCommitTime;

            TimeSpan pausedBefore = GC.GetTotalPauseDuration();
            (LongHistogram latency, long batches, long failed, TimeSpan elapsed) = options.Tcp
                ? await RunOverTcpAsync(engine)
                : await RunClientsAsync(engine, [.. Enumerable.Repeat<Submit>(engine.CreateTransfersAsync, options.Clients)]);

            report.GcPauseSeconds = (GC.GetTotalPauseDuration() - pausedBefore).TotalSeconds;
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
            report.PeakMemoryBytes = Math.Max(_peakHeap, Heap(collect: false));
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
        }
    }

    private LedgerOptions LedgerOptionsFor() => new()
    {
        DataDirectory = directory,
        Durable = !options.NoFsync,
        SnapshotIntervalEvents = options.SnapshotInterval,
        AccountCapacity = options.Preallocate ? options.Accounts : 0,
        TransferCapacity = options.Preallocate ? (int)Math.Min(int.MaxValue, options.Transfers) : 0,
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
    private async Task<(LongHistogram Latency, long Batches, long Failed, TimeSpan Elapsed)> RunOverTcpAsync(LedgerEngine engine)
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

            return await RunClientsAsync(engine, [.. clients.Select(client => (Submit)client.CreateTransfersAsync)]);
        }
        finally
        {
            foreach (LedgerTcpClient? client in clients)
            {
                if (client is not null) await client.DisposeAsync();
            }
        }
    }

    private async Task<(LongHistogram Latency, long Batches, long Failed, TimeSpan Elapsed)> RunClientsAsync(LedgerEngine engine, Submit[] submit)
    {
        var latency = new LongHistogram(TimeSpan.TicksPerHour * 100, 3); // nanoseconds up to 6 minutes
        long batchesTotal = (options.Transfers + options.Batch - 1) / options.Batch;
        long nextBatch = -1;
        long batches = 0;
        long failed = 0;
        long started = Stopwatch.GetTimestamp();

        async Task ClientAsync(int client)
        {
            var workload = new Workload(options, client);
            var buffer = new Transfer[options.Batch];
            var mine = new LongHistogram(TimeSpan.TicksPerHour * 100, 3);
            long b;
            while ((b = Interlocked.Increment(ref nextBatch)) < batchesTotal)
            {
                int count = (int)Math.Min(options.Batch, options.Transfers - b * options.Batch);
                workload.Fill(buffer.AsSpan(0, count));
                long sent = Stopwatch.GetTimestamp();
                CreateTransfersResult[] failures = await submit[client](buffer.AsMemory(0, count), default).ConfigureAwait(false);
                mine.RecordValue((long)Stopwatch.GetElapsedTime(sent).TotalNanoseconds);
                Interlocked.Add(ref failed, failures.Length);
                Interlocked.Increment(ref batches);
                Interlocked.Add(ref _transfersDone, count);
            }

            lock (latency) latency.Add(mine);
        }

        Task all = Task.WhenAll(Enumerable.Range(0, options.Clients).Select(c => Task.Run(() => ClientAsync(c))));
        await ShowProgressAsync(all, started);
        await all;
        return (latency, batches, failed, Stopwatch.GetElapsedTime(started));
    }

    private async Task ShowProgressAsync(Task run, long started)
    {
        string label = options.NoFsync ? "[red]NOT DURABLE[/] transfers" : "durable transfers";
        await AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .StartAsync(async context =>
            {
                ProgressTask task = context.AddTask(label, maxValue: options.Transfers);
                while (!run.IsCompleted)
                {
                    await Task.WhenAny(run, Task.Delay(250));
                    long done = Interlocked.Read(ref _transfersDone);
                    double seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
                    task.Value = done;
                    task.Description = $"{label} [bold]{done / seconds:N0}/s[/]";
                    _peakHeap = Math.Max(_peakHeap, Heap(collect: false));
                }

                task.Value = options.Transfers;
            });
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
