using System.Buffers;

namespace LedgerCore.Tcp.Protocol;

/// <summary>
/// Reads frames from a stream, one at a time (not thread-safe: one reader per connection). The
/// length prefix is checked against the maximum frame size before any body buffer is rented, so a
/// hostile length costs nothing.
/// </summary>
internal sealed class FrameReader(Stream stream, int maxFrameBytes)
{
    private readonly byte[] _header = new byte[FrameHeader.Size];

    /// <summary>
    /// The next frame, or null when the peer closed the stream cleanly between frames.
    /// </summary>
    /// <exception cref="FrameException">The header is not valid (bad magic, version, or too large).</exception>
    /// <exception cref="EndOfStreamException">The stream ended inside a frame.</exception>
    public async ValueTask<Frame?> ReadAsync(CancellationToken cancellationToken)
    {
        int read = await stream.ReadAtLeastAsync(_header, FrameHeader.Size, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        if (read == 0) return null;
        if (read < FrameHeader.Size) throw new EndOfStreamException($"The stream ended after {read} of the header's {FrameHeader.Size} bytes.");

        LedgerTcpErrorCode error = FrameHeader.TryParse(_header, maxFrameBytes, out FrameHeader header);
        switch (error)
        {
            case LedgerTcpErrorCode.None: break;
            case LedgerTcpErrorCode.FrameTooLarge: throw new FrameException(error, $"The frame's body of {header.BodyLength} bytes exceeds the maximum frame size of {maxFrameBytes} bytes.", header.RequestId);
            case LedgerTcpErrorCode.UnsupportedVersion: throw new FrameException(error, $"Protocol version {_header[2]} is not supported; this side speaks version {FrameHeader.Version}.");
            default: throw new FrameException(error, "The frame does not start with the magic bytes 'LC'.");
        }

        byte[] body = ArrayPool<byte>.Shared.Rent((int)header.BodyLength);
        try
        {
            await stream.ReadExactlyAsync(body.AsMemory(0, (int)header.BodyLength), cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(body);
            throw;
        }

        return new Frame(header, body);
    }
}
