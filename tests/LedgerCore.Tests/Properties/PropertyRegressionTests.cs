using NUnit.Framework;

namespace LedgerCore.Tests.Properties;

/// <summary>Focused regressions for the state-machine bugs the properties found (shrunk counterexamples).</summary>
public class PropertyRegressionTests
{
    private const ulong Second = 1_000_000_000;

    [Test]
    public void Expiring_a_pending_transfer_releases_it_instead_of_throwing()
    {
        // Was: OverflowException from a checked cast of the expiry key at the start of the next batch,
        // after the queue entry had been dequeued, so the pending amount was never released.
        var machine = OpenTwoAccounts();
        Assert.That(machine.CreateTransfers([Pending(10, amount: 5, timeout: 1)], 2 * Second), Is.Empty);

        var results = machine.CreateTransfers([Post(11, pendingId: 10)], 4 * Second);

        Assert.That(results, Is.EqualTo(new[] { new CreateTransfersResult(0, CreateTransferResult.PendingTransferExpired) }));
        Assert.That(machine.LookupAccounts([1, 2]).Select(a => a.DebitsPending + a.CreditsPending), Is.All.EqualTo(UInt128.Zero));
    }

    [Test]
    public void A_closed_account_accepts_voids_but_refuses_posts_even_of_its_closing_transfer()
    {
        // Was: a void of an ordinary pending transfer in an account closed by another one got
        // DebitAccountAlreadyClosed, and the closing transfer itself could be posted. The reference:
        // "the only movement allowed in a closed account is voiding a pending transfer".
        var machine = OpenTwoAccounts();
        Assert.That(machine.CreateTransfers([Pending(10, amount: 5), Pending(11, amount: 7, TransferFlags.ClosingDebit)], 2 * Second), Is.Empty);
        Assert.That(machine.LookupAccounts([1])[0].Flags & AccountFlags.Closed, Is.EqualTo(AccountFlags.Closed));

        var results = machine.CreateTransfers([Void(12, pendingId: 10), Post(13, pendingId: 11)], 3 * Second);

        Assert.That(results, Is.EqualTo(new[] { new CreateTransfersResult(1, CreateTransferResult.DebitAccountAlreadyClosed) }));
        Assert.That(machine.CreateTransfers([Void(14, pendingId: 11)], 4 * Second), Is.Empty);
        Account debit = machine.LookupAccounts([1])[0];
        Assert.That(debit.Flags & AccountFlags.Closed, Is.EqualTo(AccountFlags.None));
        Assert.That(debit.DebitsPending + debit.DebitsPosted, Is.EqualTo(UInt128.Zero));
    }

    [Test]
    public void An_imported_event_may_not_take_the_timestamp_of_an_object_of_the_other_kind()
    {
        // Was: only the last object of the same kind was checked, so an imported transfer could share an
        // account's timestamp and vice versa. The reference: "no two objects can have the same
        // timestamp, even different objects like an Account and a Transfer".
        var machine = new LedgerStateMachine();
        Assert.That(machine.CreateAccounts([new Account { Id = 1, Ledger = 1, Code = 1 }, new Account { Id = 2, Ledger = 1, Code = 1 }, new Account { Id = 3, Ledger = 1, Code = 1 }], 100), Is.Empty);
        ulong third = machine.LookupAccounts([3])[0].Timestamp;
        var importedTransfer = new Transfer { Id = 10, DebitAccountId = 1, CreditAccountId = 2, Amount = 1, Ledger = 1, Code = 1, Flags = TransferFlags.Imported, Timestamp = third };

        Assert.That(machine.CreateTransfers([importedTransfer], 200),
            Is.EqualTo(new[] { new CreateTransfersResult(0, CreateTransferResult.ImportedEventTimestampMustNotRegress) }));

        Assert.That(machine.CreateTransfers([new Transfer { Id = 11, DebitAccountId = 1, CreditAccountId = 2, Amount = 1, Ledger = 1, Code = 1 }], 300), Is.Empty);
        ulong transfer = machine.LookupTransfers([11])[0].Timestamp;
        var importedAccount = new Account { Id = 4, Ledger = 1, Code = 1, Flags = AccountFlags.Imported, Timestamp = transfer };
        Assert.That(machine.CreateAccounts([importedAccount], 400),
            Is.EqualTo(new[] { new CreateAccountsResult(0, CreateAccountResult.ImportedEventTimestampMustNotRegress) }));
        Assert.That(machine.CreateAccounts([importedAccount with { Timestamp = transfer + 1 }], 500), Is.Empty);
    }

    [Test]
    public void A_retried_post_gets_exists_only_when_it_would_store_the_same_transfer()
    {
        // Was: Exists for a retry with the "whole amount" sentinel after a partial post, and for a
        // retry leaving user data to inherit after a post that stated its own. The reference compares
        // what the retry would store (its inherited values) with what was stored.
        var machine = OpenTwoAccounts();
        Assert.That(machine.CreateTransfers([Pending(10, amount: 10) with { UserData64 = 5 }], 2 * Second), Is.Empty);
        Transfer post = Post(11, pendingId: 10) with { Amount = 4, UserData64 = 7 };
        Assert.That(machine.CreateTransfers([post], 3 * Second), Is.Empty);

        var results = machine.CreateTransfers([post, post with { Amount = UInt128.MaxValue }, post with { UserData64 = 0 }], 4 * Second);

        Assert.That(results, Is.EqualTo(new[]
        {
            new CreateTransfersResult(0, CreateTransferResult.Exists),
            new CreateTransfersResult(1, CreateTransferResult.ExistsWithDifferentAmount),
            new CreateTransfersResult(2, CreateTransferResult.ExistsWithDifferentUserData64),
        }));
    }

    private static LedgerStateMachine OpenTwoAccounts()
    {
        var machine = new LedgerStateMachine();
        Assert.That(machine.CreateAccounts([new Account { Id = 1, Ledger = 1, Code = 1 }, new Account { Id = 2, Ledger = 1, Code = 1 }], Second), Is.Empty);
        return machine;
    }

    private static Transfer Pending(ulong id, ulong amount, TransferFlags flags = TransferFlags.None, uint timeout = 0) => new()
    {
        Id = id,
        DebitAccountId = 1,
        CreditAccountId = 2,
        Amount = amount,
        Ledger = 1,
        Code = 1,
        Timeout = timeout,
        Flags = TransferFlags.Pending | flags,
    };

    private static Transfer Post(ulong id, ulong pendingId) =>
        new() { Id = id, PendingId = pendingId, Amount = UInt128.MaxValue, Flags = TransferFlags.PostPendingTransfer };

    private static Transfer Void(ulong id, ulong pendingId) =>
        new() { Id = id, PendingId = pendingId, Flags = TransferFlags.VoidPendingTransfer };
}
