namespace LedgerCore.Storage;

/// <summary>One open file of an <see cref="IStorage"/>. Positional I/O only; not thread-safe.</summary>
internal interface IStorageFile : IDisposable
{
    long Length { get; }

    /// <summary>Writes all of <paramref name="data"/> at <paramref name="offset"/>. Not durable until <see cref="Flush"/>.</summary>
    /// <exception cref="IOException">The write failed (EIO, ENOSPC, ...).</exception>
    void Write(long offset, ReadOnlySpan<byte> data);

    /// <summary>Reads up to <paramref name="buffer"/>.Length bytes at <paramref name="offset"/>; returns the count (0 at end).</summary>
    int Read(long offset, Span<byte> buffer);

    /// <summary>Makes every write so far durable (fsync).</summary>
    /// <exception cref="IOException">The flush failed; what was written since the last flush may be lost.</exception>
    void Flush();

    /// <summary>Cuts the file to <paramref name="length"/> bytes (used to drop a torn tail).</summary>
    void Truncate(long length);
}
