namespace LedgerCore;

/// <summary>
/// The data directory holds corruption that recovery must not skip: a record that fails its checksum
/// (or is out of sequence) before the journal's tail, a missing segment, or a snapshot that fails
/// verification with no older one to fall back on. Nothing was applied past the corruption.
/// </summary>
public sealed class LedgerCorruptedException : IOException
{
    /// <summary>Creates the exception.</summary>
    public LedgerCorruptedException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public LedgerCorruptedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public LedgerCorruptedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for corruption in <paramref name="file"/> at <paramref name="offset"/>.</summary>
    public LedgerCorruptedException(string file, long offset, string reason)
        : base($"Ledger data is corrupted in '{file}' at offset {offset}: {reason}.")
    {
        File = file;
        Offset = offset;
    }

    /// <summary>The file holding the corruption, when known.</summary>
    public string? File { get; }

    /// <summary>The byte offset of the corruption in <see cref="File"/>, or -1 when unknown.</summary>
    public long Offset { get; } = -1;
}
