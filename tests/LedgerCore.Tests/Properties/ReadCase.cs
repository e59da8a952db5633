namespace LedgerCore.Tests.Properties;

/// <summary>A workload and the read filters to try after each of its batches.</summary>
/// <param name="Workload">The batches.</param>
/// <param name="AccountFilters">Filters for GetAccountTransfers and GetAccountBalances.</param>
/// <param name="QueryFilters">Filters for QueryAccounts and QueryTransfers.</param>
public sealed record ReadCase(
    Workload Workload,
    IReadOnlyList<AccountFilterSpec> AccountFilters,
    IReadOnlyList<QueryFilterSpec> QueryFilters)
{
    /// <inheritdoc />
    public override string ToString() =>
        Workload + "\n  account filters: " + string.Join("; ", AccountFilters) + "\n  query filters: " + string.Join("; ", QueryFilters);
}
