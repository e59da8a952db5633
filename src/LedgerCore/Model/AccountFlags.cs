namespace LedgerCore;

/// <summary>Account flags, with the reference's bit values.</summary>
[Flags]
#pragma warning disable CA1028 // The reference's wire layout is 16 bits.
public enum AccountFlags : ushort
#pragma warning restore CA1028
{
    /// <summary>No flag.</summary>
    None = 0,

    /// <summary>Links this event with the next one in the batch: the chain succeeds or fails as a whole.</summary>
    Linked = 1,

    /// <summary>Debits (pending and posted) must never exceed posted credits.</summary>
    DebitsMustNotExceedCredits = 2,

    /// <summary>Credits (pending and posted) must never exceed posted debits.</summary>
    CreditsMustNotExceedDebits = 4,

    /// <summary>Keep a balance snapshot for every transfer touching the account.</summary>
    History = 8,

    /// <summary>The account carries a user-supplied timestamp (data migration).</summary>
    Imported = 16,

    /// <summary>The account is closed: it takes no more transfers (set by closing transfers).</summary>
    Closed = 32,
}
