namespace LedgerCore;

/// <summary>
/// The outcome of one transfer creation event. Declared in order of precedence: when an event breaks several
/// rules, the first applicable one in this order is reported. Numeric values are the reference's.
/// </summary>
#pragma warning disable CA1028 // Numeric values are part of the wire and journal formats.
public enum CreateTransferResult : uint
#pragma warning restore CA1028
{
    /// <summary>The event succeeded.</summary>
    Ok = 0,

    /// <summary>Linked event failed.</summary>
    LinkedEventFailed = 1,

    /// <summary>Linked event chain open.</summary>
    LinkedEventChainOpen = 2,

    /// <summary>Imported event expected.</summary>
    ImportedEventExpected = 56,

    /// <summary>Imported event not expected.</summary>
    ImportedEventNotExpected = 57,

    /// <summary>Timestamp must be zero.</summary>
    TimestampMustBeZero = 3,

    /// <summary>Imported event timestamp out of range.</summary>
    ImportedEventTimestampOutOfRange = 58,

    /// <summary>Imported event timestamp must not advance.</summary>
    ImportedEventTimestampMustNotAdvance = 59,

    /// <summary>Reserved flag.</summary>
    ReservedFlag = 4,

    /// <summary>Id must not be zero.</summary>
    IdMustNotBeZero = 5,

    /// <summary>Id must not be uint128.maxvalue.</summary>
    IdMustNotBeIntMax = 6,

    /// <summary>Exists with different flags.</summary>
    ExistsWithDifferentFlags = 36,

    /// <summary>Exists with different pending id.</summary>
    ExistsWithDifferentPendingId = 40,

    /// <summary>Exists with different timeout.</summary>
    ExistsWithDifferentTimeout = 44,

    /// <summary>Exists with different debit account id.</summary>
    ExistsWithDifferentDebitAccountId = 37,

    /// <summary>Exists with different credit account id.</summary>
    ExistsWithDifferentCreditAccountId = 38,

    /// <summary>Exists with different amount.</summary>
    ExistsWithDifferentAmount = 39,

    /// <summary>Exists with different user data128.</summary>
    ExistsWithDifferentUserData128 = 41,

    /// <summary>Exists with different user data64.</summary>
    ExistsWithDifferentUserData64 = 42,

    /// <summary>Exists with different user data32.</summary>
    ExistsWithDifferentUserData32 = 43,

    /// <summary>Exists with different ledger.</summary>
    ExistsWithDifferentLedger = 67,

    /// <summary>Exists with different code.</summary>
    ExistsWithDifferentCode = 45,

    /// <summary>Exists.</summary>
    Exists = 46,

    /// <summary>Id already failed.</summary>
    IdAlreadyFailed = 68,

    /// <summary>Flags are mutually exclusive.</summary>
    FlagsAreMutuallyExclusive = 7,

    /// <summary>Debit account id must not be zero.</summary>
    DebitAccountIdMustNotBeZero = 8,

    /// <summary>Debit account id must not be uint128.maxvalue.</summary>
    DebitAccountIdMustNotBeIntMax = 9,

    /// <summary>Credit account id must not be zero.</summary>
    CreditAccountIdMustNotBeZero = 10,

    /// <summary>Credit account id must not be uint128.maxvalue.</summary>
    CreditAccountIdMustNotBeIntMax = 11,

    /// <summary>Accounts must be different.</summary>
    AccountsMustBeDifferent = 12,

    /// <summary>Pending id must be zero.</summary>
    PendingIdMustBeZero = 13,

    /// <summary>Pending id must not be zero.</summary>
    PendingIdMustNotBeZero = 14,

    /// <summary>Pending id must not be uint128.maxvalue.</summary>
    PendingIdMustNotBeIntMax = 15,

    /// <summary>Pending id must be different.</summary>
    PendingIdMustBeDifferent = 16,

    /// <summary>Timeout reserved for pending transfer.</summary>
    TimeoutReservedForPendingTransfer = 17,

    /// <summary>Closing transfer must be pending.</summary>
    ClosingTransferMustBePending = 64,

    /// <summary>Ledger must not be zero.</summary>
    LedgerMustNotBeZero = 19,

    /// <summary>Code must not be zero.</summary>
    CodeMustNotBeZero = 20,

    /// <summary>Debit account not found.</summary>
    DebitAccountNotFound = 21,

    /// <summary>Credit account not found.</summary>
    CreditAccountNotFound = 22,

    /// <summary>Accounts must have the same ledger.</summary>
    AccountsMustHaveTheSameLedger = 23,

    /// <summary>Transfer must have the same ledger as accounts.</summary>
    TransferMustHaveTheSameLedgerAsAccounts = 24,

    /// <summary>Pending transfer not found.</summary>
    PendingTransferNotFound = 25,

    /// <summary>Pending transfer not pending.</summary>
    PendingTransferNotPending = 26,

    /// <summary>Pending transfer has different debit account id.</summary>
    PendingTransferHasDifferentDebitAccountId = 27,

    /// <summary>Pending transfer has different credit account id.</summary>
    PendingTransferHasDifferentCreditAccountId = 28,

    /// <summary>Pending transfer has different ledger.</summary>
    PendingTransferHasDifferentLedger = 29,

    /// <summary>Pending transfer has different code.</summary>
    PendingTransferHasDifferentCode = 30,

    /// <summary>Exceeds pending transfer amount.</summary>
    ExceedsPendingTransferAmount = 31,

    /// <summary>Pending transfer has different amount.</summary>
    PendingTransferHasDifferentAmount = 32,

    /// <summary>Pending transfer already posted.</summary>
    PendingTransferAlreadyPosted = 33,

    /// <summary>Pending transfer already voided.</summary>
    PendingTransferAlreadyVoided = 34,

    /// <summary>Pending transfer expired.</summary>
    PendingTransferExpired = 35,

    /// <summary>Imported event timestamp must not regress.</summary>
    ImportedEventTimestampMustNotRegress = 60,

    /// <summary>Imported event timestamp must postdate debit account.</summary>
    ImportedEventTimestampMustPostdateDebitAccount = 61,

    /// <summary>Imported event timestamp must postdate credit account.</summary>
    ImportedEventTimestampMustPostdateCreditAccount = 62,

    /// <summary>Imported event timeout must be zero.</summary>
    ImportedEventTimeoutMustBeZero = 63,

    /// <summary>Debit account already closed.</summary>
    DebitAccountAlreadyClosed = 65,

    /// <summary>Credit account already closed.</summary>
    CreditAccountAlreadyClosed = 66,

    /// <summary>Overflows debits pending.</summary>
    OverflowsDebitsPending = 47,

    /// <summary>Overflows credits pending.</summary>
    OverflowsCreditsPending = 48,

    /// <summary>Overflows debits posted.</summary>
    OverflowsDebitsPosted = 49,

    /// <summary>Overflows credits posted.</summary>
    OverflowsCreditsPosted = 50,

    /// <summary>Overflows debits.</summary>
    OverflowsDebits = 51,

    /// <summary>Overflows credits.</summary>
    OverflowsCredits = 52,

    /// <summary>Overflows timeout.</summary>
    OverflowsTimeout = 53,

    /// <summary>Exceeds credits.</summary>
    ExceedsCredits = 54,

    /// <summary>Exceeds debits.</summary>
    ExceedsDebits = 55,
}
