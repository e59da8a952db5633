namespace LedgerCore.Tests.Properties;

/// <summary>A deliberate validation fault the generators sprinkle into events.</summary>
public enum SpecFault
{
    /// <summary>A well-formed event.</summary>
    None,

    /// <summary>A non-imported event with a non-zero timestamp.</summary>
    TimestampNotZero,

    /// <summary>An undefined flag bit.</summary>
    ReservedFlag,

    /// <summary>Id <see cref="UInt128.MaxValue"/>.</summary>
    IdMax,

    /// <summary>Accounts: a non-zero balance or reserved field. Transfers: an account id of <see cref="UInt128.MaxValue"/>.</summary>
    BadField,
}
