namespace LedgerCore.Tool.Repl;

/// <summary>What a statement does; its name in statements is the snake_case of the member (TigerBeetle's operation names).</summary>
internal enum ReplOperation
{
    /// <summary><c>create_accounts</c>: one or more accounts, comma-separated.</summary>
    CreateAccounts,

    /// <summary><c>create_transfers</c>: one or more transfers, comma-separated.</summary>
    CreateTransfers,

    /// <summary><c>lookup_accounts</c>: one or more <c>id=</c>, comma-separated.</summary>
    LookupAccounts,

    /// <summary><c>lookup_transfers</c>: one or more <c>id=</c>, comma-separated.</summary>
    LookupTransfers,

    /// <summary><c>get_account_transfers</c>: one account filter.</summary>
    GetAccountTransfers,

    /// <summary><c>get_account_balances</c>: one account filter.</summary>
    GetAccountBalances,

    /// <summary><c>query_accounts</c>: one query filter.</summary>
    QueryAccounts,

    /// <summary><c>query_transfers</c>: one query filter.</summary>
    QueryTransfers,

    /// <summary><c>get_change_events</c>: one change events filter.</summary>
    GetChangeEvents,

    /// <summary><c>help</c>: lists the operations and their fields; sends nothing.</summary>
    Help,
}
