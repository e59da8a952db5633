using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using LedgerCore.Cluster;
using NUnit.Framework;

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

    /// <summary>
    /// Replicas a test started outside <see cref="Replicas"/> to add as members (the test disposes them, and
    /// removes them from here first): once added they vote and may lead, so <see cref="OnLeaderAsync{T}"/> looks for the leader among them too.
    /// </summary>
    public List<ClusterLedger> Joiners { get; } = [];

    /// <summary>The most tries of one call in <see cref="OnLeaderAsync{T}"/>: a few elections' worth.</summary>
    public const int LeaderTriesMax = 10;

    private static readonly TimeSpan RetryPause = TimeSpan.FromMilliseconds(50);

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

    /// <summary>Waits (bounded) until a running replica or a joiner leads; returns it.</summary>
    public async Task<ClusterLedger> WaitForLeaderReplicaAsync(CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < Patience)
        {
            if (Running.Concat(Joiners).FirstOrDefault(r => r.IsLeader) is { } leader) return leader;
            await Task.Delay(20, cancellationToken);
        }

        throw new TimeoutException($"No leader within {Patience}.");
    }

    /// <summary>
    /// Makes <paramref name="call"/> (a write or a membership change) on the leader of the moment as a correct
    /// client does (docs/protocol.md, "Replicated ledgers: NotLeader and retries"): on <see cref="NotLeaderException"/>
    /// (refused, or the leader deposed while the call was in flight: outcome unknown) it waits for the new leader and
    /// makes the same call again, with the same ids. Bounded: at most <see cref="LeaderTriesMax"/> tries, all within
    /// <see cref="Patience"/> (a try still unanswered then is cancelled and the call fails with <see cref="TimeoutException"/>).
    /// Every other error fails the call at once.
    /// </summary>
    /// <returns>The answer of the try that was answered, how many tries it took and the replica that answered.</returns>
    public async Task<(T Answer, int Tries, ClusterLedger Leader)> OnLeaderAsync<T>(Func<ClusterLedger, CancellationToken, Task<T>> call, CancellationToken cancellationToken = default)
    {
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bound.CancelAfter(Patience);
        var clock = Stopwatch.StartNew();
        for (int tries = 1; ; tries++)
        {
            try
            {
                ClusterLedger leader = await WaitForLeaderReplicaAsync(bound.Token);
                try
                {
                    return (await call(leader, bound.Token), tries, leader);
                }
                catch (NotLeaderException e) when (tries < LeaderTriesMax)
                {
                    TestContext.Out.WriteLine($"try {tries} refused {clock.ElapsedMilliseconds} ms into the call (term {leader.Term}, leader named: {e.LeaderEndpoint?.ToString() ?? "none"}): {e.Message} Again on the leader of the moment.");
                    await Task.Delay(RetryPause, bound.Token);
                }
            }
            catch (OperationCanceledException e) when (bound.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"No answer within {Patience} ({tries} tries).", e);
            }
        }
    }

    /// <summary>
    /// Creates <paramref name="accounts"/> through <see cref="OnLeaderAsync{T}"/>; returns the errors a correct client
    /// counts: those of the try that was answered, without <c>Exists</c> when it was a retry (the ids are the test's
    /// own: an earlier try, its outcome unknown, applied them).
    /// </summary>
    public async Task<CreateAccountsResult[]> CreateAccountsAsync(Account[] accounts, CancellationToken cancellationToken = default)
    {
        (CreateAccountsResult[] results, int tries, _) = await OnLeaderAsync((leader, token) => leader.CreateAccountsAsync(accounts, token), cancellationToken);
        return tries == 1 ? results : Array.FindAll(results, r => r.Result != CreateAccountResult.Exists);
    }

    /// <summary>
    /// Creates <paramref name="transfers"/> through <see cref="OnLeaderAsync{T}"/>; returns the errors a correct client
    /// counts: those of the try that was answered, without <c>Exists</c> when it was a retry (the ids are the test's
    /// own: an earlier try, its outcome unknown, applied them).
    /// </summary>
    public async Task<CreateTransfersResult[]> CreateTransfersAsync(Transfer[] transfers, CancellationToken cancellationToken = default)
    {
        (CreateTransfersResult[] results, int tries, _) = await OnLeaderAsync((leader, token) => leader.CreateTransfersAsync(transfers, token), cancellationToken);
        return tries == 1 ? results : Array.FindAll(results, r => r.Result != CreateTransferResult.Exists);
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
