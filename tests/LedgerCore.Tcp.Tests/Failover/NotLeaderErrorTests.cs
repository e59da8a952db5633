using System.Net;
using FsCheck;
using FsCheck.Fluent;
using LedgerCore.Tcp.Protocol;
using MessagePack;
using NUnit.Framework;

namespace LedgerCore.Tcp.Tests;

/// <summary>
/// The server's side of a replica that is not the leader, on the wire: <see cref="NotLeaderException"/> from
/// the ledger becomes a <see cref="LedgerTcpErrorCode.NotLeader"/> error (not closing) whose body's third
/// element is the leader's server as <c>host:port</c> (through <see cref="LedgerTcpServerOptions.LeaderEndpointMap"/>), or nil.
/// </summary>
public sealed class NotLeaderErrorTests
{
    private static readonly IPEndPoint ReplicationEndpoint = new(IPAddress.Loopback, 4711);

    [Test]
    public async Task A_create_and_a_read_on_a_follower_are_answered_NotLeader_naming_the_leaders_server()
    {
        var follower = new FollowerLedger(ledgerId: 42) { Leader = ReplicationEndpoint };
        var leaderServer = new DnsEndPoint("ledger-1.internal", 7001);
        await using var server = new LedgerTcpServer(follower, new LedgerTcpServerOptions
        {
            LeaderEndpointMap = replica => replica.Equals(ReplicationEndpoint) ? leaderServer : null,
        });
        await server.StartAsync();
        await using RawConnection raw = await RawConnection.ConnectAsync(server.Port);

        await raw.SendAsync(TcpOperation.CreateAccounts, 5, (ref MessagePackWriter w) => w.WriteArrayHeader(0));
        (FrameHeader header, byte[] body) = await raw.ReadAsync();
        Assert.That(header.Operation, Is.EqualTo(TcpOperation.Error));
        Assert.That(header.RequestId, Is.EqualTo(5UL));
        Assert.That(Elements(body), Is.EqualTo(3), "[code, message, leader]");
        ErrorBody error = BodyCodec.ReadError(body);
        Assert.That(error.Code, Is.EqualTo(LedgerTcpErrorCode.NotLeader));
        Assert.That((uint)error.Code, Is.EqualTo(16u), "the wire value");
        Assert.That(error.Leader, Is.EqualTo("ledger-1.internal:7001"));
        Assert.That(error.Message, Does.Not.Contain("4711"), "the replication endpoint is not told to clients");

        await raw.SendAsync(TcpOperation.LookupTransfers, 6, (ref MessagePackWriter w) => w.WriteArrayHeader(0));
        (LedgerTcpErrorCode code, ulong id, _) = await raw.ReadErrorAsync();
        Assert.That((code, id), Is.EqualTo((LedgerTcpErrorCode.NotLeader, 6UL)), "reads too");

        await raw.SendAsync(TcpOperation.Ping, 7, (ref MessagePackWriter w) => w.Write(99UL));
        Assert.That((await raw.ReadAsync()).Header.Operation, Is.EqualTo(TcpOperation.Ping), "NotLeader does not close the connection");
        Assert.That(follower.Refusals, Is.EqualTo(2));
    }

    [Test]
    public async Task Without_a_known_leader_or_a_map_the_leader_element_is_nil()
    {
        var follower = new FollowerLedger(ledgerId: 42) { Leader = null };
        await using var mapped = new LedgerTcpServer(follower, new LedgerTcpServerOptions { LeaderEndpointMap = _ => new IPEndPoint(IPAddress.IPv6Loopback, 7002) });
        await mapped.StartAsync();
        Assert.That(await FirstCreateErrorAsync(mapped.Port), Is.EqualTo((LedgerTcpErrorCode.NotLeader, (string?)null)), "an election: no leader");

        follower.Leader = ReplicationEndpoint;
        Assert.That(await FirstCreateErrorAsync(mapped.Port), Is.EqualTo((LedgerTcpErrorCode.NotLeader, "[::1]:7002")), "IPv6 in brackets");

        await using var unmapped = new LedgerTcpServer(follower, new LedgerTcpServerOptions());
        await unmapped.StartAsync();
        Assert.That(await FirstCreateErrorAsync(unmapped.Port), Is.EqualTo((LedgerTcpErrorCode.NotLeader, (string?)null)), "replication endpoints are not client endpoints");
    }

    [TestCase("127.0.0.1:5000", "127.0.0.1", 5000)]
    [TestCase("[::1]:65535", "::1", 65535)]
    [TestCase("ledger-2.internal:1", "ledger-2.internal", 1)]
    public void Host_port_text_parses(string text, string host, int port)
    {
        Assert.That(HostPort.TryParse(text, out string h, out int p), Is.True);
        Assert.That((h, p), Is.EqualTo((host, port)));
        Assert.That(HostPort.Format(h, p), Is.EqualTo(text), "round trip");
    }

    [Test]
    public void Every_IP_endpoint_a_server_may_name_parses_back_to_the_same_address_and_port()
    {
        Gen<byte> octet = Gen.Choose(0, 255).Select(b => (byte)b);
        Gen<IPEndPoint> endpoints =
            from bytes in Gen.OneOf(Gen.ArrayOf(octet, 4), Gen.ArrayOf(octet, 16))
            from port in Gen.Choose(1, 65535)
            select new IPEndPoint(new IPAddress(bytes), port);
        int checkedEndpoints = 0;
        Prop.ForAll(endpoints.ToArbitrary(), endpoint =>
        {
            string text = HostPort.Format(endpoint)!;
            bool parsed = HostPort.TryParse(text, out string host, out int port);
            Interlocked.Increment(ref checkedEndpoints);
            return parsed && IPAddress.Parse(host).Equals(endpoint.Address) && port == endpoint.Port;
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(1000));
        Assert.That(checkedEndpoints, Is.GreaterThanOrEqualTo(1000));
    }

    [TestCase("")]
    [TestCase("host")]
    [TestCase(":5000")]
    [TestCase("host:0")]
    [TestCase("host:65536")]
    [TestCase("host:-1")]
    [TestCase("::1:5000")]
    [TestCase("a b:5000")]
    public void Bad_host_port_text_is_refused(string text) =>
        Assert.That(HostPort.TryParse(text, out _, out _), Is.False);

    private static async Task<(LedgerTcpErrorCode, string?)> FirstCreateErrorAsync(int port)
    {
        await using RawConnection raw = await RawConnection.ConnectAsync(port);
        await raw.SendAsync(TcpOperation.CreateTransfers, 9, (ref MessagePackWriter w) => w.WriteArrayHeader(0));
        (FrameHeader header, byte[] body) = await raw.ReadAsync();
        Assert.That(header.Operation, Is.EqualTo(TcpOperation.Error));
        Assert.That(Elements(body), Is.EqualTo(3));
        ErrorBody error = BodyCodec.ReadError(body);
        return (error.Code, error.Leader);
    }

    private static int Elements(byte[] body)
    {
        var reader = new SpanReader(body);
        return reader.ReadArrayHeader();
    }
}
