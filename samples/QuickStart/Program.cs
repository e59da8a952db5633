using LedgerCore;

// The smallest use of LedgerCore: two accounts, one transfer, the balances.
// The state machine is deterministic: the caller supplies each batch's timestamp (nanoseconds).
var ledger = new LedgerStateMachine();
ulong now = 1_000_000_000;

CreateAccountsResult[] accountFailures = ledger.CreateAccounts(
[
    new Account { Id = 1, Ledger = 840, Code = 10 }, // e.g. a customer's USD wallet
    new Account { Id = 2, Ledger = 840, Code = 20 }, // e.g. the merchant's USD wallet
], now);

CreateTransfersResult[] transferFailures = ledger.CreateTransfers(
[
    new Transfer { Id = 100, DebitAccountId = 1, CreditAccountId = 2, Amount = 2_500, Ledger = 840, Code = 1 },
], now + 1_000);

foreach (var failure in accountFailures) Console.WriteLine($"account #{failure.Index}: {failure.Result}");
foreach (var failure in transferFailures) Console.WriteLine($"transfer #{failure.Index}: {failure.Result}");

foreach (Account account in ledger.LookupAccounts([1, 2]))
{
    Console.WriteLine($"account {account.Id}: debits {account.DebitsPosted}, credits {account.CreditsPosted}");
}

Console.WriteLine($"digest {ledger.ComputeDigest():x32}");
