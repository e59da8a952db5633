namespace LedgerCore.Tests.Properties;

/// <summary>
/// A broken property. Thrown (not an NUnit assertion) so FsCheck sees a plain failure it can
/// shrink without NUnit recording every intermediate shrink step as a failure.
/// </summary>
public sealed class PropertyFailedException : Exception
{
    /// <summary>Creates the failure.</summary>
    public PropertyFailedException()
    {
    }

    /// <summary>Creates the failure with what went wrong.</summary>
    public PropertyFailedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the failure with what went wrong and why.</summary>
    public PropertyFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Throws when <paramref name="condition"/> is false.</summary>
    public static void Unless(bool condition, Func<string> message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (!condition) throw new PropertyFailedException(message());
    }
}
