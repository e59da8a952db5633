namespace LedgerCore;

/// <summary>A writer's fencing token (epoch) is lower than one the ledger has already seen: the writer is stale and is rejected, never merged.</summary>
public sealed class StaleFencingTokenException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    public StaleFencingTokenException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public StaleFencingTokenException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public StaleFencingTokenException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
