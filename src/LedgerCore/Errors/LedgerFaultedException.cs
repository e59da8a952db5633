namespace LedgerCore;

/// <summary>The engine stopped accepting writes after an I/O error (see <see cref="Exception.InnerException"/> and <see cref="LedgerEngine.Fault"/>). Nothing unacknowledged was reported durable; reopen the data directory to recover.</summary>
public sealed class LedgerFaultedException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    public LedgerFaultedException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public LedgerFaultedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public LedgerFaultedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
