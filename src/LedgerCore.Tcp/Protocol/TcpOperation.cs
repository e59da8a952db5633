namespace LedgerCore.Tcp.Protocol;

/// <summary>
/// The operation byte of a frame header (offset 3). A response carries its request's operation; an
/// error frame carries <see cref="Error"/>. Values are part of the wire format: never renumber.
/// </summary>
internal enum TcpOperation : byte
{
    /// <summary>First frame of every connection: protocol version and token in, ledger id and limits out.</summary>
    Handshake = 0x01,

    /// <summary>Echoes a uint64; for liveness and round-trip time.</summary>
    Ping = 0x02,

    /// <summary><see cref="LedgerEngine.CreateAccountsAsync"/>.</summary>
    CreateAccounts = 0x10,

    /// <summary><see cref="LedgerEngine.CreateTransfersAsync"/>.</summary>
    CreateTransfers = 0x11,

    /// <summary><see cref="LedgerEngine.LookupAccountsAsync"/>.</summary>
    LookupAccounts = 0x12,

    /// <summary><see cref="LedgerEngine.LookupTransfersAsync"/>.</summary>
    LookupTransfers = 0x13,

    /// <summary><see cref="LedgerEngine.GetAccountTransfersAsync"/>.</summary>
    GetAccountTransfers = 0x14,

    /// <summary><see cref="LedgerEngine.GetAccountBalancesAsync"/>.</summary>
    GetAccountBalances = 0x15,

    /// <summary><see cref="LedgerEngine.QueryAccountsAsync"/>.</summary>
    QueryAccounts = 0x16,

    /// <summary><see cref="LedgerEngine.QueryTransfersAsync"/>.</summary>
    QueryTransfers = 0x17,

    /// <summary><see cref="LedgerEngine.GetChangeEventsAsync"/>.</summary>
    GetChangeEvents = 0x18,

    /// <summary>
    /// <see cref="LedgerEngine.BackupAsync"/> into a directory under the server's
    /// <see cref="LedgerTcpServerOptions.BackupDirectory"/>; an admin operation, off by default.
    /// </summary>
    Backup = 0x20,

    /// <summary>Server to client only: the request failed (body: code and message).</summary>
    Error = 0xFF,
}
