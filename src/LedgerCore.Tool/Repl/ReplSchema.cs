namespace LedgerCore.Tool.Repl;

/// <summary>
/// The fields of every object a statement builds, in the order of docs/protocol.md (which is the order
/// they print in). Every field is settable, including those the server requires to be zero on create
/// (balances, <c>reserved</c>, <c>timestamp</c> unless imported): the server's result code then says why.
/// </summary>
internal static class ReplSchema
{
    private static readonly ReplFlag[] AccountFlagNames = ReplFlag.Of<AccountFlags>();
    private static readonly ReplFlag[] TransferFlagNames = ReplFlag.Of<TransferFlags>();
    private static readonly ReplFlag[] AccountFilterFlagNames = ReplFlag.Of<AccountFilterFlags>();
    private static readonly ReplFlag[] QueryFilterFlagNames = ReplFlag.Of<QueryFilterFlags>();

    /// <summary>The fields of an <see cref="LedgerCore.Account"/>.</summary>
    public static ReplField<Account>[] Account { get; } =
    [
        new("id", FieldKind.U128, (ref Account a, UInt128 v) => a.Id = v, a => a.Id),
        new("debits_pending", FieldKind.U128, (ref Account a, UInt128 v) => a.DebitsPending = v, a => a.DebitsPending),
        new("debits_posted", FieldKind.U128, (ref Account a, UInt128 v) => a.DebitsPosted = v, a => a.DebitsPosted),
        new("credits_pending", FieldKind.U128, (ref Account a, UInt128 v) => a.CreditsPending = v, a => a.CreditsPending),
        new("credits_posted", FieldKind.U128, (ref Account a, UInt128 v) => a.CreditsPosted = v, a => a.CreditsPosted),
        new("user_data_128", FieldKind.U128, (ref Account a, UInt128 v) => a.UserData128 = v, a => a.UserData128),
        new("user_data_64", FieldKind.U64, (ref Account a, UInt128 v) => a.UserData64 = (ulong)v, a => a.UserData64),
        new("user_data_32", FieldKind.U32, (ref Account a, UInt128 v) => a.UserData32 = (uint)v, a => a.UserData32),
        new("reserved", FieldKind.U32, (ref Account a, UInt128 v) => a.Reserved = (uint)v, a => a.Reserved),
        new("ledger", FieldKind.U32, (ref Account a, UInt128 v) => a.Ledger = (uint)v, a => a.Ledger),
        new("code", FieldKind.U16, (ref Account a, UInt128 v) => a.Code = (ushort)v, a => a.Code),
        new("flags", FieldKind.U16, (ref Account a, UInt128 v) => a.Flags = (AccountFlags)(ushort)v, a => (ushort)a.Flags, AccountFlagNames),
        new("timestamp", FieldKind.U64, (ref Account a, UInt128 v) => a.Timestamp = (ulong)v, a => a.Timestamp),
    ];

    /// <summary>The fields of a <see cref="LedgerCore.Transfer"/>.</summary>
    public static ReplField<Transfer>[] Transfer { get; } =
    [
        new("id", FieldKind.U128, (ref Transfer t, UInt128 v) => t.Id = v, t => t.Id),
        new("debit_account_id", FieldKind.U128, (ref Transfer t, UInt128 v) => t.DebitAccountId = v, t => t.DebitAccountId),
        new("credit_account_id", FieldKind.U128, (ref Transfer t, UInt128 v) => t.CreditAccountId = v, t => t.CreditAccountId),
        new("amount", FieldKind.U128, (ref Transfer t, UInt128 v) => t.Amount = v, t => t.Amount),
        new("pending_id", FieldKind.U128, (ref Transfer t, UInt128 v) => t.PendingId = v, t => t.PendingId),
        new("user_data_128", FieldKind.U128, (ref Transfer t, UInt128 v) => t.UserData128 = v, t => t.UserData128),
        new("user_data_64", FieldKind.U64, (ref Transfer t, UInt128 v) => t.UserData64 = (ulong)v, t => t.UserData64),
        new("user_data_32", FieldKind.U32, (ref Transfer t, UInt128 v) => t.UserData32 = (uint)v, t => t.UserData32),
        new("timeout", FieldKind.U32, (ref Transfer t, UInt128 v) => t.Timeout = (uint)v, t => t.Timeout),
        new("ledger", FieldKind.U32, (ref Transfer t, UInt128 v) => t.Ledger = (uint)v, t => t.Ledger),
        new("code", FieldKind.U16, (ref Transfer t, UInt128 v) => t.Code = (ushort)v, t => t.Code),
        new("flags", FieldKind.U16, (ref Transfer t, UInt128 v) => t.Flags = (TransferFlags)(ushort)v, t => (ushort)t.Flags, TransferFlagNames),
        new("timestamp", FieldKind.U64, (ref Transfer t, UInt128 v) => t.Timestamp = (ulong)v, t => t.Timestamp),
    ];

    /// <summary>The one field of a lookup: <c>id</c>.</summary>
    public static ReplField<UInt128>[] Id { get; } = [new("id", FieldKind.U128, (ref UInt128 id, UInt128 v) => id = v, id => id)];

    /// <summary>The fields of an <see cref="LedgerCore.AccountFilter"/> (get_account_transfers, get_account_balances).</summary>
    public static ReplField<AccountFilter>[] AccountFilter { get; } =
    [
        new("account_id", FieldKind.U128, (ref AccountFilter f, UInt128 v) => f.AccountId = v, f => f.AccountId),
        new("user_data_128", FieldKind.U128, (ref AccountFilter f, UInt128 v) => f.UserData128 = v, f => f.UserData128),
        new("user_data_64", FieldKind.U64, (ref AccountFilter f, UInt128 v) => f.UserData64 = (ulong)v, f => f.UserData64),
        new("user_data_32", FieldKind.U32, (ref AccountFilter f, UInt128 v) => f.UserData32 = (uint)v, f => f.UserData32),
        new("code", FieldKind.U16, (ref AccountFilter f, UInt128 v) => f.Code = (ushort)v, f => f.Code),
        new("timestamp_min", FieldKind.U64, (ref AccountFilter f, UInt128 v) => f.TimestampMin = (ulong)v, f => f.TimestampMin),
        new("timestamp_max", FieldKind.U64, (ref AccountFilter f, UInt128 v) => f.TimestampMax = (ulong)v, f => f.TimestampMax),
        new("limit", FieldKind.U32, (ref AccountFilter f, UInt128 v) => f.Limit = (uint)v, f => f.Limit),
        new("flags", FieldKind.U32, (ref AccountFilter f, UInt128 v) => f.Flags = (AccountFilterFlags)(uint)v, f => (uint)f.Flags, AccountFilterFlagNames),
    ];

    /// <summary>The fields of a <see cref="LedgerCore.QueryFilter"/> (query_accounts, query_transfers).</summary>
    public static ReplField<QueryFilter>[] QueryFilter { get; } =
    [
        new("user_data_128", FieldKind.U128, (ref QueryFilter f, UInt128 v) => f.UserData128 = v, f => f.UserData128),
        new("user_data_64", FieldKind.U64, (ref QueryFilter f, UInt128 v) => f.UserData64 = (ulong)v, f => f.UserData64),
        new("user_data_32", FieldKind.U32, (ref QueryFilter f, UInt128 v) => f.UserData32 = (uint)v, f => f.UserData32),
        new("ledger", FieldKind.U32, (ref QueryFilter f, UInt128 v) => f.Ledger = (uint)v, f => f.Ledger),
        new("code", FieldKind.U16, (ref QueryFilter f, UInt128 v) => f.Code = (ushort)v, f => f.Code),
        new("timestamp_min", FieldKind.U64, (ref QueryFilter f, UInt128 v) => f.TimestampMin = (ulong)v, f => f.TimestampMin),
        new("timestamp_max", FieldKind.U64, (ref QueryFilter f, UInt128 v) => f.TimestampMax = (ulong)v, f => f.TimestampMax),
        new("limit", FieldKind.U32, (ref QueryFilter f, UInt128 v) => f.Limit = (uint)v, f => f.Limit),
        new("flags", FieldKind.U32, (ref QueryFilter f, UInt128 v) => f.Flags = (QueryFilterFlags)(uint)v, f => (uint)f.Flags, QueryFilterFlagNames),
    ];

    /// <summary>The fields of a <see cref="LedgerCore.ChangeEventsFilter"/> (get_change_events).</summary>
    public static ReplField<ChangeEventsFilter>[] ChangeEventsFilter { get; } =
    [
        new("timestamp_min", FieldKind.U64, (ref ChangeEventsFilter f, UInt128 v) => f = f with { TimestampMin = (ulong)v }, f => f.TimestampMin),
        new("timestamp_max", FieldKind.U64, (ref ChangeEventsFilter f, UInt128 v) => f = f with { TimestampMax = (ulong)v }, f => f.TimestampMax),
        new("limit", FieldKind.U32, (ref ChangeEventsFilter f, UInt128 v) => f = f with { Limit = (uint)v }, f => f.Limit),
    ];
}
