namespace LedgerCore;

/// <summary>Another engine (in this or another process) holds the data directory's lock.</summary>
public sealed class LedgerLockedException : IOException
{
    /// <summary>Creates the exception.</summary>
    public LedgerLockedException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public LedgerLockedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public LedgerLockedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
