using System.Runtime.InteropServices;

namespace LedgerCore;

/// <summary>
/// A transfer between two accounts of one ledger: exactly 128 bytes, blittable, field for field the
/// reference's transfer.
/// </summary>
/// <remarks>A plain value type: not thread-safe to mutate concurrently, safe to copy.</remarks>
[StructLayout(LayoutKind.Sequential, Size = 128)]
public struct Transfer : IEquatable<Transfer>
{
    /// <summary>Unique identifier across the ledger; neither 0 nor <see cref="UInt128.MaxValue"/>.</summary>
    public UInt128 Id { get; set; }

    /// <summary>The account debited.</summary>
    public UInt128 DebitAccountId { get; set; }

    /// <summary>The account credited.</summary>
    public UInt128 CreditAccountId { get; set; }

    /// <summary>The amount moved (the maximum for balancing transfers).</summary>
    public UInt128 Amount { get; set; }

    /// <summary>For a post or void: the id of the pending transfer it resolves; otherwise zero.</summary>
    public UInt128 PendingId { get; set; }

    /// <summary>Opaque user data.</summary>
    public UInt128 UserData128 { get; set; }

    /// <summary>Opaque user data.</summary>
    public ulong UserData64 { get; set; }

    /// <summary>Opaque user data.</summary>
    public uint UserData32 { get; set; }

    /// <summary>For a pending transfer: seconds until it expires (0 = never).</summary>
    public uint Timeout { get; set; }

    /// <summary>The ledger of both accounts; not zero.</summary>
    public uint Ledger { get; set; }

    /// <summary>User-defined reason for the transfer; not zero.</summary>
    public ushort Code { get; set; }

    /// <summary>Behaviour flags.</summary>
    public TransferFlags Flags { get; set; }

    /// <summary>Nanoseconds; assigned by the ledger unless the transfer is <see cref="TransferFlags.Imported"/>.</summary>
    public ulong Timestamp { get; set; }

    /// <inheritdoc />
    public readonly bool Equals(Transfer other) =>
        Id == other.Id && DebitAccountId == other.DebitAccountId && CreditAccountId == other.CreditAccountId &&
        Amount == other.Amount && PendingId == other.PendingId && UserData128 == other.UserData128 &&
        UserData64 == other.UserData64 && UserData32 == other.UserData32 && Timeout == other.Timeout &&
        Ledger == other.Ledger && Code == other.Code && Flags == other.Flags && Timestamp == other.Timestamp;

    /// <inheritdoc />
    public override readonly bool Equals(object? obj) => obj is Transfer other && Equals(other);

    /// <inheritdoc />
    public override readonly int GetHashCode() => HashCode.Combine(Id, Timestamp);

    /// <summary>Field-wise equality.</summary>
    public static bool operator ==(Transfer left, Transfer right) => left.Equals(right);

    /// <summary>Field-wise inequality.</summary>
    public static bool operator !=(Transfer left, Transfer right) => !left.Equals(right);
}
