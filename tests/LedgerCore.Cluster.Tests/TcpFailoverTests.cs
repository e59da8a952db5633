using System.Diagnostics;
using System.Net;
using LedgerCore.Tcp;
using NUnit.Framework;

namespace LedgerCore.Cluster.Tests;

/// <summary>
/// Three replicas, each behind its own <see cref="LedgerTcpServer"/> on 127.0.0.1, and the TCP client given
/// all three servers: servers in front of followers answer NotLeader naming the leader's server, and the
/// client writes through a leader's loss without its caller seeing an error.
/// </summary>
[NonParallelizable]
public sealed class TcpFailoverTests
{
    [Test]
    public async Task A_server_in_front_of_a_follower_answers_NotLeader_naming_the_leaders_server()
    {
        await using var cluster = new TestCluster();
        await cluster.StartAllAsync();
        await using var servers = await Servers.StartAsync(cluster);
        int leader = await cluster.WaitForLeaderAsync();
        int follower = (leader + 1) % 3;

        // AutoReconnect off: the client neither reconnects nor follows, so the answer itself reaches the caller.
        await using LedgerTcpClient client = await LedgerTcpClient.ConnectAsync(new LedgerTcpClientOptions { Port = servers[follower].Port, AutoReconnect = false });
        LedgerTcpException? error = await Assert.ThrowsAsync<LedgerTcpException>(() => client.CreateAccountsAsync(Accounts(1, 1)));
        Assert.That(error!.Code, Is.EqualTo(LedgerTcpErrorCode.NotLeader));
        Assert.That(error.LeaderEndpoint, Is.EqualTo($"127.0.0.1:{servers[leader].Port}"), "the leader's TCP server, not its replication endpoint");
        Assert.That(client.IsConnected, Is.True, "NotLeader does not close the connection");
        Assert.That(await cluster.Replicas[leader]!.LookupAccountsAsync(new UInt128[] { 1 }), Is.Empty, "refused on arrival: nothing applied");
    }

    [Test]
    public async Task A_client_given_every_server_writes_through_the_loss_of_the_leader_and_every_acknowledged_transfer_is_applied_once()
    {
        const int Writers = 4;
        const int BatchesPerWriter = 25;
        const int BatchSize = 10;
        await using var cluster = new TestCluster();
        await cluster.StartAllAsync();
        await using var servers = await Servers.StartAsync(cluster);
        int first = await cluster.WaitForLeaderAsync();

        // The follower's server first in the list: the first write finds the leader.
        var options = new LedgerTcpClientOptions { RequestTimeout = TimeSpan.FromSeconds(30) };
        for (int i = 1; i <= 3; i++) options.Endpoints.Add($"127.0.0.1:{servers[(first + i) % 3].Port}");
        await using LedgerTcpClient client = await LedgerTcpClient.ConnectAsync(options);
        Assert.That(await client.CreateAccountsAsync(Accounts(1, 2)), Is.Empty);

        int acknowledged = 0;
        int retriedEvents = 0;
        var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        async Task WriteAsync(int writer)
        {
            for (int b = 0; b < BatchesPerWriter; b++)
            {
                ulong firstId = 1_000_000 + (ulong)(((writer * BatchesPerWriter) + b) * BatchSize);
                Transfer[] batch = Enumerable.Range(0, BatchSize).Select(i => new Transfer
                {
                    Id = firstId + (ulong)i, DebitAccountId = 1, CreditAccountId = 2, Amount = 1, Ledger = 1, Code = 1,
                }).ToArray();

                // The documented outcomes: all applied now, or (a retry of an attempt applied before a failover) Exists.
                CreateTransfersResult[] results = await client.CreateTransfersAsync(batch);
                Assert.That(results.Select(r => r.Result), Is.All.EqualTo(CreateTransferResult.Exists), $"batch {firstId}");
                Interlocked.Add(ref retriedEvents, results.Length);
                Interlocked.Increment(ref acknowledged);

                // Some batches after the leader stops, still in flight when it does.
                if (b == BatchesPerWriter / 3 && writer == 0) await stopped.Task.WaitAsync(TimeSpan.FromSeconds(30));
            }
        }

        Task writing = Task.WhenAll(Enumerable.Range(0, Writers).Select(WriteAsync));
        var clock = Stopwatch.StartNew();
        while (Volatile.Read(ref acknowledged) < Writers * BatchesPerWriter / 4 && clock.Elapsed < TimeSpan.FromSeconds(30)) await Task.Delay(5);
        int before = Volatile.Read(ref acknowledged);
        Assert.That(before, Is.LessThan(Writers * BatchesPerWriter), "the leader stops mid-stream");

        await cluster.StopAsync(first);
        await servers.StopAsync(first);
        stopped.SetResult();
        await writing.WaitAsync(TimeSpan.FromSeconds(60));
        TestContext.Out.WriteLine($"{before} batches before the leader stopped, {acknowledged - before} after, {retriedEvents} events answered Exists on a retry, {clock.ElapsedMilliseconds} ms");

        int second = await cluster.WaitForLeaderAsync();
        Assert.That(second, Is.Not.EqualTo(first));
        ClusterLedger leader = cluster.Replicas[second]!;
        const int Transfers = Writers * BatchesPerWriter * BatchSize;
        Account[] accounts = await leader.LookupAccountsAsync(new UInt128[] { 1, 2 });
        Assert.That(accounts[0].DebitsPosted, Is.EqualTo((UInt128)Transfers), "every acknowledged transfer applied, none twice");
        Assert.That(accounts[1].CreditsPosted, Is.EqualTo((UInt128)Transfers));
        UInt128[] ids = Enumerable.Range(0, Transfers).Select(i => (UInt128)(1_000_000 + i)).ToArray();
        for (int i = 0; i < ids.Length; i += 500)
        {
            Assert.That(await leader.LookupTransfersAsync(ids.AsMemory(i, Math.Min(500, ids.Length - i))), Has.Length.EqualTo(Math.Min(500, ids.Length - i)));
        }

        await cluster.StartAsync(first);
        await cluster.WaitForAppliedAsync(leader.AppliedSequence);
        UInt128 digest = await leader.ComputeDigestAsync();
        foreach (ClusterLedger replica in cluster.Running)
        {
            Assert.That(await replica.ComputeDigestAsync(), Is.EqualTo(digest));
        }
    }

    private static Account[] Accounts(int first, int count) =>
        Enumerable.Range(first, count).Select(i => new Account { Id = (UInt128)i, Ledger = 1, Code = 1 }).ToArray();

    /// <summary>A TCP server in front of each replica, naming the leader's server (not its replication endpoint) in NotLeader answers.</summary>
    private sealed class Servers : IAsyncDisposable
    {
        private readonly LedgerTcpServer?[] _servers = new LedgerTcpServer?[3];
        private readonly int[] _ports = new int[3];

        public static async Task<Servers> StartAsync(TestCluster cluster)
        {
            var servers = new Servers();
            for (int i = 0; i < 3; i++)
            {
                var server = new LedgerTcpServer(cluster.Replicas[i]!, new LedgerTcpServerOptions
                {
                    LeaderEndpointMap = replica => servers.ServerOf(cluster, replica),
                });
                await server.StartAsync();
                servers._servers[i] = server;
                servers._ports[i] = server.Port;
            }

            return servers;
        }

        public LedgerTcpServer this[int i] => _servers[i]!;

        public async Task StopAsync(int i)
        {
            LedgerTcpServer server = _servers[i]!;
            _servers[i] = null;
            await server.DisposeAsync();
        }

        public async ValueTask DisposeAsync()
        {
            for (int i = 0; i < 3; i++)
            {
                if (_servers[i] is not null) await StopAsync(i);
            }
        }

        private IPEndPoint? ServerOf(TestCluster cluster, EndPoint replica)
        {
            for (int i = 0; i < 3; i++)
            {
                if (cluster.Endpoints[i].Equals(replica) || cluster.Endpoints[i].ToString() == replica.ToString()) return new IPEndPoint(IPAddress.Loopback, _ports[i]);
            }

            return null;
        }
    }
}
