namespace LedgerCore.Tcp;

/// <summary>
/// Why the server refused or failed a request: the code of an error frame. Values are part of the
/// wire format (docs/protocol.md) and never renumbered. Codes marked "closes" are followed by the
/// server closing the connection; after the others the connection stays usable.
/// </summary>
public enum LedgerTcpErrorCode : uint
{
    /// <summary>Not an error; never sent.</summary>
    None = 0,

    /// <summary>The header's magic bytes are wrong: the stream is not this protocol. Closes.</summary>
    BadMagic = 1,

    /// <summary>The header's or handshake's protocol version is not one the server speaks. Closes.</summary>
    UnsupportedVersion = 2,

    /// <summary>The frame's length prefix exceeds the server's maximum frame size; nothing was allocated. Closes.</summary>
    FrameTooLarge = 3,

    /// <summary>The operation byte names no operation; the frame was skipped.</summary>
    UnknownOperation = 4,

    /// <summary>The body is not the MessagePack the operation expects; the frame was skipped.</summary>
    MalformedBody = 5,

    /// <summary>The request holds more events than the handshake's <c>batch_events_max</c>, or more ids than its <c>results_max</c>; nothing of it was applied.</summary>
    BatchTooLarge = 6,

    /// <summary>An operation arrived before a successful handshake. Closes.</summary>
    HandshakeRequired = 7,

    /// <summary>The handshake's token does not match the server's. Closes.</summary>
    AuthenticationFailed = 8,

    /// <summary>The server already holds its maximum number of connections. Closes.</summary>
    TooManyConnections = 9,

    /// <summary>The handshake did not complete in time. Closes.</summary>
    HandshakeTimeout = 10,

    /// <summary>The connection was idle for the idle timeout: no whole frame either way and no request in flight (a frame left half sent counts as idle). Closes.</summary>
    IdleTimeout = 11,

    /// <summary>The server is stopping and accepts no new requests. Closes.</summary>
    ShuttingDown = 12,

    /// <summary>The engine stopped accepting writes after an earlier I/O error; nothing of this request was applied.</summary>
    EngineFaulted = 13,

    /// <summary>The journal write failed: the outcome is unknown. Resubmit with the same ids (creation is idempotent).</summary>
    OutcomeUnknown = 14,

    /// <summary>An unexpected server error; the message says more.</summary>
    InternalError = 15,

    /// <summary>
    /// The ledger behind this server is a replica that is not the leader. The error body's third element
    /// names the leader's server as <c>host:port</c> (nil when unknown, e.g. during an election); see
    /// <see cref="LedgerTcpException.LeaderEndpoint"/>. Refused on arrival nothing was applied, but a
    /// create in flight when the leader was deposed has an unknown outcome: resubmit the same ids to the
    /// leader (creation is idempotent: <c>Exists</c>).
    /// </summary>
    NotLeader = 16,

    /// <summary>A Backup request reached a server that does not allow backups (<see cref="LedgerTcpServerOptions.BackupDirectory"/> is not set). Nothing was written.</summary>
    BackupNotEnabled = 17,

    /// <summary>A Backup request reached a server whose ledger cannot be backed up online (it is not a <see cref="LedgerEngine"/>, e.g. a replicated ledger). Nothing was written.</summary>
    BackupNotSupported = 18,

    /// <summary>
    /// The backup was refused or failed: the destination is not a relative path inside the server's backup
    /// directory, or it exists and is not empty, or writing failed (the server logs why). Nothing of the
    /// backup is left.
    /// </summary>
    BackupFailed = 19,
}
