using NUnit.Framework;
using static LedgerCore.Tests.StateMachine.TestLedger;
using static LedgerCore.Tests.StateMachine.TwoPhaseRecipeTests;

namespace LedgerCore.Tests.StateMachine;

/// <summary>
/// Currency exchange (reference: recipes/currency-exchange.md): a transfer cannot cross ledgers, so
/// the exchange is two linked transfers through a liquidity account on each ledger.
/// </summary>
public class CurrencyExchangeRecipeTests
{
    private const uint Usd = 1, Inr = 2;
    private static readonly UInt128 A1 = 1, L1 = 2, L2 = 3, A2 = 4, Bank = 5;

    [Test]
    public void Linked_transfers_exchange_across_ledgers_with_a_fee()
    {
        var ledger = ExchangeLedger();
        var results = ledger.CreateTransfers(
            Transfer(10, A1, L1, 10_000, Usd, TransferFlags.Linked),
            Transfer(11, A1, L1, 10, Usd, TransferFlags.Linked), // the spread/fee
            Transfer(12, L2, A2, 824_214, Inr, TransferFlags.None));
        Assert.That(results, Is.Empty);

        AssertBalances(ledger.Account(A1), debitsPending: 0, debitsPosted: 10_010, creditsPending: 0, creditsPosted: 20_000);
        Assert.That(ledger.Account(L1).CreditsPosted, Is.EqualTo((UInt128)10_010));
        Assert.That(ledger.Account(L2).DebitsPosted, Is.EqualTo((UInt128)824_214));
        Assert.That(ledger.Account(A2).CreditsPosted, Is.EqualTo((UInt128)824_214));
    }

    [Test]
    public void Either_leg_failing_fails_both()
    {
        var ledger = ExchangeLedger();
        var before = ledger.Machine.ComputeDigest();

        // The INR liquidity account may not go negative and holds only 1 000 000.
        var results = ledger.CreateTransfers(
            Transfer(10, A1, L1, 10_000, Usd, TransferFlags.Linked),
            Transfer(12, L2, A2, 1_000_001, Inr, TransferFlags.None));

        Assert.That(results, Is.EqualTo(new[]
        {
            new CreateTransfersResult(0, CreateTransferResult.LinkedEventFailed),
            new CreateTransfersResult(1, CreateTransferResult.ExceedsCredits),
        }));
        Assert.That(ledger.Account(A1).DebitsPosted, Is.EqualTo(UInt128.Zero));
        Assert.That(ledger.Machine.LookupTransfers([10, 12]), Is.Empty);

        // Only the reservation of the failed id (ExceedsCredits is transient) changed the state.
        Assert.That(ledger.Create(Transfer(12, L2, A2, 1, Inr, TransferFlags.None)), Is.EqualTo(CreateTransferResult.IdAlreadyFailed));
        Assert.That(ledger.Machine.ComputeDigest(), Is.Not.EqualTo(before));
    }

    [Test]
    public void A_single_transfer_cannot_cross_ledgers()
    {
        var ledger = ExchangeLedger();
        Assert.That(ledger.Create(Transfer(10, A1, A2, 1, Usd, TransferFlags.None)), Is.EqualTo(CreateTransferResult.AccountsMustHaveTheSameLedger));
    }

    private static Transfer Transfer(UInt128 id, UInt128 debit, UInt128 credit, UInt128 amount, uint ledger, TransferFlags flags) =>
        Xfer(id, debit, credit, amount, flags) with { Ledger = ledger };

    /// <summary>A1 (USD, holds 20 000), liquidity L1 (USD) and L2 (INR, holds 1 000 000, may not go negative), A2 (INR).</summary>
    private static TestLedger ExchangeLedger()
    {
        var ledger = new TestLedger();
        ledger.MustCreateAccounts(
            Acct(A1, ledger: Usd), Acct(L1, ledger: Usd), Acct(Bank, ledger: Usd),
            Acct(L2, AccountFlags.DebitsMustNotExceedCredits, ledger: Inr), Acct(A2, ledger: Inr), Acct(6, ledger: Inr));
        ledger.MustCreateTransfers(Transfer(100, Bank, A1, 20_000, Usd, TransferFlags.None), Transfer(101, 6, L2, 1_000_000, Inr, TransferFlags.None));
        return ledger;
    }
}
