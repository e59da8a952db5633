namespace LedgerCore.Tests.Properties;

/// <summary>A generated sequence of batches over a small id space (see <see cref="LedgerGenerators"/>).</summary>
/// <param name="Batches">The batches, applied in order.</param>
public sealed record Workload(IReadOnlyList<BatchSpec> Batches)
{
    /// <inheritdoc />
    public override string ToString() =>
        "Workload:" + string.Concat(Batches.Select((b, i) => FormattableString.Invariant($"\n  batch {i}: {b}")));
}
