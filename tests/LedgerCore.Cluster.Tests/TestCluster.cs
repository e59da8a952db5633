using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using LedgerCore.Cluster;

namespace LedgerCore.Cluster.Tests;

/// <summary>Replicas (three unless told) in this process over 127.0.0.1, each on its own free port and temporary directory.</summary>
internal sealed class TestCluster : IAsyncDisposable
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private readonly string _root = Path.Combine(Path.GetTempPath(), "ledgercore-cluster-" + Guid.NewGuid().ToString("N"));
    private readonly IPEndPoint[] _endpoints;
    private readonly long _snapshotIntervalEvents;

    public TestCluster(long snapshotIntervalEvents = 0, int replicas = 3)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(replicas, 1);
        _snapshotIntervalEvents = snapshotIntervalEvents;
        _endpoints = new IPEndPoint[replicas];
        for (int i = 0; i < replicas; i++) _endpoints[i] = FreeEndpoint();
        Replicas = new ClusterLedger?[replicas];
    }

    public static readonly UInt128 LedgerId = 0x1EDC0DE;

    public ClusterLedger?[] Replicas { get; }

    public IReadOnlyList<IPEndPoint> Endpoints => _endpoints;

    public IEnumerable<ClusterLedger> Running => Replicas.Where(r => r is not null)!;

    public async Task StartAllAsync()
    {
        await Task.WhenAll(Enumerable.Range(0, Replicas.Length).Select(StartAsync));
    }

    public async Task StartAsync(int i)
    {
        Replicas[i] = await ClusterLedger.StartAsync(new ClusterOptions
        {
            EndPoint = _endpoints[i],
            Members = _endpoints,
            DataDirectory = Path.Combine(_root, i.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            LedgerId = LedgerId,
            SnapshotIntervalEvents = _snapshotIntervalEvents,
        });
        // Tests check that follower replies never go out with unflushed entries: read the WAL's checkpoint
        // (its 16-byte v1 body after a 4-byte version: commit index, then last flushed index).
        string checkpoint = Path.Combine(_root, i.ToString(System.Globalization.CultureInfo.InvariantCulture), "raft", "checkpoint");
        Replicas[i]!.Log.FlushedIndexProbe = () => BinaryPrimitives.ReadInt64LittleEndian(File.ReadAllBytes(checkpoint).AsSpan(12));
    }

    public async Task StopAsync(int i)
    {
        ClusterLedger replica = Replicas[i]!;
        Replicas[i] = null;
        await replica.DisposeAsync();
    }

    /// <summary>Waits (bounded) until one running replica leads; returns its index.</summary>
    public async Task<int> WaitForLeaderAsync()
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < Patience)
        {
            for (int i = 0; i < Replicas.Length; i++)
            {
                if (Replicas[i] is { IsLeader: true }) return i;
            }

            await Task.Delay(20);
        }

        throw new TimeoutException($"No leader within {Patience}.");
    }

    /// <summary>Waits (bounded) until every running replica has applied batch <paramref name="sequence"/>.</summary>
    public async Task WaitForAppliedAsync(long sequence)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < Patience)
        {
            if (Running.All(r => r.AppliedSequence >= sequence)) return;
            await Task.Delay(20);
        }

        throw new TimeoutException($"Not every replica applied batch {sequence} within {Patience}: {string.Join(", ", Running.Select(r => r.AppliedSequence))}.");
    }

    public async ValueTask DisposeAsync()
    {
        for (int i = 0; i < Replicas.Length; i++)
        {
            if (Replicas[i] is not null) await StopAsync(i);
        }

        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }

    public static IPEndPoint FreeEndpoint()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var endpoint = (IPEndPoint)listener.LocalEndpoint;
        listener.Stop();
        return endpoint;
    }
}
