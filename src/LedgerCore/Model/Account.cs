using System.Runtime.InteropServices;

namespace LedgerCore;

/// <summary>
/// A ledger account: exactly 128 bytes, blittable, field for field the reference's account.
/// Balances are maintained by the ledger; on creation they must be zero.
/// </summary>
/// <remarks>A plain value type: not thread-safe to mutate concurrently, safe to copy.</remarks>
[StructLayout(LayoutKind.Sequential, Size = 128)]
public struct Account : IEquatable<Account>
{
    /// <summary>Unique identifier; neither 0 nor <see cref="UInt128.MaxValue"/>.</summary>
    public UInt128 Id { get; set; }

    /// <summary>Sum of amounts of pending transfers debiting this account.</summary>
    public UInt128 DebitsPending { get; set; }

    /// <summary>Sum of amounts of posted transfers debiting this account.</summary>
    public UInt128 DebitsPosted { get; set; }

    /// <summary>Sum of amounts of pending transfers crediting this account.</summary>
    public UInt128 CreditsPending { get; set; }

    /// <summary>Sum of amounts of posted transfers crediting this account.</summary>
    public UInt128 CreditsPosted { get; set; }

    /// <summary>Opaque user data, e.g. a foreign key.</summary>
    public UInt128 UserData128 { get; set; }

    /// <summary>Opaque user data.</summary>
    public ulong UserData64 { get; set; }

    /// <summary>Opaque user data.</summary>
    public uint UserData32 { get; set; }

    /// <summary>Reserved; must be zero.</summary>
    public uint Reserved { get; set; }

    /// <summary>The ledger (e.g. currency) this account belongs to; not zero.</summary>
    public uint Ledger { get; set; }

    /// <summary>User-defined account category; not zero.</summary>
    public ushort Code { get; set; }

    /// <summary>Behaviour flags.</summary>
    public AccountFlags Flags { get; set; }

    /// <summary>Nanoseconds; assigned by the ledger unless the account is <see cref="AccountFlags.Imported"/>.</summary>
    public ulong Timestamp { get; set; }

    /// <inheritdoc />
    public readonly bool Equals(Account other) =>
        Id == other.Id && DebitsPending == other.DebitsPending && DebitsPosted == other.DebitsPosted &&
        CreditsPending == other.CreditsPending && CreditsPosted == other.CreditsPosted &&
        UserData128 == other.UserData128 && UserData64 == other.UserData64 && UserData32 == other.UserData32 &&
        Reserved == other.Reserved && Ledger == other.Ledger && Code == other.Code && Flags == other.Flags &&
        Timestamp == other.Timestamp;

    /// <inheritdoc />
    public override readonly bool Equals(object? obj) => obj is Account other && Equals(other);

    /// <inheritdoc />
    public override readonly int GetHashCode() => HashCode.Combine(Id, Timestamp);

    /// <summary>Field-wise equality.</summary>
    public static bool operator ==(Account left, Account right) => left.Equals(right);

    /// <summary>Field-wise inequality.</summary>
    public static bool operator !=(Account left, Account right) => !left.Equals(right);
}
