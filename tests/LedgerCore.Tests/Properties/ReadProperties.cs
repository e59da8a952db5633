using NUnit.Framework;

namespace LedgerCore.Tests.Properties;

/// <summary>
/// Property 8: the indexed reads agree with brute force — every known id looked up, filtered by the
/// documented rules, sorted by timestamp, reversed, limited — after every batch.
/// </summary>
public class ReadProperties
{
    [Test]
    public void Reads_match_brute_force_filters_over_every_stored_object() =>
        LedgerHarness.Check(LedgerGenerators.ReadCases(), c =>
        {
            var machine = new LedgerStateMachine();
            var model = new LedgerModel();
            foreach (LedgerBatch batch in WorkloadBuilder.Build(c.Workload))
            {
                model.Observe(machine, batch, LedgerHarness.Apply(machine, batch));
                var accounts = LedgerHarness.Accounts(machine).Values.OrderBy(a => a.Timestamp).ToList();
                var transfers = LedgerHarness.Transfers(machine).Values.OrderBy(t => t.Timestamp).ToList();
                var transferTimes = transfers.Select(t => t.Timestamp).ToList();
                var accountTimes = accounts.Select(a => a.Timestamp).ToList();

                foreach (AccountFilterSpec spec in c.AccountFilters)
                {
                    AccountFilter filter = ToFilter(spec, transferTimes);
                    var expected = ExpectedTransfers(filter, transfers);
                    var actual = machine.GetAccountTransfers(filter);
                    PropertyFailedException.Unless(actual.SequenceEqual(expected),
                        () => $"after batch {batch.Index}, GetAccountTransfers({spec}) returned [{string.Join(", ", actual.Select(t => t.Id))}], brute force [{string.Join(", ", expected.Select(t => t.Id))}]");

                    bool history = accounts.Any(a => a.Id == filter.AccountId && (a.Flags & AccountFlags.History) != 0);
                    var expectedBalances = history ? expected.Select(t => model.History(filter.AccountId)[t.Timestamp]).ToList() : [];
                    var actualBalances = machine.GetAccountBalances(filter);
                    PropertyFailedException.Unless(actualBalances.SequenceEqual(expectedBalances),
                        () => $"after batch {batch.Index}, GetAccountBalances({spec}) returned [{string.Join(", ", actualBalances)}], brute force [{string.Join(", ", expectedBalances)}]");
                }

                foreach (QueryFilterSpec spec in c.QueryFilters)
                {
                    var expectedAccounts = Query(ToFilter(spec, accountTimes), accounts, a => (a.UserData128, a.UserData64, a.UserData32, a.Ledger, a.Code, a.Timestamp));
                    var actualAccounts = machine.QueryAccounts(ToFilter(spec, accountTimes));
                    PropertyFailedException.Unless(actualAccounts.SequenceEqual(expectedAccounts),
                        () => $"after batch {batch.Index}, QueryAccounts({spec}) returned [{string.Join(", ", actualAccounts.Select(a => a.Id))}], brute force [{string.Join(", ", expectedAccounts.Select(a => a.Id))}]");

                    var expectedTransfers = Query(ToFilter(spec, transferTimes), transfers, t => (t.UserData128, t.UserData64, t.UserData32, t.Ledger, t.Code, t.Timestamp));
                    var actualTransfers = machine.QueryTransfers(ToFilter(spec, transferTimes));
                    PropertyFailedException.Unless(actualTransfers.SequenceEqual(expectedTransfers),
                        () => $"after batch {batch.Index}, QueryTransfers({spec}) returned [{string.Join(", ", actualTransfers.Select(t => t.Id))}], brute force [{string.Join(", ", expectedTransfers.Select(t => t.Id))}]");
                }
            }
        }, cases: 500);

    private static ulong Bound(int pick, int nudge, List<ulong> times) =>
        pick < 0 || times.Count == 0 ? 0 : (ulong)((long)times[pick % times.Count] + nudge);

    private static AccountFilter ToFilter(AccountFilterSpec s, List<ulong> times) => new()
    {
        AccountId = (UInt128)s.AccountId,
        UserData128 = (UInt128)s.UserData128,
        UserData64 = (ulong)s.UserData64,
        UserData32 = (uint)s.UserData32,
        Code = s.Code,
        TimestampMin = Bound(s.MinPick, s.MinNudge, times),
        TimestampMax = Bound(s.MaxPick, s.MaxNudge, times),
        Limit = s.Limit,
        Flags = s.Flags,
    };

    private static QueryFilter ToFilter(QueryFilterSpec s, List<ulong> times) => new()
    {
        UserData128 = (UInt128)s.UserData128,
        UserData64 = (ulong)s.UserData64,
        UserData32 = (uint)s.UserData32,
        Ledger = s.Ledger,
        Code = s.Code,
        TimestampMin = Bound(s.MinPick, s.MinNudge, times),
        TimestampMax = Bound(s.MaxPick, s.MaxNudge, times),
        Limit = s.Limit,
        Flags = s.Flags,
    };

    // The reference's AccountFilter rules: an account id that is neither 0 nor max, a non-zero limit,
    // Debits and/or Credits, no undefined flag, and min <= max when max bounds the range (0 = none).
    private static List<Transfer> ExpectedTransfers(AccountFilter f, List<Transfer> byTimestamp)
    {
        bool debits = (f.Flags & AccountFilterFlags.Debits) != 0;
        bool credits = (f.Flags & AccountFilterFlags.Credits) != 0;
        bool valid = f.AccountId != 0 && f.AccountId != UInt128.MaxValue && f.Limit != 0 && (debits || credits) &&
            (f.Flags & ~(AccountFilterFlags.Debits | AccountFilterFlags.Credits | AccountFilterFlags.Reversed)) == 0 &&
            (f.TimestampMax == 0 || f.TimestampMin <= f.TimestampMax);
        if (!valid) return [];
        var matches = byTimestamp.Where(t =>
            ((debits && t.DebitAccountId == f.AccountId) || (credits && t.CreditAccountId == f.AccountId)) &&
            (f.UserData128 == 0 || t.UserData128 == f.UserData128) &&
            (f.UserData64 == 0 || t.UserData64 == f.UserData64) &&
            (f.UserData32 == 0 || t.UserData32 == f.UserData32) &&
            (f.Code == 0 || t.Code == f.Code) &&
            (f.TimestampMin == 0 || t.Timestamp >= f.TimestampMin) &&
            (f.TimestampMax == 0 || t.Timestamp <= f.TimestampMax));
        if ((f.Flags & AccountFilterFlags.Reversed) != 0) matches = matches.Reverse();
        return [.. matches.Take((int)Math.Min(f.Limit, LedgerStateMachine.BatchEventsMax))];
    }

    // The reference's QueryFilter rules: a non-zero limit, no undefined flag, min <= max when bounded.
    private static List<T> Query<T>(QueryFilter f, List<T> byTimestamp, Func<T, (UInt128 U128, ulong U64, uint U32, uint Ledger, ushort Code, ulong Timestamp)> fields)
    {
        bool valid = f.Limit != 0 && (f.Flags & ~QueryFilterFlags.Reversed) == 0 && (f.TimestampMax == 0 || f.TimestampMin <= f.TimestampMax);
        if (!valid) return [];
        var matches = byTimestamp.Where(x =>
        {
            var v = fields(x);
            return (f.UserData128 == 0 || v.U128 == f.UserData128) &&
                (f.UserData64 == 0 || v.U64 == f.UserData64) &&
                (f.UserData32 == 0 || v.U32 == f.UserData32) &&
                (f.Ledger == 0 || v.Ledger == f.Ledger) &&
                (f.Code == 0 || v.Code == f.Code) &&
                (f.TimestampMin == 0 || v.Timestamp >= f.TimestampMin) &&
                (f.TimestampMax == 0 || v.Timestamp <= f.TimestampMax);
        });
        if ((f.Flags & QueryFilterFlags.Reversed) != 0) matches = matches.Reverse();
        return [.. matches.Take((int)Math.Min(f.Limit, LedgerStateMachine.BatchEventsMax))];
    }
}
