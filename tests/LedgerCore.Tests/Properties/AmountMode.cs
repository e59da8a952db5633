namespace LedgerCore.Tests.Properties;

/// <summary>How a <see cref="TransferSpec"/>'s amount is chosen.</summary>
public enum AmountMode
{
    /// <summary><see cref="TransferSpec.Amount"/> as given.</summary>
    Value,

    /// <summary><see cref="UInt128.MaxValue"/>: "the whole pending amount" for a post, an overflow otherwise.</summary>
    Max,

    /// <summary>The referenced pending transfer's requested amount.</summary>
    PendingExact,

    /// <summary>Half the referenced pending transfer's requested amount (a partial post).</summary>
    PendingHalf,

    /// <summary>One more than the referenced pending transfer's requested amount.</summary>
    PendingOver,
}
