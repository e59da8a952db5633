using System.Buffers.Binary;

namespace LedgerCore.Tcp.Protocol;

/// <summary>
/// The fixed 16-byte header in front of every frame, little-endian:
/// <c>'L' 'C' version:u8 operation:u8 bodyLength:u32 requestId:u64</c>.
/// </summary>
/// <remarks>
/// The length comes before the request id so a reader knows the frame's size after 8 bytes, and the
/// magic is checked first so a stream of garbage is refused on its first frame.
/// </remarks>
internal readonly record struct FrameHeader(TcpOperation Operation, uint BodyLength, ulong RequestId)
{
    /// <summary>Size of the header in bytes.</summary>
    public const int Size = 16;

    /// <summary>First magic byte, ASCII 'L'.</summary>
    public const byte Magic0 = (byte)'L';

    /// <summary>Second magic byte, ASCII 'C'.</summary>
    public const byte Magic1 = (byte)'C';

    /// <summary>The protocol version this code speaks, in every header and in the handshake.</summary>
    public const byte Version = 1;

    /// <summary>Writes the header into the first <see cref="Size"/> bytes of <paramref name="destination"/>.</summary>
    public void Write(Span<byte> destination)
    {
        destination[0] = Magic0;
        destination[1] = Magic1;
        destination[2] = Version;
        destination[3] = (byte)Operation;
        BinaryPrimitives.WriteUInt32LittleEndian(destination[4..], BodyLength);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[8..], RequestId);
    }

    /// <summary>
    /// Parses a header, checking only what must hold before the body can be read: magic, version and
    /// that the whole frame fits in <paramref name="maxFrameBytes"/>. The operation is not checked
    /// here, so a frame with an unknown operation can still be skipped by its length.
    /// </summary>
    public static LedgerTcpErrorCode TryParse(ReadOnlySpan<byte> source, int maxFrameBytes, out FrameHeader header)
    {
        header = new FrameHeader(
            (TcpOperation)source[3],
            BinaryPrimitives.ReadUInt32LittleEndian(source[4..]),
            BinaryPrimitives.ReadUInt64LittleEndian(source[8..]));
        if (source[0] != Magic0 || source[1] != Magic1) return LedgerTcpErrorCode.BadMagic;
        if (source[2] != Version) return LedgerTcpErrorCode.UnsupportedVersion;
        if (header.BodyLength > (uint)(maxFrameBytes - Size)) return LedgerTcpErrorCode.FrameTooLarge;
        return LedgerTcpErrorCode.None;
    }
}
