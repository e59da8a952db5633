using System.Diagnostics;
using HdrHistogram;
using Spectre.Console;

namespace LedgerCore.Load;

/// <summary>
/// The timed part of a run: <see cref="LoadOptions.Clients"/> callers, each awaiting its own batches of the
/// deterministic workload through its own <see cref="Submit"/>, with a live progress bar. Shared by the
/// single-node and the cluster run so both send the same transfers the same way.
/// </summary>
internal sealed class ClientRun(LoadOptions options, string label)
{
    private long _transfersDone;
    private readonly long[] _decileTimestamps = new long[11];
    private readonly long[] _decileRss = new long[11];
    private long[] _perClient = [];

    /// <summary>Transfers acknowledged so far.</summary>
    public long TransfersDone => Interlocked.Read(ref _transfersDone);

    /// <summary>The largest managed heap seen while the run was in progress.</summary>
    public long PeakHeap { get; private set; }

    /// <summary>The largest resident set seen while the run was in progress.</summary>
    public long PeakRss { get; private set; }

    /// <summary>Transfers each client sent (client c's ids are (c &lt;&lt; 40) + 1 onwards, see <see cref="Workload"/>).</summary>
    public IReadOnlyList<long> TransfersPerClient => _perClient;

    /// <summary>Transfers per second within each tenth of the run (by transfers acknowledged).</summary>
    public double[] DecileRates()
    {
        var rates = new double[10];
        for (int d = 0; d < 10; d++)
        {
            // A batch larger than a tenth (tiny runs) skips a boundary: that tenth then reads 0.
            if (_decileTimestamps[d] == 0 || _decileTimestamps[d + 1] == 0) continue;
            double seconds = Stopwatch.GetElapsedTime(_decileTimestamps[d], _decileTimestamps[d + 1]).TotalSeconds;
            rates[d] = seconds > 0 ? options.Transfers / 10.0 / seconds : 0;
        }

        return rates;
    }

    /// <summary>The resident set when each tenth of the transfers had been acknowledged (index 10: the end).</summary>
    public IReadOnlyList<long> DecileRss => _decileRss;

    public async Task<ClientRunResult> RunAsync(Submit[] submit)
    {
        _perClient = new long[submit.Length];
        var latency = new LongHistogram(TimeSpan.TicksPerHour * 100, 3); // nanoseconds up to 6 minutes
        long batchesTotal = (options.Transfers + options.Batch - 1) / options.Batch;
        long nextBatch = -1;
        long batches = 0;
        long failed = 0;
        long started = Stopwatch.GetTimestamp();
        _decileTimestamps[0] = started;
        _decileRss[0] = ResidentMemory.Bytes();

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
                long done = Interlocked.Add(ref _transfersDone, count);
                Interlocked.Add(ref _perClient[client], count);
                int decile = (int)Math.Min(10, done * 10 / options.Transfers);
                if (decile > (done - count) * 10 / options.Transfers && Interlocked.CompareExchange(ref _decileTimestamps[decile], Stopwatch.GetTimestamp(), 0) == 0)
                {
                    _decileRss[decile] = ResidentMemory.Bytes();
                }
            }

            lock (latency) latency.Add(mine);
        }

        Task all = Task.WhenAll(Enumerable.Range(0, options.Clients).Select(c => Task.Run(() => ClientAsync(c))));
        await ShowProgressAsync(all, started);
        await all;
        return new ClientRunResult(latency, batches, failed, Stopwatch.GetElapsedTime(started));
    }

    private async Task ShowProgressAsync(Task run, long started)
    {
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
                    PeakHeap = Math.Max(PeakHeap, GC.GetTotalMemory(forceFullCollection: false));
                    PeakRss = Math.Max(PeakRss, ResidentMemory.Bytes());
                }

                task.Value = options.Transfers;
            });
    }
}
