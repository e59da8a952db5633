using LedgerCore.Storage;

namespace LedgerCore.Tests.Faults;

/// <summary>An open handle on a <see cref="FaultyStorage"/> file; every operation goes through the storage's fault plan.</summary>
internal sealed class FaultyStorageFile(FaultyStorage storage, string name, MemoryNode node, bool readOnly) : IStorageFile
{
    private bool _disposed;

    public long Length
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return storage.LengthOf(node);
        }
    }

    public void Write(long offset, ReadOnlySpan<byte> data)
    {
        ThrowIfNotWritable();
        storage.Write(name, node, offset, data);
    }

    public int Read(long offset, Span<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return storage.Read(node, offset, buffer);
    }

    public void Flush()
    {
        ThrowIfNotWritable();
        storage.Flush(name, node);
    }

    public void Truncate(long length)
    {
        ThrowIfNotWritable();
        storage.Truncate(node, length);
    }

    public void Dispose() => _disposed = true;

    private void ThrowIfNotWritable()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (readOnly) throw new UnauthorizedAccessException($"'{name}' was opened read-only.");
    }
}
