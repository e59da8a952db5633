namespace LedgerCore;

/// <summary>Flags of a <see cref="QueryFilter"/>, with the reference's bit values.</summary>
[Flags]
public enum QueryFilterFlags : uint
{
    /// <summary>Oldest first.</summary>
    None = 0,

    /// <summary>Newest first.</summary>
    Reversed = 1,
}
