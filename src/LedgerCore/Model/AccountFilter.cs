namespace LedgerCore;

/// <summary>
/// Selects the transfers (or balance history) of one account. Zero in an optional field means "any";
/// timestamps are inclusive bounds with zero meaning unbounded. An invalid filter (zero account id,
/// zero limit, no Debits/Credits flag, min greater than max) selects nothing.
/// </summary>
public struct AccountFilter : IEquatable<AccountFilter>
{
    /// <summary>The account; required.</summary>
    public UInt128 AccountId { get; set; }

    /// <summary>Match transfers with this <see cref="Transfer.UserData128"/> (0 = any).</summary>
    public UInt128 UserData128 { get; set; }

    /// <summary>Match transfers with this <see cref="Transfer.UserData64"/> (0 = any).</summary>
    public ulong UserData64 { get; set; }

    /// <summary>Match transfers with this <see cref="Transfer.UserData32"/> (0 = any).</summary>
    public uint UserData32 { get; set; }

    /// <summary>Match transfers with this <see cref="Transfer.Code"/> (0 = any).</summary>
    public ushort Code { get; set; }

    /// <summary>Inclusive lower bound on the timestamp (0 = unbounded).</summary>
    public ulong TimestampMin { get; set; }

    /// <summary>Inclusive upper bound on the timestamp (0 = unbounded).</summary>
    public ulong TimestampMax { get; set; }

    /// <summary>Maximum number of results; must not be zero.</summary>
    public uint Limit { get; set; }

    /// <summary>Which side(s) of the account, and the order.</summary>
    public AccountFilterFlags Flags { get; set; }

    /// <inheritdoc />
    public readonly bool Equals(AccountFilter other) =>
        AccountId == other.AccountId && UserData128 == other.UserData128 && UserData64 == other.UserData64 &&
        UserData32 == other.UserData32 && Code == other.Code && TimestampMin == other.TimestampMin &&
        TimestampMax == other.TimestampMax && Limit == other.Limit && Flags == other.Flags;

    /// <inheritdoc />
    public override readonly bool Equals(object? obj) => obj is AccountFilter other && Equals(other);

    /// <inheritdoc />
    public override readonly int GetHashCode() => HashCode.Combine(AccountId, TimestampMin, TimestampMax, Limit, Flags);

    /// <summary>Field-wise equality.</summary>
    public static bool operator ==(AccountFilter left, AccountFilter right) => left.Equals(right);

    /// <summary>Field-wise inequality.</summary>
    public static bool operator !=(AccountFilter left, AccountFilter right) => !left.Equals(right);
}
