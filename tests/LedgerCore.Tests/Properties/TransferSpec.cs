namespace LedgerCore.Tests.Properties;

/// <summary>
/// One create-transfer event as plain data; <see cref="WorkloadBuilder"/> resolves its references
/// (the pending transfer a post or void names, amounts relative to it) into a <see cref="Transfer"/>.
/// </summary>
/// <param name="Id">Transfer id in the small id space (0 is invalid on purpose).</param>
/// <param name="DebitId">Debit account id (for a post/void: 0 inherits from the pending transfer).</param>
/// <param name="CreditId">Credit account id (for a post/void: 0 inherits).</param>
/// <param name="Amount">The amount when <paramref name="AmountMode"/> is <see cref="AmountMode.Value"/>.</param>
/// <param name="AmountMode">How the amount is chosen.</param>
/// <param name="PendingRef">For a post/void: n ≥ 0 names the n-th most recent (n mod count) pending transfer generated
/// earlier in the workload; a negative value names the raw id <c>-PendingRef - 1</c> (0 or a missing one).</param>
/// <param name="Timeout">Timeout in seconds.</param>
/// <param name="Ledger">Ledger (0 is invalid for a new transfer, inherits for a post/void).</param>
/// <param name="Code">Code (0 is invalid for a new transfer, inherits for a post/void).</param>
/// <param name="Flags">Flags as submitted.</param>
/// <param name="UserData">Small value copied into the three user-data fields (scaled).</param>
/// <param name="ImportedDelta">For an imported event: its timestamp relative to the previous batch's timestamp.</param>
/// <param name="Fault">A deliberate validation fault, usually none.</param>
public sealed record TransferSpec(
    int Id,
    int DebitId,
    int CreditId,
    ulong Amount,
    AmountMode AmountMode,
    int PendingRef,
    uint Timeout,
    uint Ledger,
    ushort Code,
    TransferFlags Flags,
    int UserData,
    long ImportedDelta,
    SpecFault Fault)
{
    /// <inheritdoc />
    public override string ToString() => FormattableString.Invariant(
        $"T(id={Id} dr={DebitId} cr={CreditId} amt={(AmountMode == AmountMode.Value ? Amount.ToString(System.Globalization.CultureInfo.InvariantCulture) : AmountMode.ToString())} pref={PendingRef} to={Timeout} l={Ledger} c={Code} f={Flags} ud={UserData} imp={ImportedDelta} fault={Fault})");
}
