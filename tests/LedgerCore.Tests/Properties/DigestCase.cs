namespace LedgerCore.Tests.Properties;

/// <summary>A workload, and which applied event gets one user field changed in the twin run.</summary>
/// <param name="Workload">The batches.</param>
/// <param name="Pick">Chooses the event among those that were applied (n mod count).</param>
/// <param name="Field">Which field changes: 0 UserData128, 1 UserData64, 2 UserData32, 3 Code (accounts only).</param>
public sealed record DigestCase(Workload Workload, int Pick, int Field)
{
    /// <inheritdoc />
    public override string ToString() => FormattableString.Invariant($"{Workload}\n  pick={Pick} field={Field}");
}
