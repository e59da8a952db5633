using NUnit.Framework;
using static LedgerCore.Tests.StateMachine.TestLedger;

namespace LedgerCore.Tests.StateMachine;

/// <summary>Two-phase transfers (reference: docs/coding/two-phase-transfers.md): reserve, then post or void.</summary>
public class TwoPhaseRecipeTests
{
    [Test]
    public void Pending_reserves_without_posting()
    {
        var ledger = Reserved(out _);
        AssertBalances(ledger.Account(1), debitsPending: 100, debitsPosted: 0, creditsPending: 0, creditsPosted: 0);
        AssertBalances(ledger.Account(2), debitsPending: 0, debitsPosted: 0, creditsPending: 100, creditsPosted: 0);
    }

    [Test]
    public void Post_moves_the_pending_amount_to_posted()
    {
        var ledger = Reserved(out _);
        Assert.That(ledger.Create(Post(30, 20, 100)), Is.EqualTo(CreateTransferResult.Ok));
        AssertBalances(ledger.Account(1), debitsPending: 0, debitsPosted: 100, creditsPending: 0, creditsPosted: 0);
        AssertBalances(ledger.Account(2), debitsPending: 0, debitsPosted: 0, creditsPending: 0, creditsPosted: 100);

        // The post inherits accounts, ledger, code and (when zero) user data from the pending transfer.
        var post = ledger.Transfer(30);
        Assert.That((post.DebitAccountId, post.CreditAccountId, post.Ledger, post.Code, post.UserData64, post.Amount, post.PendingId),
            Is.EqualTo(((UInt128)1, (UInt128)2, 1u, (ushort)1, 77UL, (UInt128)100, (UInt128)20)));
    }

    [Test]
    public void Void_releases_the_pending_amount()
    {
        var ledger = Reserved(out _);
        Assert.That(ledger.Create(Void(30, 20)), Is.EqualTo(CreateTransferResult.Ok));
        AssertBalances(ledger.Account(1), debitsPending: 0, debitsPosted: 0, creditsPending: 0, creditsPosted: 0);
        AssertBalances(ledger.Account(2), debitsPending: 0, debitsPosted: 0, creditsPending: 0, creditsPosted: 0);
        Assert.That(ledger.Transfer(30).Amount, Is.EqualTo((UInt128)100), "a void with amount 0 records the pending amount");
    }

    [Test]
    public void Void_may_state_the_exact_pending_amount()
    {
        var ledger = Reserved(out _);
        Assert.That(ledger.Create(Void(30, 20) with { Amount = 100 }), Is.EqualTo(CreateTransferResult.Ok));
        Assert.That(ledger.Account(1).DebitsPending, Is.EqualTo(UInt128.Zero));
    }

    [Test]
    public void Partial_post_posts_that_much_and_releases_the_rest()
    {
        var ledger = Reserved(out _);
        Assert.That(ledger.Create(Post(30, 20, 60)), Is.EqualTo(CreateTransferResult.Ok));
        AssertBalances(ledger.Account(1), debitsPending: 0, debitsPosted: 60, creditsPending: 0, creditsPosted: 0);
        AssertBalances(ledger.Account(2), debitsPending: 0, debitsPosted: 0, creditsPending: 0, creditsPosted: 60);
        Assert.That(ledger.Transfer(30).Amount, Is.EqualTo((UInt128)60));

        // The remaining 40 is released, not left pending: a second post finds the transfer resolved.
        Assert.That(ledger.Create(Post(31, 20, 40)), Is.EqualTo(CreateTransferResult.PendingTransferAlreadyPosted));
    }

    [Test]
    public void Post_of_zero_posts_nothing_and_releases_everything()
    {
        var ledger = Reserved(out _);
        Assert.That(ledger.Create(Post(30, 20, 0)), Is.EqualTo(CreateTransferResult.Ok));
        AssertBalances(ledger.Account(1), debitsPending: 0, debitsPosted: 0, creditsPending: 0, creditsPosted: 0);
    }

    [Test]
    public void Post_of_amount_max_posts_the_full_pending_amount()
    {
        var ledger = Reserved(out _);
        Assert.That(ledger.Create(Post(30, 20, UInt128.MaxValue)), Is.EqualTo(CreateTransferResult.Ok));
        AssertBalances(ledger.Account(1), debitsPending: 0, debitsPosted: 100, creditsPending: 0, creditsPosted: 0);
        Assert.That(ledger.Transfer(30).Amount, Is.EqualTo((UInt128)100), "the stored post records the actual amount");
    }

    [Test]
    public void Post_keeps_its_own_user_data_when_given()
    {
        var ledger = Reserved(out _);
        Assert.That(ledger.Create(Post(30, 20, 100) with { UserData64 = 5 }), Is.EqualTo(CreateTransferResult.Ok));
        Assert.That(ledger.Transfer(30).UserData64, Is.EqualTo(5UL));
    }

    [Test]
    public void Pending_transfer_resolves_at_most_once()
    {
        var ledger = Reserved(out _);
        ledger.MustCreateTransfers(Post(30, 20, 100));
        Assert.That(ledger.Create(Post(31, 20, 100)), Is.EqualTo(CreateTransferResult.PendingTransferAlreadyPosted));
        Assert.That(ledger.Create(Void(32, 20)), Is.EqualTo(CreateTransferResult.PendingTransferAlreadyPosted));
        Assert.That(ledger.Account(1).DebitsPosted, Is.EqualTo((UInt128)100));
    }

    /// <summary>Accounts 1 and 2; pending transfer 20 of 100 from 1 to 2 with user data 77.</summary>
    private static TestLedger Reserved(out Transfer pending)
    {
        var ledger = WithAccounts();
        pending = Xfer(20, 1, 2, 100, TransferFlags.Pending) with { UserData64 = 77 };
        ledger.MustCreateTransfers(pending);
        return ledger;
    }

    internal static void AssertBalances(Account a, ulong debitsPending, ulong debitsPosted, ulong creditsPending, ulong creditsPosted) =>
        Assert.That((a.DebitsPending, a.DebitsPosted, a.CreditsPending, a.CreditsPosted),
            Is.EqualTo(((UInt128)debitsPending, (UInt128)debitsPosted, (UInt128)creditsPending, (UInt128)creditsPosted)),
            $"account {a.Id}: (debits pending, debits posted, credits pending, credits posted)");
}
