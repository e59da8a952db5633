namespace LedgerCore.Tests.Properties;

/// <summary>
/// One batch of a workload: accounts or transfers (never both), and the gap in nanoseconds its
/// timestamp leaves after the previous batch's, on top of the minimum (its event count).
/// </summary>
/// <param name="IsTransfers">True for a create-transfers batch.</param>
/// <param name="GapNanoseconds">Extra time since the previous batch; seconds-long gaps let pending transfers expire.</param>
/// <param name="Accounts">The events of an accounts batch.</param>
/// <param name="Transfers">The events of a transfers batch.</param>
public sealed record BatchSpec(
    bool IsTransfers,
    ulong GapNanoseconds,
    IReadOnlyList<AccountSpec> Accounts,
    IReadOnlyList<TransferSpec> Transfers)
{
    /// <summary>The number of events.</summary>
    public int Count => IsTransfers ? Transfers.Count : Accounts.Count;

    /// <inheritdoc />
    public override string ToString()
    {
        var head = FormattableString.Invariant($"{(IsTransfers ? "transfers" : "accounts")} gap={GapNanoseconds}ns:");
        var events = IsTransfers ? Transfers.Select(t => t.ToString()) : Accounts.Select(a => a.ToString());
        return head + string.Concat(events.Select((e, i) => FormattableString.Invariant($"\n    [{i}] {e}")));
    }
}
