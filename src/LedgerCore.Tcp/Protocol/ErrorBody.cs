namespace LedgerCore.Tcp.Protocol;

/// <summary>
/// An error frame's body (docs/protocol.md, "Errors"): <c>[code, message]</c>, and for
/// <see cref="LedgerTcpErrorCode.NotLeader"/> a third element, the leader's <c>host:port</c> or nil.
/// </summary>
/// <param name="Code">Why the request failed.</param>
/// <param name="Message">For people; programs use the code.</param>
/// <param name="Leader">For <see cref="LedgerTcpErrorCode.NotLeader"/>: the leader's server as <c>host:port</c>, or null when unknown.</param>
internal readonly record struct ErrorBody(LedgerTcpErrorCode Code, string Message, string? Leader = null);
