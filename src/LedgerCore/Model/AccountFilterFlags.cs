namespace LedgerCore;

/// <summary>Flags of an <see cref="AccountFilter"/>, with the reference's bit values.</summary>
[Flags]
public enum AccountFilterFlags : uint
{
    /// <summary>No flag (an invalid filter: at least one of Debits or Credits is required).</summary>
    None = 0,

    /// <summary>Include transfers where the account is debited.</summary>
    Debits = 1,

    /// <summary>Include transfers where the account is credited.</summary>
    Credits = 2,

    /// <summary>Newest first.</summary>
    Reversed = 4,
}
