using System.Collections.Concurrent;

namespace LedgerCore.Tcp.Tests;

/// <summary>
/// A client that keeps creating transfers (and remembers every acknowledged id) while a test attacks
/// the server from other connections. <see cref="StopAsync"/> checks that it never failed, never lost
/// its connection, and that every acknowledged transfer is in the ledger.
/// </summary>
internal sealed class WellBehavedClient : IDisposable
{
    private readonly LedgerTcpClient _client;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentBag<UInt128> _acknowledged = [];
    private readonly Task _loop;
    private ulong _nextId;

    private WellBehavedClient(LedgerTcpClient client, ulong firstId)
    {
        _client = client;
        _nextId = firstId;
        _loop = Task.Run(LoopAsync);
    }

    public int Acknowledged => _acknowledged.Count;

    /// <summary>Connects, creates accounts 1 and 2 (idempotently) and starts the loop; ids start at <paramref name="firstId"/>.</summary>
    public static async Task<WellBehavedClient> StartAsync(TestLedger ledger, ulong firstId)
    {
        LedgerTcpClient client = await ledger.ConnectAsync();
        await client.CreateAccountsAsync(new[] { new Account { Id = 1, Ledger = 1, Code = 1 }, new Account { Id = 2, Ledger = 1, Code = 1 } });
        return new WellBehavedClient(client, firstId);
    }

    /// <summary>Stops the loop and returns a description of what went wrong, or null.</summary>
    public async Task<string?> StopAsync()
    {
        await _stop.CancelAsync();
        string? failure = null;
        try
        {
            await _loop;
        }
#pragma warning disable CA1031 // The failure is reported as the test's message.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            failure = $"the well-behaved client failed: {ex}";
        }

        if (failure is null && !_client.IsConnected) failure = "the well-behaved client lost its connection";
        if (failure is null)
        {
            UInt128[] ids = [.. _acknowledged];
            for (int i = 0; i < ids.Length; i += LedgerOptions.BatchEventsMax)
            {
                int count = Math.Min(LedgerOptions.BatchEventsMax, ids.Length - i);
                Transfer[] found = await _client.LookupTransfersAsync(ids.AsMemory(i, count));
                if (found.Length != count) failure = $"{count - found.Length} acknowledged transfers are missing";
            }
        }

        await _client.DisposeAsync();
        return failure;
    }

    public void Dispose() => _stop.Dispose();

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var transfers = new Transfer[8];
            for (int i = 0; i < transfers.Length; i++)
            {
                transfers[i] = new Transfer { Id = _nextId++, DebitAccountId = 1, CreditAccountId = 2, Amount = 1, Ledger = 1, Code = 1 };
            }

            CreateTransfersResult[] failures = await _client.CreateTransfersAsync(transfers);
            if (failures.Length != 0) throw new InvalidOperationException($"transfer {failures[0].Index} failed: {failures[0].Result}");
            foreach (Transfer transfer in transfers) _acknowledged.Add(transfer.Id);
            try
            {
                await Task.Delay(50, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
