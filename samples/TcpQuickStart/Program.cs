using LedgerCore;
using LedgerCore.Tcp;

// A ledger on the network in one file: an engine over a temporary directory, a server in front of it
// on an ephemeral loopback port, and a client that creates accounts, transfers and reads them back.
string directory = Path.Combine(Path.GetTempPath(), $"ledgercore-tcp-quickstart-{Guid.NewGuid():N}");

await using (LedgerEngine engine = await LedgerEngine.OpenAsync(new LedgerOptions { DataDirectory = directory }))
await using (var server = new LedgerTcpServer(engine, new LedgerTcpServerOptions { Port = 0, AuthToken = "quickstart-secret" }))
{
    await server.StartAsync();
    Console.WriteLine($"server listening on 127.0.0.1:{server.Port}");

    await using LedgerTcpClient client = await LedgerTcpClient.ConnectAsync(new LedgerTcpClientOptions { Port = server.Port, AuthToken = "quickstart-secret" });
    Console.WriteLine($"connected to ledger {client.LedgerId:X32}, round trip {(await client.PingAsync()).TotalMicroseconds:F0} µs");

    // The same calls as the embedded engine; only failures come back.
    CreateAccountsResult[] accountFailures = await client.CreateAccountsAsync(new[]
    {
        new Account { Id = 1, Ledger = 840, Code = 10 }, // a customer's USD wallet
        new Account { Id = 2, Ledger = 840, Code = 20 }, // the merchant's USD wallet
    });
    Console.WriteLine(accountFailures.Length == 0 ? "accounts created" : $"account {accountFailures[0].Index} failed: {accountFailures[0].Result}");

    // Durable when the call returns. Resubmitting the same id after a lost connection answers Exists.
    CreateTransfersResult[] transferFailures = await client.CreateTransfersAsync(new[]
    {
        new Transfer { Id = 100, DebitAccountId = 1, CreditAccountId = 2, Amount = 2_500, Ledger = 840, Code = 1 },
    });
    Console.WriteLine(transferFailures.Length == 0 ? "transfer 100 committed" : $"transfer failed: {transferFailures[0].Result}");

    foreach (Account account in await client.LookupAccountsAsync(new UInt128[] { 1, 2 }))
    {
        Console.WriteLine($"account {account.Id}: debits {account.DebitsPosted}, credits {account.CreditsPosted}");
    }
}

Directory.Delete(directory, recursive: true);
