using System.Buffers.Binary;

namespace LedgerCore.Tcp.Protocol;

/// <summary>
/// Writes the MessagePack formats of a record straight into a span sized for the record's widest
/// encoding, so a transfer costs one <c>GetSpan</c>/<c>Advance</c> pair instead of one per field.
/// Integers take their most compact unsigned form, as MessagePack-CSharp writes them.
/// </summary>
internal ref struct SpanWriter(Span<byte> buffer)
{
    private readonly Span<byte> _buffer = buffer;
    private int _position;

    /// <summary>Bytes written so far.</summary>
    public readonly int Written => _position;

    /// <summary>A fixarray header (at most 15 elements: every record here).</summary>
    public void WriteFixArrayHeader(int count)
    {
        System.Diagnostics.Debug.Assert(count is >= 0 and <= 15);
        _buffer[_position++] = (byte)(0x90 | count);
    }

    /// <summary>A bin 8 of 16 bytes, little-endian.</summary>
    public void Write(UInt128 value)
    {
        _buffer[_position] = 0xC4;
        _buffer[_position + 1] = 16;
        BinaryPrimitives.WriteUInt128LittleEndian(_buffer[(_position + 2)..], value);
        _position += 18;
    }

    public void Write(ulong value)
    {
        if (value <= 0x7F)
        {
            _buffer[_position++] = (byte)value;
        }
        else if (value <= byte.MaxValue)
        {
            _buffer[_position] = 0xCC;
            _buffer[_position + 1] = (byte)value;
            _position += 2;
        }
        else if (value <= ushort.MaxValue)
        {
            _buffer[_position] = 0xCD;
            BinaryPrimitives.WriteUInt16BigEndian(_buffer[(_position + 1)..], (ushort)value);
            _position += 3;
        }
        else if (value <= uint.MaxValue)
        {
            _buffer[_position] = 0xCE;
            BinaryPrimitives.WriteUInt32BigEndian(_buffer[(_position + 1)..], (uint)value);
            _position += 5;
        }
        else
        {
            _buffer[_position] = 0xCF;
            BinaryPrimitives.WriteUInt64BigEndian(_buffer[(_position + 1)..], value);
            _position += 9;
        }
    }
}
