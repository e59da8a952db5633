using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using NUnit.Framework;

namespace LedgerCore.Cluster.Tests.Processes;

/// <summary>
/// Three replica processes on free 127.0.0.1 ports, each with its own directory under one temporary root.
/// Disposing kills every process still running and deletes the root, whatever happened.
/// </summary>
internal sealed class ProcessCluster : IAsyncDisposable
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(5);
    public static readonly UInt128 LedgerId = 0x1EDC0DE;
    private readonly string _root = Path.Combine(Path.GetTempPath(), "ledgercore-proc-" + Guid.NewGuid().ToString("N"));
    private readonly string[] _extraArguments;
    private readonly Func<int, IReadOnlyList<string>>? _launcher;
    private readonly SemaphoreSlim _refresh = new(1, 1);
    private volatile int _leader = -1;

    public ProcessCluster(params string[] extraArguments)
        : this([FreeEndpoint(), FreeEndpoint(), FreeEndpoint()], null, extraArguments)
    {
    }

    /// <summary>Replicas on the given endpoints, each started through <paramref name="launcher"/>(i) when given (a network namespace).</summary>
    public ProcessCluster(IPEndPoint[] endpoints, Func<int, IReadOnlyList<string>>? launcher, params string[] extraArguments)
    {
        _extraArguments = extraArguments;
        _launcher = launcher;
        Endpoints = endpoints;
        Replicas = new ReplicaProcess?[3];
    }

    public IPEndPoint[] Endpoints { get; }

    /// <summary>Replica i's data directory when set (a lazyfs mount the test owns); otherwise one under this cluster's temporary root.</summary>
    public Func<int, string>? DataDirectories { get; init; }

    public ReplicaProcess?[] Replicas { get; }

    /// <summary>The replica last seen leading (or -1): where the workload sends writes.</summary>
    public int LeaderGuess => _leader;

    /// <summary>Start times of replicas (ms), for the report.</summary>
    public List<long> StartMilliseconds { get; } = [];

    public async Task StartAllAsync() => await Task.WhenAll(Enumerable.Range(0, 3).Select(StartAsync));

    /// <summary>Starts replica <paramref name="i"/> on its directory (new or left by a kill).</summary>
    public async Task StartAsync(int i)
    {
        var clock = Stopwatch.StartNew();
        string members = string.Join(',', Endpoints.Select(e => e.ToString()));
        string directory = DataDirectories?.Invoke(i) ?? Path.Combine(_root, i.ToString(CultureInfo.InvariantCulture));
        Replicas[i] = await ReplicaProcess.StartAsync([Endpoints[i].ToString(), members, directory, LedgerId.ToString(CultureInfo.InvariantCulture), .. _extraArguments], Patience, _launcher?.Invoke(i));
        lock (StartMilliseconds) StartMilliseconds.Add(clock.ElapsedMilliseconds);
    }

    /// <summary>SIGKILLs the replicas given, back to back (the same moment, as near as two syscalls get).</summary>
    public void Kill(params int[] indexes)
    {
        var killed = indexes.Select(i => Replicas[i]!).ToArray();
        foreach (int i in indexes) Replicas[i] = null;
        if (Array.IndexOf(indexes, _leader) >= 0) _leader = -1;
        foreach (ReplicaProcess replica in killed) replica.Kill();
        foreach (ReplicaProcess replica in killed) replica.Dispose();
    }

    public async Task<ReplicaStatus> StatusAsync(int i) =>
        ReplicaStatus.Parse(await (Replicas[i] ?? throw new ReplicaUnavailableException("not running")).RequestAsync("status", RequestTimeout));

    /// <summary>Asks every running replica; remembers the one leading in the highest term. Returns it or -1.</summary>
    public async Task<int> RefreshLeaderAsync()
    {
        await _refresh.WaitAsync();
        try
        {
            int best = -1;
            long bestTerm = -1;
            for (int i = 0; i < 3; i++)
            {
                if (Replicas[i] is null) continue;
                try
                {
                    ReplicaStatus status = await StatusAsync(i);
                    if (status.IsLeader && status.Term > bestTerm) (best, bestTerm) = (i, status.Term);
                }
                catch (ReplicaUnavailableException)
                {
                    // Killed or busy: not a leader to write to now.
                }
            }

            _leader = best;
            return best;
        }
        finally
        {
            _refresh.Release();
        }
    }

    /// <summary>Waits (bounded) until a running replica other than <paramref name="not"/> leads; returns it.</summary>
    public async Task<int> WaitForLeaderAsync(int not = -1)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < Patience)
        {
            int leader = await RefreshLeaderAsync();
            if (leader >= 0 && leader != not) return leader;
            await Task.Delay(50);
        }

        throw new TimeoutException($"No leader within {Patience}.{Describe()}");
    }

    /// <summary>Waits (bounded) until every running replica reports the same applied sequence twice in a row, with no fault.</summary>
    public async Task<long> WaitForQuiesceAsync()
    {
        var clock = Stopwatch.StartNew();
        string last = "";
        while (clock.Elapsed < Patience)
        {
            var statuses = new List<ReplicaStatus>();
            for (int i = 0; i < 3; i++)
            {
                if (Replicas[i] is not null) statuses.Add(await StatusAsync(i));
            }

            string now = string.Join(",", statuses.Select(s => s.AppliedSequence));
            if (statuses.Any(s => s.IsLeader) && statuses.Select(s => s.AppliedSequence).Distinct().Count() == 1 && now == last) return statuses[0].AppliedSequence;
            last = now;
            await Task.Delay(200);
        }

        throw new TimeoutException($"Replicas did not converge within {Patience}: applied {last}.{Describe()}");
    }

    public string Describe()
    {
        var text = new System.Text.StringBuilder();
        for (int i = 0; i < 3; i++)
        {
            if (Replicas[i] is { } replica) text.Append(CultureInfo.InvariantCulture, $"\n--- replica {i} (pid {replica.Id}) stderr:\n").Append(replica.Errors);
        }

        return text.ToString();
    }

    public ValueTask DisposeAsync()
    {
        // Every process is killed even if one kill fails; the directory goes last.
        for (int i = 0; i < 3; i++)
        {
            if (Replicas[i] is not { } replica) continue;
            Replicas[i] = null;
            try
            {
                replica.Dispose();
            }
            catch (TimeoutException e)
            {
                TestContext.Out.WriteLine($"replica {i}: {e.Message}");
            }
        }

        _refresh.Dispose();
        DeleteRoot();
        return ValueTask.CompletedTask;
    }

    private void DeleteRoot()
    {
        for (int attempt = 0; attempt < 5 && Directory.Exists(_root); attempt++)
        {
            try
            {
                Directory.Delete(_root, recursive: true);
            }
            catch (IOException e)
            {
                TestContext.Out.WriteLine($"delete {_root}: {e.Message}");
                Thread.Sleep(200);
            }
        }
    }

    private static IPEndPoint FreeEndpoint()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var endpoint = (IPEndPoint)listener.LocalEndpoint;
        listener.Stop();
        return endpoint;
    }
}
