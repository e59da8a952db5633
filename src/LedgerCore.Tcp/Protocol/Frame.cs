using System.Buffers;

namespace LedgerCore.Tcp.Protocol;

/// <summary>One received frame: its header and its body in a pooled buffer, returned on <see cref="Dispose"/>.</summary>
internal sealed class Frame(FrameHeader header, byte[] buffer) : IDisposable
{
    private byte[]? _buffer = buffer;

    /// <summary>The parsed header.</summary>
    public FrameHeader Header { get; } = header;

    /// <summary>The MessagePack body, exactly <see cref="FrameHeader.BodyLength"/> bytes.</summary>
    public ReadOnlyMemory<byte> Body => (_buffer ?? throw new ObjectDisposedException(nameof(Frame))).AsMemory(0, (int)Header.BodyLength);

    /// <summary>Returns the body's buffer to the pool; the body must not be read afterwards.</summary>
    public void Dispose()
    {
        byte[]? buffer = Interlocked.Exchange(ref _buffer, null);
        if (buffer is not null) ArrayPool<byte>.Shared.Return(buffer);
    }
}
