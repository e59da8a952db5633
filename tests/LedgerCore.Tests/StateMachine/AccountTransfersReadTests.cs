using NUnit.Framework;
using static LedgerCore.Tests.StateMachine.TestLedger;

namespace LedgerCore.Tests.StateMachine;

/// <summary>
/// get_account_transfers (reference: requests/get_account_transfers.md, account-filter.md): one
/// account's transfers by side, in timestamp order or reversed, limited, within an inclusive timestamp
/// range, optionally by user data and code. An invalid filter returns nothing.
/// </summary>
public class AccountTransfersReadTests
{
    private const AccountFilterFlags Debits = AccountFilterFlags.Debits;
    private const AccountFilterFlags Credits = AccountFilterFlags.Credits;
    private const AccountFilterFlags Reversed = AccountFilterFlags.Reversed;

    [TestCase(Debits, new[] { 10, 12, 14 })]
    [TestCase(Credits, new[] { 11 })]
    [TestCase(Debits | Credits, new[] { 10, 11, 12, 14 })]
    [TestCase(Debits | Credits | Reversed, new[] { 14, 12, 11, 10 })]
    [TestCase(Credits | Reversed, new[] { 11 })]
    public void Sides_and_order(AccountFilterFlags flags, int[] expected)
    {
        var ledger = ReadLedger(out _);
        Assert.That(Ids(ledger.Machine.GetAccountTransfers(Filter() with { Flags = flags })), Is.EqualTo(expected));
    }

    [Test]
    public void Limit_takes_the_first_in_the_requested_order()
    {
        var ledger = ReadLedger(out _);
        Assert.That(Ids(ledger.Machine.GetAccountTransfers(Filter() with { Limit = 2 })), Is.EqualTo(new[] { 10, 11 }));
        Assert.That(Ids(ledger.Machine.GetAccountTransfers(Filter() with { Limit = 2, Flags = Debits | Credits | Reversed })), Is.EqualTo(new[] { 14, 12 }));
    }

    [Test]
    public void Timestamp_range_is_inclusive_and_zero_means_unbounded()
    {
        var ledger = ReadLedger(out var ts);
        Assert.That(Ids(ledger.Machine.GetAccountTransfers(Filter() with { TimestampMin = ts[11], TimestampMax = ts[12] })), Is.EqualTo(new[] { 11, 12 }));
        Assert.That(Ids(ledger.Machine.GetAccountTransfers(Filter() with { TimestampMin = ts[12] })), Is.EqualTo(new[] { 12, 14 }));
        Assert.That(Ids(ledger.Machine.GetAccountTransfers(Filter() with { TimestampMax = ts[11] })), Is.EqualTo(new[] { 10, 11 }));
        Assert.That(Ids(ledger.Machine.GetAccountTransfers(Filter() with { TimestampMin = ts[11] + 1, TimestampMax = ts[12] - 1 })), Is.Empty);
        Assert.That(Ids(ledger.Machine.GetAccountTransfers(Filter() with { TimestampMin = ts[12], TimestampMax = ts[12], Flags = Debits | Credits | Reversed })), Is.EqualTo(new[] { 12 }));
    }

    [Test]
    public void User_data_and_code_narrow_the_selection()
    {
        var ledger = ReadLedger(out _);
        Assert.That(Ids(ledger.Machine.GetAccountTransfers(Filter() with { Code = 2 })), Is.EqualTo(new[] { 11 }));
        Assert.That(Ids(ledger.Machine.GetAccountTransfers(Filter() with { UserData128 = 7 })), Is.EqualTo(new[] { 10, 14 }));
        Assert.That(Ids(ledger.Machine.GetAccountTransfers(Filter() with { UserData64 = 8 })), Is.EqualTo(new[] { 14 }));
        Assert.That(Ids(ledger.Machine.GetAccountTransfers(Filter() with { UserData32 = 9 })), Is.EqualTo(new[] { 12 }));
        Assert.That(Ids(ledger.Machine.GetAccountTransfers(Filter() with { UserData128 = 7, UserData64 = 8 })), Is.EqualTo(new[] { 14 }));
    }

    [Test]
    public void Unknown_account_gives_nothing()
    {
        var ledger = ReadLedger(out _);
        Assert.That(ledger.Machine.GetAccountTransfers(Filter() with { AccountId = 99 }), Is.Empty);
    }

    public static IEnumerable<TestCaseData> InvalidFilters()
    {
        yield return new TestCaseData(Filter() with { AccountId = 0 }).SetArgDisplayNames("account id 0");
        yield return new TestCaseData(Filter() with { AccountId = UInt128.MaxValue }).SetArgDisplayNames("account id max");
        yield return new TestCaseData(Filter() with { Limit = 0 }).SetArgDisplayNames("limit 0");
        yield return new TestCaseData(Filter() with { Flags = AccountFilterFlags.None }).SetArgDisplayNames("neither side");
        yield return new TestCaseData(Filter() with { Flags = Reversed }).SetArgDisplayNames("reversed, neither side");
        yield return new TestCaseData(Filter() with { Flags = Debits | (AccountFilterFlags)8 }).SetArgDisplayNames("unknown flag");
        yield return new TestCaseData(Filter() with { TimestampMin = 2, TimestampMax = 1 }).SetArgDisplayNames("min above max");
        yield return new TestCaseData(Filter() with { TimestampMin = ulong.MaxValue }).SetArgDisplayNames("min u64 max");
        yield return new TestCaseData(Filter() with { TimestampMax = ulong.MaxValue }).SetArgDisplayNames("max u64 max");
        // Reference: timestamps are 63-bit; a bound beyond that is invalid, not "everything".
        yield return new TestCaseData(Filter() with { TimestampMax = 1UL << 63 }).SetArgDisplayNames("max above 63 bits");
        yield return new TestCaseData(Filter() with { TimestampMin = 1UL << 63 }).SetArgDisplayNames("min above 63 bits");
    }

    [TestCaseSource(nameof(InvalidFilters))]
    public void Invalid_filter_gives_nothing(AccountFilter filter)
    {
        var ledger = ReadLedger(out _);
        Assert.That(ledger.Machine.GetAccountTransfers(filter), Is.Empty);
        Assert.That(ledger.Machine.GetAccountBalances(filter), Is.Empty);
    }

    private static AccountFilter Filter() => new() { AccountId = 1, Limit = 100, Flags = Debits | Credits };

    private static int[] Ids(Transfer[] transfers) => [.. transfers.Select(t => (int)t.Id)];

    /// <summary>
    /// Accounts 1 (History), 2, 4; one batch per transfer: 10: 1->2 (user data 128 = 7), 11: 2->1 (code 2),
    /// 12: 1->4 (user data 32 = 9), 13: 4->2, 14: 1->2 (user data 128 = 7, 64 = 8). <paramref name="ts"/>: id -> timestamp.
    /// </summary>
    private static TestLedger ReadLedger(out Dictionary<int, ulong> ts)
    {
        var ledger = new TestLedger();
        ledger.MustCreateAccounts(Acct(1, AccountFlags.History), Acct(2), Acct(4));
        ts = [];
        foreach (var t in new[]
        {
            Xfer(10, 1, 2, 1) with { UserData128 = 7 }, Xfer(11, 2, 1, 1) with { Code = 2 }, Xfer(12, 1, 4, 1) with { UserData32 = 9 },
            Xfer(13, 4, 2, 1), Xfer(14, 1, 2, 1) with { UserData128 = 7, UserData64 = 8 },
        })
        {
            ledger.MustCreateTransfers(t);
            ts[(int)t.Id] = ledger.Now;
        }

        return ledger;
    }
}
