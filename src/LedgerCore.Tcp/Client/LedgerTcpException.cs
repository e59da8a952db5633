namespace LedgerCore.Tcp;

/// <summary>
/// The server answered a request (or the handshake) with an error frame. <see cref="Code"/> says why;
/// unless the code is one that closes the connection, the client stays usable.
/// </summary>
/// <remarks>
/// For <see cref="LedgerTcpErrorCode.OutcomeUnknown"/> the request may or may not have been applied:
/// resubmit the same ids, which is safe because creation is idempotent (<c>Exists</c>).
/// </remarks>
public sealed class LedgerTcpException : Exception
{
    /// <summary>Creates the exception with an error code and the server's message.</summary>
    public LedgerTcpException(LedgerTcpErrorCode code, string message)
        : base($"{code}: {message}") => Code = code;

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
}
