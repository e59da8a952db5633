namespace LedgerCore.Tcp;

/// <summary>
/// The connection to the server was lost (or could not be made). Requests that were in flight fail
/// with it and their outcome is unknown: resubmit them with the same ids, which is safe because
/// creation is idempotent (<c>Exists</c>). The client reconnects on the next call unless
/// <see cref="LedgerTcpClientOptions.AutoReconnect"/> is off; with <see cref="LedgerTcpClientOptions.RetryLostConnections"/>
/// on it sends the call again itself, and this exception reaches the caller only once the retries are spent.
/// </summary>
public sealed class LedgerTcpConnectionException : IOException
{
    /// <summary>Creates the exception with the reason the server gave before closing, if any.</summary>
    public LedgerTcpConnectionException(string message, LedgerTcpErrorCode code, Exception? innerException)
        : base(message, innerException) => Code = code;

    /// <summary>Creates the exception.</summary>
    public LedgerTcpConnectionException()
    {
    }

    /// <summary>Creates the exception.</summary>
    public LedgerTcpConnectionException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public LedgerTcpConnectionException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The reason the server sent before closing (e.g. <see cref="LedgerTcpErrorCode.ShuttingDown"/>), or <see cref="LedgerTcpErrorCode.None"/>.</summary>
    public LedgerTcpErrorCode Code { get; }
}
