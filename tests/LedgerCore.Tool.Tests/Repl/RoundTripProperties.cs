using System.Globalization;
using FsCheck;
using FsCheck.Fluent;
using LedgerCore.Tool.Repl;
using NUnit.Framework;

namespace LedgerCore.Tool.Tests.Repl;

/// <summary>
/// Any account or transfer written as a create statement (every field, each value in a random base,
/// flags by name with unnamed bits as a number, fields in a random order) parses back to the same struct.
/// </summary>
public sealed class RoundTripProperties
{
    private static readonly Gen<UInt128> U128 = Gen.OneOf(
        Gen.Constant(UInt128.Zero), Gen.Constant(UInt128.MaxValue),
        from high in ArbMap.Default.GeneratorFor<ulong>() from low in ArbMap.Default.GeneratorFor<ulong>() select new UInt128(high, low));

    [Test]
    public void Accounts_print_as_a_statement_and_parse_back_the_same() =>
        Prop.ForAll(Arb.From(Gen.ListOf(AccountGen(), 3).Zip(Gen.Choose(0, int.MaxValue))), pair =>
        {
            Account[] accounts = [.. pair.Item1];
            string text = "create_accounts " + string.Join(",\n ", accounts.Select((a, i) => Fields(ReplSchema.Account, a, pair.Item2 + i)));
            ReplStatement? parsed = StatementParser.Parse(text);
            return parsed is not null && parsed.Accounts.SequenceEqual(accounts);
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(300));

    [Test]
    public void Transfers_print_as_a_statement_and_parse_back_the_same() =>
        Prop.ForAll(Arb.From(Gen.ListOf(TransferGen(), 3).Zip(Gen.Choose(0, int.MaxValue))), pair =>
        {
            Transfer[] transfers = [.. pair.Item1];
            string text = "create_transfers " + string.Join(", ", transfers.Select((t, i) => Fields(ReplSchema.Transfer, t, pair.Item2 + i)));
            ReplStatement? parsed = StatementParser.Parse(text);
            return parsed is not null && parsed.Transfers.SequenceEqual(transfers);
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(300));

    private static Gen<Account> AccountGen() =>
        from ids in Gen.ArrayOf(U128, 6)
        from u64 in ArbMap.Default.GeneratorFor<ulong>()
        from u32 in Gen.ArrayOf(ArbMap.Default.GeneratorFor<uint>(), 3)
        from code in ArbMap.Default.GeneratorFor<ushort>()
        from flags in ArbMap.Default.GeneratorFor<ushort>()
        from timestamp in ArbMap.Default.GeneratorFor<ulong>()
        select new Account
        {
            Id = ids[0], DebitsPending = ids[1], DebitsPosted = ids[2], CreditsPending = ids[3], CreditsPosted = ids[4], UserData128 = ids[5],
            UserData64 = u64, UserData32 = u32[0], Reserved = u32[1], Ledger = u32[2], Code = code, Flags = (AccountFlags)flags, Timestamp = timestamp,
        };

    private static Gen<Transfer> TransferGen() =>
        from ids in Gen.ArrayOf(U128, 6)
        from u64 in ArbMap.Default.GeneratorFor<ulong>()
        from u32 in Gen.ArrayOf(ArbMap.Default.GeneratorFor<uint>(), 3)
        from code in ArbMap.Default.GeneratorFor<ushort>()
        from flags in ArbMap.Default.GeneratorFor<ushort>()
        from timestamp in ArbMap.Default.GeneratorFor<ulong>()
        select new Transfer
        {
            Id = ids[0], DebitAccountId = ids[1], CreditAccountId = ids[2], Amount = ids[3], PendingId = ids[4], UserData128 = ids[5],
            UserData64 = u64, UserData32 = u32[0], Timeout = u32[1], Ledger = u32[2], Code = code, Flags = (TransferFlags)flags, Timestamp = timestamp,
        };

    /// <summary>Every field as name=value, in an order and with number forms chosen by <paramref name="seed"/>.</summary>
    private static string Fields<T>(ReplField<T>[] fields, T item, int seed)
    {
        var random = new Random(seed);
        var parts = new List<string>();
        foreach (ReplField<T> field in fields) parts.Add(field.Name + "=" + Value(field, field.Get(item), random));
        return string.Join(" ", parts.OrderBy(_ => random.Next()));
    }

    private static string Value<T>(ReplField<T> field, UInt128 value, Random random)
    {
        if (field.Flags is not null)
        {
            var names = new List<string>();
            foreach (ReplFlag flag in field.Flags)
            {
                if ((value & flag.Value) == 0) continue;
                names.Add(flag.Name);
                value &= ~flag.Value;
            }

            if (value != 0 || names.Count == 0) names.Add(value.ToString(CultureInfo.InvariantCulture));
            return string.Join(random.Next(2) == 0 ? "|" : " | ", names);
        }

        return random.Next(4) switch
        {
            0 => "0x" + value.ToString("x", CultureInfo.InvariantCulture),
            1 => "-" + (field.Max - value).ToString(CultureInfo.InvariantCulture),
            2 => "0b" + value.ToString("b", CultureInfo.InvariantCulture),
            _ => value.ToString(CultureInfo.InvariantCulture),
        };
    }
}
