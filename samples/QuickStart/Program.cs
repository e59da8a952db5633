using LedgerCore;

// The smallest embedding: open a durable ledger, create two accounts, transfer, restart, read balances.
string directory = args.Length > 0 ? args[0] : Path.Combine(Path.GetTempPath(), "ledgercore-quickstart");

await using (LedgerEngine ledger = await LedgerEngine.OpenAsync(new LedgerOptions { DataDirectory = directory }))
{
    // Creation is idempotent: on a second run these answer Exists, which is fine.
    await ledger.CreateAccountsAsync(new[]
    {
        new Account { Id = 1, Ledger = 840, Code = 10 }, // a customer's USD wallet
        new Account { Id = 2, Ledger = 840, Code = 20 }, // the merchant's USD wallet
    });

    // Each run moves 25.00 with a new transfer id; the call returns once the transfer is on disk.
    var transferId = (UInt128)(ulong)DateTime.UtcNow.Ticks;
    CreateTransfersResult[] failures = await ledger.CreateTransfersAsync(new[]
    {
        new Transfer { Id = transferId, DebitAccountId = 1, CreditAccountId = 2, Amount = 2_500, Ledger = 840, Code = 1 },
    });
    Console.WriteLine(failures.Length == 0 ? $"transfer {transferId} committed" : $"transfer failed: {failures[0].Result}");
}

// Restart: recovery replays the journal into exactly the state that was acknowledged.
await using (LedgerEngine ledger = await LedgerEngine.OpenAsync(new LedgerOptions { DataDirectory = directory }))
{
    Console.WriteLine($"recovered {ledger.Recovery.RecordsReplayed} batches in {ledger.Recovery.Duration.TotalMilliseconds:F0} ms");
    foreach (Account account in await ledger.LookupAccountsAsync(new UInt128[] { 1, 2 }))
    {
        Console.WriteLine($"account {account.Id}: debits {account.DebitsPosted}, credits {account.CreditsPosted}");
    }
}
