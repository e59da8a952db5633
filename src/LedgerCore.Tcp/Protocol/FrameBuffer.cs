using System.Buffers;

namespace LedgerCore.Tcp.Protocol;

/// <summary>
/// A pooled buffer that one outgoing frame is encoded into: the header's 16 bytes are reserved at the
/// front and filled by <see cref="Complete"/> once the body's length is known, so a frame goes to the
/// socket in one write. Not thread-safe.
/// </summary>
internal sealed class FrameBuffer : IBufferWriter<byte>, IDisposable
{
    private byte[]? _buffer;
    private int _written = FrameHeader.Size;

    /// <param name="bodySizeHint">Expected body size; a good hint avoids growing (a copy).</param>
    public FrameBuffer(int bodySizeHint) =>
        _buffer = ArrayPool<byte>.Shared.Rent(FrameHeader.Size + Math.Max(bodySizeHint, 64));

    /// <summary>Body bytes written so far.</summary>
    public int BodyLength => _written - FrameHeader.Size;

    /// <inheritdoc />
    public void Advance(int count) => _written += count;

    /// <inheritdoc />
    public Memory<byte> GetMemory(int sizeHint = 0) => Ensure(sizeHint).AsMemory(_written);

    /// <inheritdoc />
    public Span<byte> GetSpan(int sizeHint = 0) => Ensure(sizeHint).AsSpan(_written);

    /// <summary>Writes the header in front of the body and returns the whole frame.</summary>
    public ReadOnlyMemory<byte> Complete(TcpOperation operation, ulong requestId)
    {
        byte[] buffer = _buffer ?? throw new ObjectDisposedException(nameof(FrameBuffer));
        new FrameHeader(operation, (uint)BodyLength, requestId).Write(buffer);
        return buffer.AsMemory(0, _written);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        byte[]? buffer = _buffer;
        _buffer = null;
        if (buffer is not null) ArrayPool<byte>.Shared.Return(buffer);
    }

    private byte[] Ensure(int sizeHint)
    {
        byte[] buffer = _buffer ?? throw new ObjectDisposedException(nameof(FrameBuffer));
        int needed = _written + Math.Max(sizeHint, 1);
        if (needed <= buffer.Length) return buffer;

        byte[] larger = ArrayPool<byte>.Shared.Rent(Math.Max(needed, buffer.Length * 2));
        buffer.AsSpan(0, _written).CopyTo(larger);
        ArrayPool<byte>.Shared.Return(buffer);
        _buffer = larger;
        return larger;
    }
}
