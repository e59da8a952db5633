using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using HdrHistogram;
using LedgerCore.Tcp;
using Spectre.Console;

namespace LedgerCore.Load;

/// <summary>
/// The cluster run (<c>--cluster N</c>): N replica processes on loopback (<see cref="ReplicaHost"/>), each
/// with its own data directory; the same accounts and the same clients' transfers as the single-node run,
/// sent over TCP to the leader; then failover (SIGKILL of the leader under a light write load, timed to the
/// first write the new leader acknowledges), a restart of the killed replica, and the digest of every
/// replica once all applied the same sequence. Every replica is stopped, whatever happens.
/// </summary>
internal sealed class ClusterPhase(LoadOptions options, string directory, LoadReport report)
{
    private const int FailoverBatch = 100;
    private static readonly TimeSpan LeaderWait = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan FailoverWait = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan CatchUpWait = TimeSpan.FromSeconds(180);

    public async Task RunAsync()
    {
        var replicas = new List<ReplicaProcess>();
        try
        {
            (IPEndPoint[] raft, int[] tcp) = FreePorts(options.Cluster);
            long started = Stopwatch.GetTimestamp();
            for (int i = 0; i < options.Cluster; i++)
            {
                string data = Path.Combine(directory, $"replica-{i}");
                Directory.CreateDirectory(data);
                replicas.Add(ReplicaProcess.Start(i, raft[i], raft, data, tcp[i], options.SnapshotInterval));
            }

            foreach (ReplicaProcess replica in replicas) await replica.WaitReadyAsync();
            ReplicaProcess leader = await FindLeaderAsync(replicas, exclude: null);
            report.ClusterFirstElectionSeconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
            AnsiConsole.MarkupLine($"cluster of {options.Cluster}: replica {leader.Index} leads after {report.ClusterFirstElectionSeconds:F2} s");

            await ThroughputAsync(replicas, leader);
            await FailoverAsync(replicas, leader);
            await CompareDigestsAsync(replicas);
        }
        finally
        {
            foreach (ReplicaProcess replica in replicas) await replica.DisposeAsync();
        }
    }

    private async Task ThroughputAsync(List<ReplicaProcess> replicas, ReplicaProcess leader)
    {
        var clients = new LedgerTcpClient[options.Clients];
        try
        {
            for (int c = 0; c < clients.Length; c++) clients[c] = await ConnectAsync(leader, TimeSpan.FromSeconds(60));
            await CreateAccountsAsync(clients[0]);

            ReplicaStatus[] before = await StatusesAsync(replicas);
            TimeSpan clientCpu = Environment.CpuUsage.TotalTime;
            TimeSpan clientGc = GC.GetTotalPauseDuration();
            (LongHistogram latency, long batches, long failed, TimeSpan elapsed) =
                await new ClientRun(options, $"cluster of {options.Cluster}, durable").RunAsync([.. clients.Select(client => (Submit)client.CreateTransfersAsync)]);
            report.ClientCpuSeconds = (Environment.CpuUsage.TotalTime - clientCpu).TotalSeconds;
            report.ClientGcPauseSeconds = (GC.GetTotalPauseDuration() - clientGc).TotalSeconds;
            ReplicaStatus[] after = await StatusesAsync(replicas);

            report.ClusterSeconds = elapsed.TotalSeconds;
            report.ClusterTransfersPerSecond = options.Transfers / elapsed.TotalSeconds;
            report.ClusterBatchesPerSecond = batches / elapsed.TotalSeconds;
            report.ClusterFailedTransfers = failed;
            report.ClusterP50Us = latency.GetValueAtPercentile(50) / 1000.0;
            report.ClusterP99Us = latency.GetValueAtPercentile(99) / 1000.0;
            report.ClusterP999Us = latency.GetValueAtPercentile(99.9) / 1000.0;
            report.ClusterMaxUs = latency.GetMaxValue() / 1000.0;
            report.ElectionsDuringLoad = after.Max(s => s.Term) - before.Max(s => s.Term);
            report.ReplicaCpuSeconds = [.. before.Zip(after, (b, a) => a.CpuSeconds - b.CpuSeconds)];
            report.ReplicaGcPauseSeconds = [.. before.Zip(after, (b, a) => a.GcPauseSeconds - b.GcPauseSeconds)];
            report.ReplicaGen2Collections = [.. before.Zip(after, (b, a) => (double)(a.Gen2Collections - b.Gen2Collections))];
            report.ReplicaDiskBytesPerTransfer = [.. before.Zip(after, (b, a) => a.DiskWriteBytes < 0 ? -1 : (a.DiskWriteBytes - b.DiskWriteBytes) / (double)options.Transfers)];
            report.ClusterLeader = leader.Index;
        }
        finally
        {
            foreach (LedgerTcpClient? client in clients)
            {
                if (client is not null) await client.DisposeAsync();
            }
        }
    }

    private async Task CreateAccountsAsync(LedgerTcpClient client)
    {
        for (int start = 1; start <= options.Accounts; start += client.BatchEventsMax)
        {
            int count = Math.Min(client.BatchEventsMax, options.Accounts - start + 1);
            CreateAccountsResult[] failures = await client.CreateAccountsAsync(Workload.Accounts(start, count));
            if (failures.Length != 0) throw new InvalidOperationException($"account {start + failures[0].Index} failed on the cluster: {failures[0].Result}");
        }
    }

    /// <summary>
    /// One client writes small batches back to back to the leader; the leader is SIGKILLed; the client tries
    /// the other replicas in turn (same batch, same ids, until one acknowledges: what the old leader had
    /// committed answers Exists). Failover time is from the kill to that first acknowledgement.
    /// </summary>
    private async Task FailoverAsync(List<ReplicaProcess> replicas, ReplicaProcess leader)
    {
        long killedAt = 0;
        long acknowledgedAt = 0;
        int acknowledgedBy = -1;
        long acknowledged = 0;
        long errors = 0;
        long rejected = 0;
        using var stop = new CancellationTokenSource();
        var connections = new LedgerTcpClient?[replicas.Count];

        async Task WriteAsync()
        {
            var workload = new Workload(options, client: options.Clients);
            var batch = new Transfer[FailoverBatch];
            int target = leader.Index;
            bool answered = true;
            while (!stop.IsCancellationRequested)
            {
                if (answered) workload.Fill(batch);
                try
                {
                    LedgerTcpClient client = connections[target] ??= await ConnectAsync(replicas[target], TimeSpan.FromSeconds(5));
                    CreateTransfersResult[] results = await client.CreateTransfersAsync(batch, stop.Token);
                    long now = Stopwatch.GetTimestamp();
                    answered = true;
                    Interlocked.Increment(ref acknowledged);
                    foreach (CreateTransfersResult r in results)
                    {
                        if (r.Result != CreateTransferResult.Exists) rejected++;
                    }

                    long killed = Interlocked.Read(ref killedAt);
                    if (killed != 0 && target != leader.Index && Interlocked.Read(ref acknowledgedAt) == 0)
                    {
                        acknowledgedBy = target;
                        Interlocked.Exchange(ref acknowledgedAt, now);
                    }
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    return;
                }
#pragma warning disable CA1031 // Any failure of a try (refused, not the leader, connection lost, timeout) means: try the next replica.
                catch (Exception)
#pragma warning restore CA1031
                {
                    answered = false;
                    errors++;
                    if (connections[target] is { } broken) await broken.DisposeAsync();
                    connections[target] = null;
                    do target = (target + 1) % replicas.Count;
                    while (Interlocked.Read(ref killedAt) != 0 && target == leader.Index);
                    await Task.Delay(20, CancellationToken.None);
                }
            }
        }

        long termBefore = (await leader.StatusAsync()).Term;
        Task writer = Task.Run(WriteAsync, CancellationToken.None);
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(1));
            if (Interlocked.Read(ref acknowledged) == 0) throw new InvalidOperationException("the light load before the failover got no acknowledgement from the leader");
            AnsiConsole.MarkupLine($"failover: SIGKILL replica {leader.Index} (the leader) under a light load ({FailoverBatch}-transfer batches)");
            Interlocked.Exchange(ref killedAt, Stopwatch.GetTimestamp());
            leader.Kill();
            long deadline = Stopwatch.GetTimestamp() + (long)(FailoverWait.TotalSeconds * Stopwatch.Frequency);
            while (Interlocked.Read(ref acknowledgedAt) == 0 && Stopwatch.GetTimestamp() < deadline && !writer.IsCompleted) await Task.Delay(10);
            if (Interlocked.Read(ref acknowledgedAt) == 0) throw new InvalidOperationException($"no replica acknowledged a write within {FailoverWait.TotalSeconds} s of the leader's kill");
            await Task.Delay(500); // a little more load on the new leader before stopping
        }
        finally
        {
            await stop.CancelAsync();
            await writer;
            foreach (LedgerTcpClient? client in connections)
            {
                if (client is not null) await client.DisposeAsync();
            }
        }

        report.FailoverSeconds = (acknowledgedAt - killedAt) / (double)Stopwatch.Frequency;
        // 1 = one election round; more = split votes or a leader that did not hold (timers late on a busy machine).
        report.FailoverTermIncrease = (await replicas[acknowledgedBy].StatusAsync()).Term - termBefore;
        report.FailoverNewLeader = acknowledgedBy;
        report.FailoverWriteErrors = errors;
        report.FailoverRejected = rejected;
        AnsiConsole.MarkupLine($"  replica {acknowledgedBy} acknowledged a write {report.FailoverSeconds:F2} s after the kill ({errors} failed tries meanwhile, term +{report.FailoverTermIncrease}); restarting replica {leader.Index}");
        await leader.RestartAsync();
    }

    /// <summary>Waits until every replica applied the same sequence (twice in a row), then compares their digests.</summary>
    private async Task CompareDigestsAsync(List<ReplicaProcess> replicas)
    {
        long started = Stopwatch.GetTimestamp();
        long previous = -1;
        while (true)
        {
            ReplicaStatus[] statuses = await StatusesAsync(replicas);
            long first = statuses[0].AppliedSequence;
            bool equal = statuses.All(s => s.AppliedSequence == first);
            if (equal && first == previous) break;
            previous = equal ? first : -1;
            if (Stopwatch.GetElapsedTime(started) > CatchUpWait)
            {
                throw new InvalidOperationException($"replicas did not converge within {CatchUpWait.TotalSeconds} s: applied {string.Join(", ", statuses.Select(s => s.AppliedSequence))}");
            }

            await Task.Delay(250);
        }

        report.CatchUpSeconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var digests = new (UInt128 Digest, long AppliedSequence)[replicas.Count];
        for (int i = 0; i < replicas.Count; i++) digests[i] = await replicas[i].DigestAsync();
        report.ClusterAppliedSequence = digests[0].AppliedSequence;
        report.ClusterDigestOk = digests.All(d => d == digests[0]);
        AnsiConsole.MarkupLine($"  all {replicas.Count} replicas at batch {digests[0].AppliedSequence} after {report.CatchUpSeconds:F1} s: digests {(report.ClusterDigestOk ? "[green]equal[/]" : "[red]DIFFERENT[/]")}");
    }

    private static async Task<ReplicaProcess> FindLeaderAsync(List<ReplicaProcess> replicas, ReplicaProcess? exclude)
    {
        long started = Stopwatch.GetTimestamp();
        while (Stopwatch.GetElapsedTime(started) < LeaderWait)
        {
            foreach (ReplicaProcess replica in replicas)
            {
                if (replica != exclude && (await replica.StatusAsync()).IsLeader) return replica;
            }

            await Task.Delay(50);
        }

        throw new InvalidOperationException($"no replica became leader within {LeaderWait.TotalSeconds} s");
    }

    private static async Task<ReplicaStatus[]> StatusesAsync(List<ReplicaProcess> replicas)
    {
        var statuses = new ReplicaStatus[replicas.Count];
        for (int i = 0; i < replicas.Count; i++) statuses[i] = await replicas[i].StatusAsync();
        return statuses;
    }

    private static Task<LedgerTcpClient> ConnectAsync(ReplicaProcess replica, TimeSpan timeout) =>
        LedgerTcpClient.ConnectAsync(new LedgerTcpClientOptions
        {
            Host = "127.0.0.1",
            Port = replica.TcpPort,
            ConnectTimeout = timeout,
            RequestTimeout = timeout,
            AutoReconnect = false,
        });

    /// <summary>Raft and TCP ports for each replica: bound on loopback together (so all differ), then released.</summary>
    private static (IPEndPoint[] Raft, int[] Tcp) FreePorts(int replicas)
    {
        var listeners = new List<TcpListener>();
        try
        {
            for (int i = 0; i < replicas * 2; i++)
            {
                var listener = new TcpListener(IPAddress.Loopback, 0);
                listener.Start();
                listeners.Add(listener);
            }

            IPEndPoint[] raft = [.. listeners.Take(replicas).Select(l => new IPEndPoint(IPAddress.Loopback, ((IPEndPoint)l.LocalEndpoint).Port))];
            int[] tcp = [.. listeners.Skip(replicas).Select(l => ((IPEndPoint)l.LocalEndpoint).Port)];
            return (raft, tcp);
        }
        finally
        {
            foreach (TcpListener listener in listeners) listener.Stop();
        }
    }
}
