namespace LedgerCore.Tool.Repl;

/// <summary>
/// One parsed statement: its operation and the request it sends. Only the member the operation uses is
/// set (the others are empty or default).
/// </summary>
internal sealed class ReplStatement
{
    /// <summary>What the statement does.</summary>
    public required ReplOperation Operation { get; init; }

    /// <summary>The accounts of <c>create_accounts</c>.</summary>
    public Account[] Accounts { get; init; } = [];

    /// <summary>The transfers of <c>create_transfers</c>.</summary>
    public Transfer[] Transfers { get; init; } = [];

    /// <summary>The ids of <c>lookup_accounts</c> and <c>lookup_transfers</c>.</summary>
    public UInt128[] Ids { get; init; } = [];

    /// <summary>The filter of <c>get_account_transfers</c> and <c>get_account_balances</c>.</summary>
    public AccountFilter AccountFilter { get; init; }

    /// <summary>The filter of <c>query_accounts</c> and <c>query_transfers</c>.</summary>
    public QueryFilter QueryFilter { get; init; }

    /// <summary>The filter of <c>get_change_events</c>.</summary>
    public ChangeEventsFilter ChangeEventsFilter { get; init; }
}
