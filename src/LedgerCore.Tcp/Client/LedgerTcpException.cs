namespace LedgerCore.Tcp;

/// <summary>
/// The server answered a request (or the handshake) with an error frame. <see cref="Code"/> says why;
/// unless the code is one that closes the connection, the client stays usable.
/// </summary>
/// <remarks>
/// For <see cref="LedgerTcpErrorCode.OutcomeUnknown"/> the request may or may not have been applied:
/// resubmit the same ids, which is safe because creation is idempotent (<c>Exists</c>). For
/// <see cref="LedgerTcpErrorCode.NotLeader"/> likewise, to the server <see cref="LeaderEndpoint"/> names
/// (a <see cref="LedgerTcpClient"/> does this itself, see <see cref="LedgerTcpClientOptions.Endpoints"/>).
/// </remarks>
public sealed class LedgerTcpException : Exception
{
    /// <summary>Creates the exception with an error code and the server's message.</summary>
    public LedgerTcpException(LedgerTcpErrorCode code, string message)
        : base($"{code}: {message}") => Code = code;

    /// <summary>Creates a <see cref="LedgerTcpErrorCode.NotLeader"/> error (or any other) naming the leader's server.</summary>
    /// <param name="code">Why the server refused the request.</param>
    /// <param name="message">The server's message.</param>
    /// <param name="leaderEndpoint">The leader's server as <c>host:port</c>, or null when unknown.</param>
    public LedgerTcpException(LedgerTcpErrorCode code, string message, string? leaderEndpoint)
        : this(code, message) => LeaderEndpoint = leaderEndpoint;

    /// <summary>Creates the exception without a code.</summary>
    public LedgerTcpException()
    {
    }

    /// <summary>Creates the exception without a code.</summary>
    public LedgerTcpException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception without a code.</summary>
    public LedgerTcpException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Why the server refused or failed the request.</summary>
    public LedgerTcpErrorCode Code { get; }

    /// <summary>
    /// For <see cref="LedgerTcpErrorCode.NotLeader"/>: the server of the leader as <c>host:port</c> (an IPv6
    /// address in brackets), as the refusing server named it; null when it knows no leader (an election)
    /// and for every other code.
    /// </summary>
    public string? LeaderEndpoint { get; }
}
