using NUnit.Framework;
using static LedgerCore.Tests.StateMachine.TestLedger;

namespace LedgerCore.Tests.StateMachine;

/// <summary>
/// get_account_balances (reference: requests/get_account_balances.md, account-balance.md): an account
/// with the History flag keeps its balances after every transfer that touched it; others keep none.
/// </summary>
public class HistoryBalancesTests
{
    private const AccountFilterFlags Both = AccountFilterFlags.Debits | AccountFilterFlags.Credits;

    [Test]
    public void One_snapshot_per_transfer_for_history_accounts_only()
    {
        var ledger = HistoryLedger(out ulong[] ts);

        var balances = ledger.Machine.GetAccountBalances(Filter(5));

        Assert.That(balances, Is.EqualTo(new[]
        {
            new AccountBalance(0, 0, 0, 100, ts[0]),   // 1 -> 5: 100 posted
            new AccountBalance(30, 0, 0, 100, ts[1]),  // 5 -> 2: 30 pending
            new AccountBalance(0, 20, 0, 100, ts[2]),  // post 20 of it, 10 released
            new AccountBalance(0, 25, 0, 100, ts[3]),  // 5 -> 2: 5 posted
        }));
        Assert.That(ledger.Machine.GetAccountBalances(Filter(1)), Is.Empty, "account 1 has no History flag");
        Assert.That(ledger.Machine.GetAccountBalances(Filter(2)), Is.Empty);
        Assert.That(ledger.Machine.GetAccountTransfers(Filter(2)), Has.Length.EqualTo(3), "transfers of account 2 are still listed");
    }

    [Test]
    public void Snapshots_follow_the_transfer_filter()
    {
        var ledger = HistoryLedger(out ulong[] ts);

        Assert.That(ledger.Machine.GetAccountBalances(Filter(5) with { Flags = AccountFilterFlags.Credits }).Select(b => b.Timestamp),
            Is.EqualTo(new[] { ts[0] }));
        Assert.That(ledger.Machine.GetAccountBalances(Filter(5) with { Flags = AccountFilterFlags.Debits }).Select(b => b.Timestamp),
            Is.EqualTo(new[] { ts[1], ts[2], ts[3] }));
        Assert.That(ledger.Machine.GetAccountBalances(Filter(5) with { Flags = Both | AccountFilterFlags.Reversed, Limit = 2 }).Select(b => b.Timestamp),
            Is.EqualTo(new[] { ts[3], ts[2] }));
        Assert.That(ledger.Machine.GetAccountBalances(Filter(5) with { TimestampMin = ts[1], TimestampMax = ts[2] }).Select(b => b.Timestamp),
            Is.EqualTo(new[] { ts[1], ts[2] }));
    }

    [Test]
    public void Invalid_filter_or_unknown_account_gives_no_balances()
    {
        var ledger = HistoryLedger(out _);
        Assert.That(ledger.Machine.GetAccountBalances(Filter(99)), Is.Empty);
        Assert.That(ledger.Machine.GetAccountBalances(Filter(5) with { Limit = 0 }), Is.Empty);
        Assert.That(ledger.Machine.GetAccountBalances(Filter(5) with { Flags = AccountFilterFlags.Reversed }), Is.Empty);
    }

    [Test]
    public void Expiry_adds_no_snapshot_but_releases_the_balance()
    {
        var ledger = WithAccounts();
        ledger.MustCreateAccounts(Acct(5, AccountFlags.History));
        ledger.MustCreateTransfers(Xfer(10, 5, 2, 30, TransferFlags.Pending) with { Timeout = 1 });
        ledger.Advance(Second);
        ledger.MustCreateTransfers(Xfer(11, 1, 2, 1));

        Assert.That(ledger.Machine.GetAccountBalances(Filter(5)), Has.Length.EqualTo(1));
        Assert.That(ledger.Account(5).DebitsPending, Is.EqualTo(UInt128.Zero));
    }

    private static AccountFilter Filter(UInt128 accountId) => new() { AccountId = accountId, Limit = 100, Flags = Both };

    /// <summary>History account 5; four transfers touching it, one batch each (timestamps in <paramref name="ts"/>).</summary>
    private static TestLedger HistoryLedger(out ulong[] ts)
    {
        var ledger = WithAccounts();
        ledger.MustCreateAccounts(Acct(5, AccountFlags.History));
        var transfers = new[]
        {
            Xfer(10, 1, 5, 100), Xfer(11, 5, 2, 30, TransferFlags.Pending), Post(12, 11, 20), Xfer(13, 5, 2, 5),
        };
        ts = new ulong[transfers.Length];
        for (int i = 0; i < transfers.Length; i++)
        {
            ledger.MustCreateTransfers(transfers[i]);
            ts[i] = ledger.Now;
        }

        return ledger;
    }
}
