namespace LedgerCore;

/// <summary>
/// The outcome of one account creation event. Declared in order of precedence: when an event breaks several
/// rules, the first applicable one in this order is reported. Numeric values are the reference's.
/// </summary>
#pragma warning disable CA1028 // Numeric values are part of the wire and journal formats.
public enum CreateAccountResult : uint
#pragma warning restore CA1028
{
    /// <summary>The event succeeded.</summary>
    Ok = 0,

    /// <summary>Linked event failed.</summary>
    LinkedEventFailed = 1,

    /// <summary>Linked event chain open.</summary>
    LinkedEventChainOpen = 2,

    /// <summary>Imported event expected.</summary>
    ImportedEventExpected = 22,

    /// <summary>Imported event not expected.</summary>
    ImportedEventNotExpected = 23,

    /// <summary>Timestamp must be zero.</summary>
    TimestampMustBeZero = 3,

    /// <summary>Imported event timestamp out of range.</summary>
    ImportedEventTimestampOutOfRange = 24,

    /// <summary>Imported event timestamp must not advance.</summary>
    ImportedEventTimestampMustNotAdvance = 25,

    /// <summary>Reserved field.</summary>
    ReservedField = 4,

    /// <summary>Reserved flag.</summary>
    ReservedFlag = 5,

    /// <summary>Id must not be zero.</summary>
    IdMustNotBeZero = 6,

    /// <summary>Id must not be uint128.maxvalue.</summary>
    IdMustNotBeIntMax = 7,

    /// <summary>Exists with different flags.</summary>
    ExistsWithDifferentFlags = 15,

    /// <summary>Exists with different user data128.</summary>
    ExistsWithDifferentUserData128 = 16,

    /// <summary>Exists with different user data64.</summary>
    ExistsWithDifferentUserData64 = 17,

    /// <summary>Exists with different user data32.</summary>
    ExistsWithDifferentUserData32 = 18,

    /// <summary>Exists with different ledger.</summary>
    ExistsWithDifferentLedger = 19,

    /// <summary>Exists with different code.</summary>
    ExistsWithDifferentCode = 20,

    /// <summary>Exists.</summary>
    Exists = 21,

    /// <summary>Flags are mutually exclusive.</summary>
    FlagsAreMutuallyExclusive = 8,

    /// <summary>Debits pending must be zero.</summary>
    DebitsPendingMustBeZero = 9,

    /// <summary>Debits posted must be zero.</summary>
    DebitsPostedMustBeZero = 10,

    /// <summary>Credits pending must be zero.</summary>
    CreditsPendingMustBeZero = 11,

    /// <summary>Credits posted must be zero.</summary>
    CreditsPostedMustBeZero = 12,

    /// <summary>Ledger must not be zero.</summary>
    LedgerMustNotBeZero = 13,

    /// <summary>Code must not be zero.</summary>
    CodeMustNotBeZero = 14,

    /// <summary>Imported event timestamp must not regress.</summary>
    ImportedEventTimestampMustNotRegress = 26,
}
