using NUnit.Framework;

namespace LedgerCore.Tests.StateMachine;

public class SmokeTests
{
    [Test]
    public void Transfer_moves_money_between_two_accounts()
    {
        var m = new LedgerStateMachine();
        var created = m.CreateAccounts(new[]
        {
            new Account { Id = 1, Ledger = 1, Code = 1 },
            new Account { Id = 2, Ledger = 1, Code = 1 },
        }, 10);
        Assert.That(created, Is.Empty);
        var results = m.CreateTransfers(new[] { new Transfer { Id = 7, DebitAccountId = 1, CreditAccountId = 2, Amount = 100, Ledger = 1, Code = 1 } }, 20);
        Assert.That(results, Is.Empty);
        var accounts = m.LookupAccounts(new UInt128[] { 1, 2 });
        Assert.That(accounts[0].DebitsPosted, Is.EqualTo((UInt128)100));
        Assert.That(accounts[1].CreditsPosted, Is.EqualTo((UInt128)100));
    }
}
