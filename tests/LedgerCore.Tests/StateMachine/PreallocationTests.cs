using NUnit.Framework;

namespace LedgerCore.Tests.StateMachine;

/// <summary>
/// Storage allocated up front changes performance only: the same batches give the same results and
/// digest with or without capacities, including past the capacities and through rolled-back chains.
/// </summary>
public class PreallocationTests
{
    [TestCase(0, 0)]
    [TestCase(10, 50)]
    [TestCase(1000, 100_000)]
    public void Preallocated_machine_behaves_exactly_like_a_growing_one(int accountCapacity, int transferCapacity)
    {
        var growing = new LedgerStateMachine();
        var preallocated = new LedgerStateMachine(accountCapacity, transferCapacity);
        var random = new Random(11);
        ulong timestamp = 0;

        var accounts = new Account[40];
        for (int i = 0; i < accounts.Length; i++)
        {
            accounts[i] = new Account { Id = (UInt128)(i + 1), Ledger = 1, Code = 1, Flags = i % 3 == 0 ? AccountFlags.DebitsMustNotExceedCredits : AccountFlags.History };
        }

        timestamp += 1000;
        Assert.That(preallocated.CreateAccounts(accounts, timestamp), Is.EqualTo(growing.CreateAccounts(accounts, timestamp)));

        for (int b = 0; b < 30; b++)
        {
            var batch = new Transfer[random.Next(1, 200)];
            for (int i = 0; i < batch.Length; i++)
            {
                ulong debit = (ulong)random.Next(1, 41);
                ulong credit = (ulong)random.Next(1, 41);
                batch[i] = new Transfer
                {
                    Id = (UInt128)random.Next(1, 3000), // collisions: Exists and failures too
                    DebitAccountId = debit,
                    CreditAccountId = credit,
                    Amount = (UInt128)random.Next(0, 50),
                    Ledger = 1,
                    Code = 1,
                    Flags = random.Next(6) == 0 && i < batch.Length - 1 ? TransferFlags.Linked : TransferFlags.None,
                };
            }

            timestamp += 1_000_000;
            Assert.That(preallocated.CreateTransfers(batch, timestamp), Is.EqualTo(growing.CreateTransfers(batch, timestamp)), $"batch {b}");
        }

        Assert.That(preallocated.TransferCount, Is.GreaterThan(100), "the workload must store enough transfers to pass the small capacities");
        Assert.That(preallocated.ComputeDigest(), Is.EqualTo(growing.ComputeDigest()));
    }

    [Test]
    public void Negative_capacity_is_refused()
    {
        Assert.That(() => new LedgerStateMachine(-1, 0), Throws.TypeOf<ArgumentOutOfRangeException>());
        Assert.That(() => new LedgerStateMachine(0, -1), Throws.TypeOf<ArgumentOutOfRangeException>());
        Assert.That(() => new LedgerOptions { DataDirectory = "x", TransferCapacity = -1 }.Validate(), Throws.TypeOf<ArgumentOutOfRangeException>());
        Assert.That(() => new LedgerOptions { DataDirectory = "x", AccountCapacity = -1 }.Validate(), Throws.TypeOf<ArgumentOutOfRangeException>());
    }
}
