using System.Net;
using NUnit.Framework;

namespace LedgerCore.Tcp.Tests;

/// <summary>
/// The client in front of a replicated ledger, with stand-ins: a follower (a server over a
/// <see cref="FollowerLedger"/>, answering NotLeader), the leader (a server over an engine), and a proxy
/// that loses a connection after the server applied the request. Every retry carries the same ids.
/// </summary>
public sealed class MultiEndpointClientTests
{
    private static readonly IPEndPoint LeaderReplication = new(IPAddress.Loopback, 4711);

    [Test]
    public async Task A_client_that_reaches_a_follower_first_follows_NotLeader_to_the_named_leader()
    {
        await using TestLedger leader = await TestLedger.StartAsync();
        var follower = new FollowerLedger(leader.Engine.LedgerId) { Leader = LeaderReplication };
        await using LedgerTcpServer followerServer = await StartAsync(follower, replica => replica.Equals(LeaderReplication) ? new IPEndPoint(IPAddress.Loopback, leader.Port) : null);

        await using LedgerTcpClient client = await ConnectAsync($"127.0.0.1:{followerServer.Port}", $"127.0.0.1:{leader.Port}");
        Assert.That(await client.CreateAccountsAsync(Accounts(1, 2)), Is.Empty);
        Assert.That(follower.Refusals, Is.EqualTo(1), "one NotLeader, then the leader");
        Assert.That(await client.LookupAccountsAsync(new UInt128[] { 1, 2 }), Has.Length.EqualTo(2));
        Assert.That(follower.Refusals, Is.EqualTo(1), "later calls go to the leader directly");

        // The single-endpoint form follows the named leader too, even one outside any list.
        await using LedgerTcpClient single = await LedgerTcpClient.ConnectAsync(new LedgerTcpClientOptions { Port = followerServer.Port, RequestTimeout = TimeSpan.FromSeconds(20) });
        Assert.That(await single.CreateAccountsAsync(Accounts(3, 1)), Is.Empty);
        Assert.That(follower.Refusals, Is.EqualTo(2));
    }

    [Test]
    public async Task With_no_leader_named_the_client_tries_the_next_endpoint()
    {
        await using TestLedger leader = await TestLedger.StartAsync();
        var follower = new FollowerLedger(leader.Engine.LedgerId) { Leader = null };
        await using LedgerTcpServer followerServer = await StartAsync(follower, null);

        await using LedgerTcpClient client = await ConnectAsync($"127.0.0.1:{followerServer.Port}", $"127.0.0.1:{leader.Port}");
        Assert.That(await client.QueryAccountsAsync(new QueryFilter { Ledger = 1, Limit = 10 }), Is.Empty, "a read too");
        Assert.That(await client.CreateAccountsAsync(Accounts(1, 1)), Is.Empty);
        Assert.That(follower.Refusals, Is.EqualTo(1));
    }

    [Test]
    public async Task NotLeader_retries_stop_within_the_request_timeout_and_the_caller_sees_NotLeader()
    {
        var follower = new FollowerLedger(ledgerId: 7) { Leader = null };
        await using LedgerTcpServer followerServer = await StartAsync(follower, null);
        await using LedgerTcpClient client = await LedgerTcpClient.ConnectAsync(new LedgerTcpClientOptions
        {
            Endpoints = { $"127.0.0.1:{followerServer.Port}" },
            RequestTimeout = TimeSpan.FromSeconds(1),
        });

        LedgerTcpException? error = await Assert.ThrowsAsync<LedgerTcpException>(() => client.CreateAccountsAsync(Accounts(1, 1)));
        Assert.That(error!.Code, Is.EqualTo(LedgerTcpErrorCode.NotLeader));
        Assert.That(follower.Refusals, Is.InRange(3, LedgerTcpClient.RetriesMax + 1), "retried, with pauses, a bounded number of times");
    }

    [Test]
    public async Task Cancellation_ends_the_retries()
    {
        var follower = new FollowerLedger(ledgerId: 7) { Leader = null };
        await using LedgerTcpServer followerServer = await StartAsync(follower, null);
        await using LedgerTcpClient client = await ConnectAsync($"127.0.0.1:{followerServer.Port}", $"127.0.0.1:{followerServer.Port}");
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        Assert.That(async () => await client.CreateAccountsAsync(Accounts(1, 1), cancel.Token), Throws.InstanceOf<OperationCanceledException>());
        Assert.That(follower.Refusals, Is.GreaterThanOrEqualTo(1));
    }

    [Test]
    public async Task A_create_whose_connection_is_lost_is_sent_again_with_the_same_ids_and_answers_Exists()
    {
        await using TestLedger leader = await TestLedger.StartAsync();
        await using var proxy = new DroppingProxy(leader.Port);
        await using LedgerTcpClient client = await ConnectAsync($"127.0.0.1:{proxy.Port}", $"127.0.0.1:{leader.Port}");

        CreateAccountsResult[] results = await client.CreateAccountsAsync(Accounts(1, 3));

        Assert.That(proxy.Dropped, Is.EqualTo(1), "the first attempt was applied and its answer lost");
        Assert.That(results, Is.EqualTo(new[] { Exists(0), Exists(1), Exists(2) }), "the retry found what the first attempt applied");
        Assert.That(await leader.Engine.LookupAccountsAsync(new UInt128[] { 1, 2, 3 }), Has.Length.EqualTo(3));

        // Reads are sent again as freely.
        await using LedgerTcpClient reader = await ConnectAsync($"127.0.0.1:{proxy.Port}", $"127.0.0.1:{leader.Port}");
        Assert.That(await reader.LookupAccountsAsync(new UInt128[] { 1, 2, 3 }), Has.Length.EqualTo(3));
        Assert.That(proxy.Dropped, Is.EqualTo(2));
    }

    [Test]
    public async Task With_RetryLostConnections_off_the_caller_sees_the_lost_connection()
    {
        await using TestLedger leader = await TestLedger.StartAsync();
        await using var proxy = new DroppingProxy(leader.Port);
        await using LedgerTcpClient client = await LedgerTcpClient.ConnectAsync(new LedgerTcpClientOptions
        {
            Endpoints = { $"127.0.0.1:{proxy.Port}", $"127.0.0.1:{leader.Port}" },
            RetryLostConnections = false,
            RequestTimeout = TimeSpan.FromSeconds(20),
        });

        Assert.That(async () => await client.CreateAccountsAsync(Accounts(1, 1)), Throws.InstanceOf<LedgerTcpConnectionException>());
        Assert.That(await leader.Engine.LookupAccountsAsync(new UInt128[] { 1 }), Has.Length.EqualTo(1), "the outcome was unknown to the caller, and applied");
        Assert.That(await client.CreateAccountsAsync(Accounts(1, 1)), Is.EqualTo(new[] { Exists(0) }), "the caller's own retry, on the next endpoint");
    }

    [TestCase("localhost")]
    [TestCase("127.0.0.1:0")]
    [TestCase("::1:5000")]
    public void An_endpoint_that_is_not_host_port_is_refused(string endpoint) =>
        Assert.That(async () => await LedgerTcpClient.ConnectAsync(new LedgerTcpClientOptions { Endpoints = { endpoint } }), Throws.ArgumentException);

    private static async Task<LedgerTcpServer> StartAsync(ILedger ledger, Func<EndPoint, EndPoint?>? map)
    {
        var server = new LedgerTcpServer(ledger, new LedgerTcpServerOptions { LeaderEndpointMap = map });
        await server.StartAsync();
        return server;
    }

    private static Task<LedgerTcpClient> ConnectAsync(params string[] endpoints)
    {
        var options = new LedgerTcpClientOptions { RequestTimeout = TimeSpan.FromSeconds(20) };
        foreach (string endpoint in endpoints) options.Endpoints.Add(endpoint);
        return LedgerTcpClient.ConnectAsync(options);
    }

    private static Account[] Accounts(int first, int count) =>
        Enumerable.Range(first, count).Select(i => new Account { Id = (UInt128)i, Ledger = 1, Code = 1 }).ToArray();

    private static CreateAccountsResult Exists(int index) => new(index, CreateAccountResult.Exists);
}
