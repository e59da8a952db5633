namespace LedgerCore;

/// <summary>
/// Selects accounts or transfers by their user data, ledger and code. Zero in a field means "any";
/// timestamps are inclusive bounds with zero meaning unbounded. An invalid filter (zero limit, min
/// greater than max) selects nothing.
/// </summary>
public struct QueryFilter : IEquatable<QueryFilter>
{
    /// <summary>Match this UserData128 (0 = any).</summary>
    public UInt128 UserData128 { get; set; }

    /// <summary>Match this UserData64 (0 = any).</summary>
    public ulong UserData64 { get; set; }

    /// <summary>Match this UserData32 (0 = any).</summary>
    public uint UserData32 { get; set; }

    /// <summary>Match this ledger (0 = any).</summary>
    public uint Ledger { get; set; }

    /// <summary>Match this code (0 = any).</summary>
    public ushort Code { get; set; }

    /// <summary>Inclusive lower bound on the timestamp (0 = unbounded).</summary>
    public ulong TimestampMin { get; set; }

    /// <summary>Inclusive upper bound on the timestamp (0 = unbounded).</summary>
    public ulong TimestampMax { get; set; }

    /// <summary>Maximum number of results; must not be zero.</summary>
    public uint Limit { get; set; }

    /// <summary>The order.</summary>
    public QueryFilterFlags Flags { get; set; }

    /// <inheritdoc />
    public readonly bool Equals(QueryFilter other) =>
        UserData128 == other.UserData128 && UserData64 == other.UserData64 && UserData32 == other.UserData32 &&
        Ledger == other.Ledger && Code == other.Code && TimestampMin == other.TimestampMin &&
        TimestampMax == other.TimestampMax && Limit == other.Limit && Flags == other.Flags;

    /// <inheritdoc />
    public override readonly bool Equals(object? obj) => obj is QueryFilter other && Equals(other);

    /// <inheritdoc />
    public override readonly int GetHashCode() => HashCode.Combine(UserData128, Ledger, Code, Limit, Flags);

    /// <summary>Field-wise equality.</summary>
    public static bool operator ==(QueryFilter left, QueryFilter right) => left.Equals(right);

    /// <summary>Field-wise inequality.</summary>
    public static bool operator !=(QueryFilter left, QueryFilter right) => !left.Equals(right);
}
