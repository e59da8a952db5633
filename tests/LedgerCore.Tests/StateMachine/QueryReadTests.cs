using NUnit.Framework;
using static LedgerCore.Tests.StateMachine.TestLedger;

namespace LedgerCore.Tests.StateMachine;

/// <summary>
/// query_accounts / query_transfers (reference: requests/query_*.md, query-filter.md): every non-zero
/// field must match; timestamp order or reversed; limit; inclusive timestamp range. Invalid filters
/// return nothing.
/// </summary>
public class QueryReadTests
{
    public static IEnumerable<TestCaseData> AccountQueries()
    {
        yield return new TestCaseData(All(), new[] { 1, 2, 3, 4 }).SetArgDisplayNames("everything");
        yield return new TestCaseData(All() with { Ledger = 2 }, new[] { 3, 4 }).SetArgDisplayNames("ledger");
        yield return new TestCaseData(All() with { Code = 7 }, new[] { 2, 4 }).SetArgDisplayNames("code");
        yield return new TestCaseData(All() with { Ledger = 2, Code = 7 }, new[] { 4 }).SetArgDisplayNames("ledger and code");
        yield return new TestCaseData(All() with { UserData128 = 5 }, new[] { 1, 4 }).SetArgDisplayNames("user data 128");
        yield return new TestCaseData(All() with { UserData64 = 6 }, new[] { 2 }).SetArgDisplayNames("user data 64");
        yield return new TestCaseData(All() with { UserData32 = 8 }, new[] { 3 }).SetArgDisplayNames("user data 32");
        yield return new TestCaseData(All() with { UserData32 = 99 }, Array.Empty<int>()).SetArgDisplayNames("no match");
        yield return new TestCaseData(All() with { Flags = QueryFilterFlags.Reversed }, new[] { 4, 3, 2, 1 }).SetArgDisplayNames("reversed");
        yield return new TestCaseData(All() with { Limit = 3 }, new[] { 1, 2, 3 }).SetArgDisplayNames("limit");
        yield return new TestCaseData(All() with { Limit = 1, Flags = QueryFilterFlags.Reversed, Ledger = 1 }, new[] { 2 }).SetArgDisplayNames("limit reversed ledger");
        yield return new TestCaseData(All() with { Limit = 0 }, Array.Empty<int>()).SetArgDisplayNames("invalid: limit 0");
        yield return new TestCaseData(All() with { Flags = (QueryFilterFlags)2 }, Array.Empty<int>()).SetArgDisplayNames("invalid: unknown flag");
        yield return new TestCaseData(All() with { TimestampMin = 2, TimestampMax = 1 }, Array.Empty<int>()).SetArgDisplayNames("invalid: min above max");
        yield return new TestCaseData(All() with { TimestampMax = ulong.MaxValue }, Array.Empty<int>()).SetArgDisplayNames("invalid: max u64 max");
        yield return new TestCaseData(All() with { TimestampMax = 1UL << 63 }, Array.Empty<int>()).SetArgDisplayNames("invalid: max above 63 bits");
    }

    [TestCaseSource(nameof(AccountQueries))]
    public void Query_accounts(QueryFilter filter, int[] expected)
    {
        var ledger = QueryLedger(out _);
        Assert.That(ledger.Machine.QueryAccounts(filter).Select(a => (int)a.Id), Is.EqualTo(expected));
    }

    public static IEnumerable<TestCaseData> TransferQueries()
    {
        yield return new TestCaseData(All(), new[] { 10, 11, 12 }).SetArgDisplayNames("everything");
        yield return new TestCaseData(All() with { Ledger = 2 }, new[] { 12 }).SetArgDisplayNames("ledger");
        yield return new TestCaseData(All() with { Code = 3 }, new[] { 11, 12 }).SetArgDisplayNames("code");
        yield return new TestCaseData(All() with { UserData128 = 5, Code = 3 }, new[] { 12 }).SetArgDisplayNames("user data 128 and code");
        yield return new TestCaseData(All() with { UserData64 = 6 }, new[] { 10 }).SetArgDisplayNames("user data 64");
        yield return new TestCaseData(All() with { UserData32 = 8 }, new[] { 11 }).SetArgDisplayNames("user data 32");
        yield return new TestCaseData(All() with { Flags = QueryFilterFlags.Reversed, Limit = 2 }, new[] { 12, 11 }).SetArgDisplayNames("reversed limit");
        yield return new TestCaseData(All() with { Limit = 0 }, Array.Empty<int>()).SetArgDisplayNames("invalid: limit 0");
        yield return new TestCaseData(All() with { TimestampMin = 1UL << 63 }, Array.Empty<int>()).SetArgDisplayNames("invalid: min above 63 bits");
    }

    [TestCaseSource(nameof(TransferQueries))]
    public void Query_transfers(QueryFilter filter, int[] expected)
    {
        var ledger = QueryLedger(out _);
        Assert.That(ledger.Machine.QueryTransfers(filter).Select(t => (int)t.Id), Is.EqualTo(expected));
    }

    [Test]
    public void Timestamp_range_is_inclusive()
    {
        var ledger = QueryLedger(out var ts);
        var accounts = ledger.Machine.LookupAccounts([2, 3]);
        Assert.That(ledger.Machine.QueryAccounts(All() with { TimestampMin = accounts[0].Timestamp, TimestampMax = accounts[1].Timestamp })
            .Select(a => (int)a.Id), Is.EqualTo(new[] { 2, 3 }));
        Assert.That(ledger.Machine.QueryTransfers(All() with { TimestampMin = ts[1], TimestampMax = ts[1] }).Select(t => (int)t.Id), Is.EqualTo(new[] { 11 }));
        Assert.That(ledger.Machine.QueryTransfers(All() with { TimestampMin = ts[1] }).Select(t => (int)t.Id), Is.EqualTo(new[] { 11, 12 }));
        Assert.That(ledger.Machine.QueryTransfers(All() with { TimestampMax = ts[1] }).Select(t => (int)t.Id), Is.EqualTo(new[] { 10, 11 }));
    }

    [Test]
    public void Lookups_return_what_exists_in_request_order()
    {
        var ledger = QueryLedger(out _);
        Assert.That(ledger.Machine.LookupAccounts([3, 99, 1]).Select(a => (int)a.Id), Is.EqualTo(new[] { 3, 1 }));
        Assert.That(ledger.Machine.LookupTransfers([12, 99, 10]).Select(t => (int)t.Id), Is.EqualTo(new[] { 12, 10 }));
        Assert.That(() => ledger.Machine.LookupAccounts(new UInt128[LedgerStateMachine.BatchEventsMax + 1]), Throws.ArgumentException);
    }

    private static QueryFilter All() => new() { Limit = 100 };

    /// <summary>
    /// Accounts (one batch): 1 (ledger 1, code 1, ud128 5), 2 (ledger 1, code 7, ud64 6), 3 (ledger 2, code 1, ud32 8),
    /// 4 (ledger 2, code 7, ud128 5). Transfers (one batch each): 10 (ledger 1, code 1, ud64 6),
    /// 11 (ledger 1, code 3, ud32 8), 12 (ledger 2, code 3, ud128 5).
    /// </summary>
    private static TestLedger QueryLedger(out ulong[] ts)
    {
        var ledger = new TestLedger();
        ledger.MustCreateAccounts(
            Acct(1) with { UserData128 = 5 }, Acct(2) with { Code = 7, UserData64 = 6 },
            Acct(3, ledger: 2) with { UserData32 = 8 }, Acct(4, ledger: 2) with { Code = 7, UserData128 = 5 });
        var transfers = new[]
        {
            Xfer(10, 1, 2, 1) with { UserData64 = 6 }, Xfer(11, 2, 1, 1) with { Code = 3, UserData32 = 8 },
            Xfer(12, 3, 4, 1) with { Ledger = 2, Code = 3, UserData128 = 5 },
        };
        ts = new ulong[transfers.Length];
        for (int i = 0; i < transfers.Length; i++)
        {
            ledger.MustCreateTransfers(transfers[i]);
            ts[i] = ledger.Now;
        }

        return ledger;
    }

    [Test]
    public void A_full_page_allocates_little_more_than_its_result()
    {
        var machine = new LedgerStateMachine();
        machine.CreateAccounts([new Account { Id = 1, Ledger = 1, Code = 1 }, new Account { Id = 2, Ledger = 1, Code = 1 }], 10);
        ulong timestamp = 10;
        for (int b = 0; b < 3; b++)
        {
            var batch = new Transfer[LedgerStateMachine.BatchEventsMax];
            for (int i = 0; i < batch.Length; i++) batch[i] = new Transfer { Id = (ulong)((b * batch.Length) + i + 1), DebitAccountId = 1, CreditAccountId = 2, Amount = 1, Ledger = 1, Code = 1 };
            timestamp += 100_000;
            Assert.That(machine.CreateTransfers(batch, timestamp), Is.Empty);
        }

        var filter = new QueryFilter { Ledger = 1, Limit = LedgerStateMachine.BatchEventsMax };
        Assert.That(machine.QueryTransfers(filter), Has.Length.EqualTo(LedgerStateMachine.BatchEventsMax)); // warms the pool
        long before = GC.GetAllocatedBytesForCurrentThread();
        Transfer[] page = machine.QueryTransfers(filter);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        long result = (long)page.Length * System.Runtime.CompilerServices.Unsafe.SizeOf<Transfer>();
        // A list growing to 8190 and copied out allocated about three times the result.
        Assert.That(allocated, Is.LessThan(result + 4096), $"{allocated} bytes allocated for a {result}-byte page");
    }
}
