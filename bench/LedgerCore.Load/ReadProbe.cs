using System.Diagnostics;
using HdrHistogram;

namespace LedgerCore.Load;

/// <summary>
/// Reads after the reopen, one at a time, each timed: lookups of one random transfer id from anywhere
/// in the history, and pages of 100 transfers of a random account. With <c>--drop-caches</c> the page
/// cache is dropped first (root only), so reads of transfers kept on disk really go to the disk.
/// </summary>
internal sealed class ReadProbe(LoadOptions options, IReadOnlyList<long> transfersPerClient)
{
    private const int Lookups = 2000;
    private const int Pages = 500;

    public async Task RunAsync(LedgerEngine engine, LoadReport report)
    {
        report.ProbeCacheDropped = options.DropCaches && DropPageCache();
        var random = new Random((int)options.Seed);
        var lookups = new LongHistogram(TimeSpan.TicksPerHour, 3);
        var ids = new UInt128[1];
        int clients = transfersPerClient.Count;
        for (int i = 0; i < Lookups && clients > 0; i++)
        {
            int client = random.Next(clients);
            if (transfersPerClient[client] == 0) continue;
            ids[0] = Workload.IdOf(options, client, (ulong)random.NextInt64(transfersPerClient[client]));
            long started = Stopwatch.GetTimestamp();
            Transfer[] found = await engine.LookupTransfersAsync(ids);
            lookups.RecordValue((long)Stopwatch.GetElapsedTime(started).TotalNanoseconds);
            if (found.Length != 1) throw new InvalidOperationException($"transfer {ids[0]} was acknowledged but is not found after reopen");
        }

        var pages = new LongHistogram(TimeSpan.TicksPerHour, 3);
        for (int i = 0; i < Pages; i++)
        {
            var filter = new AccountFilter
            {
                AccountId = (ulong)random.Next(1, options.Accounts + 1),
                Limit = 100,
                Flags = AccountFilterFlags.Debits | AccountFilterFlags.Credits | (i % 2 == 0 ? AccountFilterFlags.Reversed : 0),
                TimestampMin = 0,
            };
            long started = Stopwatch.GetTimestamp();
            await engine.GetAccountTransfersAsync(filter);
            pages.RecordValue((long)Stopwatch.GetElapsedTime(started).TotalNanoseconds);
        }

        report.ColdLookupP99Us = lookups.TotalCount == 0 ? 0 : lookups.GetValueAtPercentile(99) / 1000.0;
        report.AccountTransfersP99Us = pages.GetValueAtPercentile(99) / 1000.0;
    }

    private static bool DropPageCache()
    {
        try
        {
            // Pages the digest mapped back leave the process at the store's next sweep (once a second).
            Thread.Sleep(TimeSpan.FromSeconds(2));
            using (Process sync = Process.Start(new ProcessStartInfo("sync") { UseShellExecute = false })!) sync.WaitForExit(60_000);
            File.WriteAllText("/proc/sys/vm/drop_caches", "1");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}
