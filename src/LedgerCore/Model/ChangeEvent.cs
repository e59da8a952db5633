namespace LedgerCore;

/// <summary>
/// One outcome of the ledger, as the reference's <c>get_change_events</c> reports it: a transfer that was
/// applied, or a pending transfer that expired, with both accounts exactly as they stood right after it.
/// Applying the accounts of every event in timestamp order, from the first, leaves each account with
/// the balances a lookup returns.
/// </summary>
/// <remarks>
/// The reference lays these fields out flat (<c>transfer_*</c>, <c>debit_account_*</c>,
/// <c>credit_account_*</c>); here they are the ledger's own <see cref="LedgerCore.Transfer"/> and
/// <see cref="Account"/> records, which carry the same fields, so a read model can store them as they are.
/// </remarks>
/// <param name="Type">What happened.</param>
/// <param name="Timestamp">When it happened (ns): the transfer's timestamp, except for
/// <see cref="ChangeEventType.TwoPhaseExpired"/>, which has its own (at or after the pending transfer's
/// deadline, unique, in order with every other event).</param>
/// <param name="Transfer">The transfer as stored (its <see cref="Transfer.Amount"/> is what it moved: the
/// clamped amount of a balancing transfer, the posted amount of a post); for an expiry, the pending
/// transfer that expired.</param>
/// <param name="DebitAccount">The debit account with its balances and flags right after the event.</param>
/// <param name="CreditAccount">The credit account with its balances and flags right after the event.</param>
public readonly record struct ChangeEvent(
    ChangeEventType Type,
    ulong Timestamp,
    Transfer Transfer,
    Account DebitAccount,
    Account CreditAccount)
{
    /// <summary>The ledger of the transfer and of both accounts.</summary>
    public uint Ledger => Transfer.Ledger;
}
