namespace LedgerCore.Tests.Properties;

/// <summary>
/// One create-account event as plain data, so FsCheck prints and shrinks it field by field;
/// <see cref="WorkloadBuilder"/> turns it into an <see cref="Account"/>.
/// </summary>
/// <param name="Id">Account id in the small id space (0 is invalid on purpose).</param>
/// <param name="Ledger">The ledger (usually <see cref="LedgerGenerators.LedgerOf"/> of the id).</param>
/// <param name="Code">Account code (0 is invalid on purpose).</param>
/// <param name="Flags">Flags as submitted, Linked and Imported included.</param>
/// <param name="UserData">Small value copied into the three user-data fields (scaled).</param>
/// <param name="ImportedDelta">For an imported event: its timestamp relative to the previous batch's timestamp.</param>
/// <param name="Fault">A deliberate validation fault (<see cref="SpecFault"/>), usually none.</param>
public sealed record AccountSpec(
    int Id,
    uint Ledger,
    ushort Code,
    AccountFlags Flags,
    int UserData,
    long ImportedDelta,
    SpecFault Fault)
{
    /// <inheritdoc />
    public override string ToString() =>
        FormattableString.Invariant($"A(id={Id} l={Ledger} c={Code} f={Flags} ud={UserData} imp={ImportedDelta} fault={Fault})");
}
