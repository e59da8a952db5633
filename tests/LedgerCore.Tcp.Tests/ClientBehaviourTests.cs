using LedgerCore.Tcp.Protocol;
using NUnit.Framework;

namespace LedgerCore.Tcp.Tests;

/// <summary>What the client does when the connection or the server misbehaves, and graceful stop.</summary>
public sealed class ClientBehaviourTests
{
    [Test]
    public async Task Connection_loss_fails_calls_in_flight_clearly_and_the_next_call_reconnects()
    {
        await using var server = new ScriptedServer(ledgerId: 5, async (connection, stream, reader) =>
        {
            using Frame? request = await reader.ReadAsync(CancellationToken.None);
            if (connection == 0) return; // first connection: cut while the request is in flight
            await ScriptedServer.EchoPingAsync(stream, request!);
            await reader.ReadAsync(CancellationToken.None);
        });

        await using LedgerTcpClient client = await LedgerTcpClient.ConnectAsync(new LedgerTcpClientOptions { Port = server.Port });
        LedgerTcpConnectionException lost = await Assert.ThrowsAsync<LedgerTcpConnectionException>(() => client.CreateTransfersAsync(new[] { new Transfer { Id = 1 } }));
        Assert.That(lost.Message, Does.Contain("outcome of requests in flight is unknown"));
        Assert.That(lost, Is.InstanceOf<IOException>());
        Assert.That(client.IsConnected, Is.False);

        Assert.That(await client.PingAsync(), Is.GreaterThan(TimeSpan.Zero));
        Assert.That(client.IsConnected, Is.True);
    }

    [Test]
    public async Task Without_auto_reconnect_a_lost_connection_stays_lost_until_reconnect_is_called()
    {
        await using var server = new ScriptedServer(ledgerId: 5, async (connection, stream, reader) =>
        {
            using Frame? request = await reader.ReadAsync(CancellationToken.None);
            if (connection == 0) return;
            await ScriptedServer.EchoPingAsync(stream, request!);
            await reader.ReadAsync(CancellationToken.None);
        });

        await using LedgerTcpClient client = await LedgerTcpClient.ConnectAsync(new LedgerTcpClientOptions { Port = server.Port, AutoReconnect = false });
        await Assert.ThrowsAsync<LedgerTcpConnectionException>(() => client.PingAsync());
        await Assert.ThrowsAsync<LedgerTcpConnectionException>(() => client.PingAsync());
        await client.ReconnectAsync();
        Assert.That(await client.PingAsync(), Is.GreaterThan(TimeSpan.Zero));
    }

    [Test]
    public async Task A_call_without_a_response_times_out_and_others_still_complete()
    {
        await using var server = new ScriptedServer(ledgerId: 5, async (_, stream, reader) =>
        {
            using Frame? ignored = await reader.ReadAsync(CancellationToken.None); // never answered
            using Frame? ping = await reader.ReadAsync(CancellationToken.None);
            await ScriptedServer.EchoPingAsync(stream, ping!);
            await reader.ReadAsync(CancellationToken.None);
        });

        await using LedgerTcpClient client = await LedgerTcpClient.ConnectAsync(new LedgerTcpClientOptions { Port = server.Port, RequestTimeout = TimeSpan.FromMilliseconds(300) });
        await Assert.ThrowsAsync<TimeoutException>(() => client.LookupAccountsAsync(new UInt128[] { 1 }));
        Assert.That(await client.PingAsync(), Is.GreaterThan(TimeSpan.Zero));
    }

    [Test]
    public async Task A_call_can_be_cancelled()
    {
        await using var server = new ScriptedServer(ledgerId: 5, async (_, _, reader) =>
        {
            await reader.ReadAsync(CancellationToken.None);
            await reader.ReadAsync(CancellationToken.None);
        });

        await using LedgerTcpClient client = await LedgerTcpClient.ConnectAsync(new LedgerTcpClientOptions { Port = server.Port });
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        Assert.That(async () => await client.LookupAccountsAsync(new UInt128[] { 1 }, cancel.Token), Throws.InstanceOf<OperationCanceledException>());
    }

    [Test]
    public async Task Backpressure_at_one_request_in_flight_still_answers_every_pipelined_call()
    {
        await using TestLedger ledger = await TestLedger.StartAsync(o => o.MaxInFlightPerConnection = 1);
        await using LedgerTcpClient client = await ledger.ConnectAsync();
        await client.CreateAccountsAsync(new[] { new Account { Id = 1, Ledger = 1, Code = 1 }, new Account { Id = 2, Ledger = 1, Code = 1 } });
        CreateTransfersResult[][] results = await Task.WhenAll(Enumerable.Range(0, 100).Select(i => client.CreateTransfersAsync(new[]
        {
            new Transfer { Id = (UInt128)(i + 1), DebitAccountId = 1, CreditAccountId = 2, Amount = 1, Ledger = 1, Code = 1 },
        })));
        Assert.That(results.All(r => r.Length == 0), Is.True);
        Assert.That(await client.LookupTransfersAsync(Enumerable.Range(1, 100).Select(i => (UInt128)i).ToArray()), Has.Length.EqualTo(100));
    }

    [Test]
    public async Task Graceful_stop_finishes_requests_in_flight_then_tells_the_client_it_is_shutting_down()
    {
        TestLedger ledger = await TestLedger.StartAsync();
        await using LedgerTcpClient client = await ledger.ConnectAsync(o => o.AutoReconnect = false);
        await client.CreateAccountsAsync(new[] { new Account { Id = 1, Ledger = 1, Code = 1 }, new Account { Id = 2, Ledger = 1, Code = 1 } });

        Task<CreateTransfersResult[]>[] inFlight = Enumerable.Range(0, 8).Select(b =>
        {
            var transfers = new Transfer[1000];
            for (int i = 0; i < transfers.Length; i++)
            {
                transfers[i] = new Transfer { Id = (UInt128)((b * 1000) + i + 1), DebitAccountId = 1, CreditAccountId = 2, Amount = 1, Ledger = 1, Code = 1 };
            }

            return client.CreateTransfersAsync(transfers);
        }).ToArray();
        await Task.Delay(20);
        await ledger.Server.StopAsync();

        // Every request the server read was answered; any it did not read failed as a lost connection.
        int answered = 0;
        foreach (Task<CreateTransfersResult[]> call in inFlight)
        {
            try
            {
                Assert.That(await call, Is.Empty);
                answered++;
            }
            catch (LedgerTcpConnectionException lost)
            {
                Assert.That(lost.Code, Is.EqualTo(LedgerTcpErrorCode.ShuttingDown).Or.EqualTo(LedgerTcpErrorCode.None));
            }
        }

        Assert.That(answered, Is.GreaterThan(0));
        LedgerTcpConnectionException after = await Assert.ThrowsAsync<LedgerTcpConnectionException>(() => client.PingAsync());
        Assert.That(after.Code, Is.EqualTo(LedgerTcpErrorCode.ShuttingDown));
        Transfer[] stored = await ledger.Engine.LookupTransfersAsync(Enumerable.Range(0, answered).Select(b => (UInt128)((b * 1000) + 1)).ToArray());
        Assert.That(stored, Has.Length.EqualTo(answered));
        await ledger.DisposeAsync();
    }

    [Test]
    public async Task Idle_connection_closed_by_the_server_is_replaced_on_the_next_call()
    {
        await using TestLedger ledger = await TestLedger.StartAsync(o => o.IdleTimeout = TimeSpan.FromMilliseconds(300));
        await using LedgerTcpClient client = await ledger.ConnectAsync();
        for (int i = 0; i < 100 && client.IsConnected; i++) await Task.Delay(20);
        Assert.That(client.IsConnected, Is.False);
        Assert.That(await client.PingAsync(), Is.GreaterThan(TimeSpan.Zero));
    }

    [Test]
    public async Task Requests_after_the_engine_is_closed_get_shutting_down_not_a_dropped_connection()
    {
        await using TestLedger ledger = await TestLedger.StartAsync();
        await using LedgerTcpClient client = await ledger.ConnectAsync();
        await ledger.Engine.DisposeAsync();

        LedgerTcpException refused = await Assert.ThrowsAsync<LedgerTcpException>(() => client.CreateAccountsAsync(new[] { new Account { Id = 1, Ledger = 1, Code = 1 } }));
        Assert.That(refused.Code, Is.EqualTo(LedgerTcpErrorCode.ShuttingDown));
        Assert.That(await client.PingAsync(), Is.GreaterThan(TimeSpan.Zero));
    }
}
