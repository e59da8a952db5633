namespace LedgerCore;

/// <summary>
/// The balances of a <see cref="AccountFlags.History"/> account right after a transfer that touched it.
/// </summary>
public readonly record struct AccountBalance(
    UInt128 DebitsPending,
    UInt128 DebitsPosted,
    UInt128 CreditsPending,
    UInt128 CreditsPosted,
    ulong Timestamp);
