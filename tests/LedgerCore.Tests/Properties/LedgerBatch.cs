namespace LedgerCore.Tests.Properties;

/// <summary>A concrete batch, ready for <see cref="LedgerStateMachine"/>: events and the batch timestamp.</summary>
/// <param name="Index">Position in the workload.</param>
/// <param name="IsTransfers">True for a create-transfers batch.</param>
/// <param name="Accounts">The accounts (empty for a transfers batch).</param>
/// <param name="Transfers">The transfers (empty for an accounts batch).</param>
/// <param name="Timestamp">The batch timestamp.</param>
public sealed record LedgerBatch(
    int Index,
    bool IsTransfers,
    IReadOnlyList<Account> Accounts,
    IReadOnlyList<Transfer> Transfers,
    ulong Timestamp)
{
    /// <summary>The number of events.</summary>
    public int Count => IsTransfers ? Transfers.Count : Accounts.Count;

    /// <summary>The same events at another batch timestamp.</summary>
    public LedgerBatch At(ulong timestamp) => this with { Timestamp = timestamp };

    /// <summary>The same batch without the events at <paramref name="removed"/>.</summary>
    public LedgerBatch Without(IReadOnlySet<int> removed) => this with
    {
        Accounts = [.. Accounts.Where((_, i) => !removed.Contains(i))],
        Transfers = [.. Transfers.Where((_, i) => !removed.Contains(i))],
    };
}
