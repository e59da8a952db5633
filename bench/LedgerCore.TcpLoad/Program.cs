using System.Diagnostics;
using LedgerCore;
using LedgerCore.Tcp;
using LedgerCore.TcpLoad;

// The TCP load run: the same durable workload through the server on loopback and, for comparison,
// straight into the engine in process. Both on fresh temporary directories, fsync on.
TcpLoadOptions options = TcpLoadOptions.Parse(args);
if (options.Help)
{
    Console.WriteLine(TcpLoadOptions.Usage);
    return 0;
}

Console.WriteLine($"{options.Transfers:N0} transfers in batches of {options.Batch}, {options.Accounts:N0} accounts, {Environment.ProcessorCount} cores");
int failed = 0;

// Warm-up, not reported: the first run would otherwise pay for JIT compilation of both paths.
long warmup = Math.Min(options.Transfers, 300_000);
await RunAsync(overTcp: true, warmup, report: false);
if (options.InProcess) await RunAsync(overTcp: false, warmup, report: false);

// Alternating the two runs spreads a shared machine's noise over both instead of over one.
var tcpRates = new List<double>();
var inProcessRates = new List<double>();
for (int round = 0; round < options.Repeat; round++)
{
    tcpRates.Add(await RunAsync(overTcp: true, options.Transfers, report: true));
    if (options.InProcess) inProcessRates.Add(await RunAsync(overTcp: false, options.Transfers, report: true));
}

double tcp = Median(tcpRates);
Console.WriteLine($"tcp median: {tcp:N0} transfers/s durable over {tcpRates.Count} run(s)");
if (options.InProcess)
{
    double inProcess = Median(inProcessRates);
    Console.WriteLine($"in-process median: {inProcess:N0} transfers/s durable; tcp / in-process: {tcp / inProcess:P0}");
}

return failed == 0 ? 0 : 1;

static double Median(List<double> values)
{
    double[] sorted = [.. values.Order()];
    return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
}

async Task<double> RunAsync(bool overTcp, long transfers, bool report)
{
    string directory = Path.Combine(options.DataDirectory ?? Path.GetTempPath(), $"ledgercore-tcpload-{Guid.NewGuid():N}");
    try
    {
        await using LedgerEngine engine = await LedgerEngine.OpenAsync(new LedgerOptions { DataDirectory = directory });
        await using var server = new LedgerTcpServer(engine, new LedgerTcpServerOptions { MaxInFlightPerConnection = Math.Max(options.InFlight, 1) });
        await server.StartAsync();

        var clients = new List<LedgerTcpClient>();
        if (overTcp)
        {
            for (int c = 0; c < options.Connections; c++)
            {
                clients.Add(await LedgerTcpClient.ConnectAsync(new LedgerTcpClientOptions { Port = server.Port, RequestTimeout = TimeSpan.FromMinutes(5) }));
            }
        }

        for (int start = 1; start <= options.Accounts; start += LedgerOptions.BatchEventsMax)
        {
            int count = Math.Min(LedgerOptions.BatchEventsMax, options.Accounts - start + 1);
            var accounts = new Account[count];
            for (int i = 0; i < count; i++) accounts[i] = new Account { Id = (ulong)(start + i), Ledger = 1, Code = 1 };
            CreateAccountsResult[] accountFailures = overTcp ? await clients[0].CreateAccountsAsync(accounts) : await engine.CreateAccountsAsync(accounts);
            if (accountFailures.Length != 0) throw new InvalidOperationException($"account creation failed: {accountFailures[0].Result}");
        }

        var source = new BatchSource(options, transfers);
        long failures = 0;
        long fsyncsBefore = engine.JournalCommits;
        long started = Stopwatch.GetTimestamp();
        int workers = options.Connections * options.InFlight;
        await Task.WhenAll(Enumerable.Range(0, workers).Select(w => Task.Run(async () =>
        {
            var buffer = new Transfer[options.Batch];
            LedgerTcpClient? client = overTcp ? clients[w % clients.Count] : null;
            for (long batch = source.Take(); batch >= 0; batch = source.Take())
            {
                int count = source.Fill(batch, buffer);
                ReadOnlyMemory<Transfer> events = buffer.AsMemory(0, count);
                CreateTransfersResult[] result = client is null ? await engine.CreateTransfersAsync(events) : await client.CreateTransfersAsync(events);
                Interlocked.Add(ref failures, result.Length);
            }
        })));
        TimeSpan elapsed = Stopwatch.GetElapsedTime(started);
        long fsyncs = engine.JournalCommits - fsyncsBefore;

        // Everything acknowledged must be there: every id, looked up in the engine after the run.
        long present = 0;
        var ids = new UInt128[LedgerOptions.BatchEventsMax];
        for (long first = 1; first <= transfers; first += ids.Length)
        {
            int count = (int)Math.Min(ids.Length, transfers - first + 1);
            for (int i = 0; i < count; i++) ids[i] = (ulong)(first + i);
            present += (await engine.LookupTransfersAsync(ids.AsMemory(0, count))).Length;
        }

        if (present != transfers || failures != 0)
        {
            Console.WriteLine($"  check FAILED: {failures} failed transfers, {present:N0} of {transfers:N0} present");
            failed++;
        }

        foreach (LedgerTcpClient client in clients) await client.DisposeAsync();
        double rate = transfers / elapsed.TotalSeconds;
        string how = overTcp ? $"tcp loopback, {options.Connections} connections x {options.InFlight} in flight" : $"in process, {workers} callers";
        if (report) Console.WriteLine($"{how}: {rate:N0} transfers/s durable ({elapsed.TotalSeconds:F2} s, {fsyncs} fsyncs)");
        return rate;
    }
    finally
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a temp directory left behind is harmless.
        }
    }
}
