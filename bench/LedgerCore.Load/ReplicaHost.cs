using System.Globalization;
using System.Net;
using System.Text;
using LedgerCore.Cluster;
using LedgerCore.Tcp;

namespace LedgerCore.Load;

/// <summary>
/// The hidden replica mode of the load run (<c>--replica ...</c>, started by <see cref="ReplicaProcess"/>):
/// one <see cref="ClusterLedger"/> behind a <see cref="LedgerTcpServer"/> on its own loopback port, driven
/// over stdin/stdout, one line per request and one per answer:
/// <c>status</c> → <c>status leader|follower term applied_sequence cpu_seconds gc_pause_seconds disk_write_bytes gen2_collections</c>;
/// <c>digest</c> → <c>digest hex applied_sequence</c>. It ends when stdin closes, so a parent that dies
/// (however) takes its replicas with it.
/// </summary>
internal static class ReplicaHost
{
    public const string Flag = "--replica";

    /// <summary>The same on every replica; any non-zero value.</summary>
    public static readonly UInt128 LedgerId = 0x4c6f6164;

    /// <summary>The arguments after <see cref="Flag"/>, as <see cref="RunAsync"/> reads them.</summary>
    public static string[] Arguments(IPEndPoint raft, IReadOnlyList<IPEndPoint> members, string directory, int tcpPort, long snapshotInterval) =>
        [Flag, raft.ToString(), string.Join(',', members), directory, tcpPort.ToString(CultureInfo.InvariantCulture), snapshotInterval.ToString(CultureInfo.InvariantCulture)];

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length != 6)
        {
            await Console.Error.WriteLineAsync($"usage: {Flag} <raft endpoint> <members> <data directory> <tcp port> <snapshot interval>");
            return 2;
        }

        var options = new ClusterOptions
        {
            EndPoint = IPEndPoint.Parse(args[1]),
            Members = [.. args[2].Split(',').Select(IPEndPoint.Parse)],
            DataDirectory = args[3],
            LedgerId = LedgerId,
            SnapshotIntervalEvents = long.Parse(args[5], CultureInfo.InvariantCulture),
        };

        var stdout = new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false)) { AutoFlush = true, NewLine = "\n" };
        await using ClusterLedger ledger = await ClusterLedger.StartAsync(options);
        await using var server = new LedgerTcpServer(ledger, new LedgerTcpServerOptions { Address = IPAddress.Loopback, Port = int.Parse(args[4], CultureInfo.InvariantCulture) });
        await server.StartAsync();
        await stdout.WriteLineAsync("ready");
        while (await Console.In.ReadLineAsync() is { } line)
        {
            string answer = line switch
            {
                "status" => FormattableString.Invariant(
                    $"status {(ledger.IsLeader ? "leader" : "follower")} {ledger.Term} {ledger.AppliedSequence} {Environment.CpuUsage.TotalTime.TotalSeconds:F3} {GC.GetTotalPauseDuration().TotalSeconds:F3} {DiskWriteBytes()} {GC.CollectionCount(2)}"),
                "digest" => FormattableString.Invariant($"digest {await ledger.ComputeDigestAsync():x} {ledger.AppliedSequence}"),
                _ => "error unknown command",
            };
            await stdout.WriteLineAsync(answer);
        }

        return 0;
    }

    /// <summary>Bytes this process caused to be written to storage (Linux /proc/self/io), or -1 where unknown.</summary>
    private static long DiskWriteBytes()
    {
        try
        {
            foreach (string line in File.ReadLines("/proc/self/io"))
            {
                if (line.StartsWith("write_bytes:", StringComparison.Ordinal)) return long.Parse(line.AsSpan(12).Trim(), CultureInfo.InvariantCulture);
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return -1;
    }
}
