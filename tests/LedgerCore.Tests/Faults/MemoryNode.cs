namespace LedgerCore.Tests.Faults;

/// <summary>
/// One file of a <see cref="FaultyStorage"/> (an inode: several names or open handles may refer to it).
/// Keeps what readers see (<see cref="Current"/>, the page cache) apart from what survives a crash
/// (<see cref="Durable"/>, what the last fsync made durable), and the operations in between.
/// </summary>
internal sealed class MemoryNode
{
    private byte[] _buffer = new byte[256];

    public long Length { get; private set; }

    public byte[] Durable { get; private set; } = [];

    /// <summary>Writes and truncations since the last flush, in order (null data: a truncation to Offset).</summary>
    public List<(long Offset, byte[]? Data)> Pending { get; } = [];

    public ReadOnlySpan<byte> Current => _buffer.AsSpan(0, (int)Length);

    public static MemoryNode FromDurable(byte[] content)
    {
        var node = new MemoryNode();
        node.SetCurrent(content);
        node.Durable = content.ToArray();
        return node;
    }

    public void Write(long offset, ReadOnlySpan<byte> data)
    {
        Apply(offset, data);
        Pending.Add((offset, data.ToArray()));
    }

    public void Truncate(long length)
    {
        SetLength(length);
        Pending.Add((length, null));
    }

    public int Read(long offset, Span<byte> buffer)
    {
        if (offset >= Length) return 0;
        int n = (int)Math.Min(buffer.Length, Length - offset);
        _buffer.AsSpan((int)offset, n).CopyTo(buffer);
        return n;
    }

    public void Flush()
    {
        Durable = Current.ToArray();
        Pending.Clear();
    }

    /// <summary>Flips one bit both in the page cache and on the "disk" (media corruption).</summary>
    public void FlipBit(long offset, int bit)
    {
        byte mask = (byte)(1 << bit);
        if (offset < Length) _buffer[offset] ^= mask;
        if (offset < Durable.Length) Durable[offset] ^= mask;
    }

    /// <summary>
    /// What a crash leaves of this file: the durable bytes, plus, with <paramref name="tornBytes"/>, the
    /// unsynced operations replayed with the last unsynced write cut after that many bytes (a torn write).
    /// </summary>
    public byte[] Survivor(int? tornBytes)
    {
        if (tornBytes is not { } keep || Pending.Count == 0) return Durable.ToArray();
        var image = FromDurable(Durable);
        int lastWrite = Pending.FindLastIndex(p => p.Data is not null);
        for (int i = 0; i < Pending.Count; i++)
        {
            (long offset, byte[]? data) = Pending[i];
            if (data is null) image.SetLength(offset);
            else image.Apply(offset, i == lastWrite ? data.AsSpan(0, Math.Min(keep, data.Length)) : data);
        }

        return image.Current.ToArray();
    }

    private void Apply(long offset, ReadOnlySpan<byte> data)
    {
        long end = offset + data.Length;
        if (end > Length) SetLength(end);
        data.CopyTo(_buffer.AsSpan((int)offset));
    }

    private void SetCurrent(byte[] content)
    {
        SetLength(content.Length);
        content.CopyTo(_buffer, 0);
    }

    private void SetLength(long length)
    {
        if (length > _buffer.Length)
        {
            Array.Resize(ref _buffer, (int)Math.Max(length, _buffer.Length * 2L));
        }
        else if (length < Length)
        {
            _buffer.AsSpan((int)length, (int)(Length - length)).Clear();
        }

        Length = length;
    }
}
