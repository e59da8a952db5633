namespace LedgerCore.Tool.Repl;

/// <summary>One named bit of a flags field, by its TigerBeetle name (<c>debits_must_not_exceed_credits</c>).</summary>
internal readonly record struct ReplFlag(string Name, UInt128 Value)
{
    /// <summary>The named bits of a flags enum, in declaration order, without its zero value.</summary>
    public static ReplFlag[] Of<TEnum>()
        where TEnum : struct, Enum
    {
        var flags = new List<ReplFlag>();
        foreach (TEnum value in Enum.GetValues<TEnum>())
        {
            ulong bits = Convert.ToUInt64(value, System.Globalization.CultureInfo.InvariantCulture);
            if (bits != 0) flags.Add(new ReplFlag(SnakeCase.From(value.ToString()), bits));
        }

        return [.. flags];
    }
}
