using System.Buffers;
using System.Text;
using MessagePack;

namespace LedgerCore.Tcp.Protocol;

/// <summary>
/// Encodes and decodes whole frame bodies (docs/protocol.md, "Operations"): arrays of model records,
/// single filters, and the handshake, ping and error bodies. Decoders demand that the body is
/// consumed exactly: trailing bytes are a malformed body.
/// </summary>
internal static class BodyCodec
{
    /// <summary>The most events (or ids) one request may carry: the engine's batch limit.</summary>
    public const int BatchEventsMax = LedgerOptions.BatchEventsMax;

    /// <summary>Encoded size of a 16-byte id (bin 8 header plus payload).</summary>
    public const int IdBytes = 18;

    /// <summary>The widest MessagePack array header (array 32), counted in every bound so any encoding of the header fits.</summary>
    public const int ArrayHeaderBytesMax = 5;

    /// <summary>Elements of the handshake response this code knows; later ones are ignored (fields are only ever appended).</summary>
    private const int HandshakeResponseFields = 7;
    private const int BackupResultFields = 6;

    /// <summary>
    /// The most records one array body may hold in a frame of <paramref name="maxFrameBytes"/>: every
    /// record at its widest compact encoding (an account or transfer, <see cref="ModelCodec.EventBytesMax"/>
    /// bytes; balances, create results and ids are smaller), behind the header and the widest array
    /// header, and never more than <see cref="BatchEventsMax"/>. With the 2 MiB default this is 8190.
    /// </summary>
    public static int ResultsMaxFor(int maxFrameBytes) =>
        Math.Min(BatchEventsMax, (maxFrameBytes - FrameHeader.Size - ArrayHeaderBytesMax) / ModelCodec.EventBytesMax);

    /// <summary>
    /// The most change events one answer may hold in a frame of <paramref name="maxFrameBytes"/>: the same
    /// arithmetic as <see cref="ResultsMaxFor"/> with a change event's widest encoding
    /// (<see cref="ModelCodec.ChangeEventBytesMax"/>), and never more than the engine answers
    /// (<see cref="LedgerStateMachine.ChangeEventsMax"/>). With the 2 MiB default this is 2730.
    /// </summary>
    public static int ChangeEventsMaxFor(int maxFrameBytes) =>
        Math.Min(LedgerStateMachine.ChangeEventsMax, (maxFrameBytes - FrameHeader.Size - ArrayHeaderBytesMax) / ModelCodec.ChangeEventBytesMax);

    public static void WriteArray<T>(FrameBuffer buffer, ReadOnlySpan<T> items, ItemWriter<T> write)
    {
        var writer = new MessagePackWriter(buffer);
        writer.WriteArrayHeader(items.Length);
        foreach (ref readonly T item in items) write(ref writer, in item);
        writer.Flush();
    }

    public static void WriteValue<T>(FrameBuffer buffer, in T value, ItemWriter<T> write)
    {
        var writer = new MessagePackWriter(buffer);
        write(ref writer, in value);
        writer.Flush();
    }

    /// <summary>
    /// Reads an array body into an exact-length array, or — with <paramref name="pooled"/> — into an
    /// array rented from <see cref="ArrayPool{T}.Shared"/> whose first <paramref name="count"/> items are valid.
    /// </summary>
    /// <exception cref="FrameException">More than <paramref name="countMax"/> items (checked before allocating, and before the body's length).</exception>
    public static T[] ReadArray<T>(ReadOnlyMemory<byte> body, ItemReader<T> read, int countMax, bool pooled, out int count)
    {
        // The count is checked against the limit before against the body, so an array header above the
        // limit is BatchTooLarge whatever follows it (docs/protocol.md, "Which error wins").
        var reader = new SpanReader(body.Span);
        long declared = reader.ReadArrayCount();
        if (declared > countMax) throw new FrameException(LedgerTcpErrorCode.BatchTooLarge, $"The request holds {declared} items; this server takes at most {countMax}.");
        if (declared > reader.Remaining) throw SpanReader.ArrayTooLong(declared, reader.Remaining);
        count = (int)declared;

        T[] items = pooled ? ArrayPool<T>.Shared.Rent(Math.Max(count, 1)) : (count == 0 ? [] : new T[count]);
        try
        {
            for (int i = 0; i < count; i++) items[i] = read(ref reader);
            ExpectEnd(ref reader);
            return items;
        }
        catch
        {
            if (pooled) ArrayPool<T>.Shared.Return(items);
            throw;
        }
    }

    public static T ReadValue<T>(ReadOnlyMemory<byte> body, ItemReader<T> read)
    {
        var reader = new SpanReader(body.Span);
        T value = read(ref reader);
        ExpectEnd(ref reader);
        return value;
    }

    public static void WriteHandshakeRequest(ref MessagePackWriter writer, in string? token)
    {
        writer.WriteArrayHeader(2);
        writer.Write((uint)FrameHeader.Version);
        writer.Write(token);
    }

    public static (uint Version, string? Token) ReadHandshakeRequest(ref SpanReader reader)
    {
        ModelCodec.ExpectArray(ref reader, 2, "handshake request");
        return (reader.ReadUInt32(), reader.ReadString());
    }

    public static void WriteHandshakeResponse(ref MessagePackWriter writer, in HandshakeResponse response)
    {
        writer.WriteArrayHeader(HandshakeResponseFields);
        writer.Write(response.Version);
        ModelCodec.Write(ref writer, response.LedgerId);
        writer.Write(response.MaxFrameBytes);
        writer.Write(response.BatchEventsMax);
        writer.Write(response.MaxInFlight);
        writer.Write(response.ResultsMax);
        writer.Write(response.ChangeEventsMax);
    }

    /// <summary>
    /// Reads the fields this code knows and ignores any appended after them (and their bytes): a newer
    /// server may announce more without breaking this client.
    /// </summary>
    public static HandshakeResponse ReadHandshakeResponse(ReadOnlyMemory<byte> body)
    {
        var reader = new SpanReader(body.Span);
        int fields = reader.ReadArrayHeader();
        if (fields < HandshakeResponseFields) throw new MessagePackSerializationException($"A handshake response is an array of at least {HandshakeResponseFields} elements, not {fields}.");
        return new HandshakeResponse(reader.ReadUInt32(), ModelCodec.ReadUInt128(ref reader), reader.ReadInt32(), reader.ReadInt32(), reader.ReadInt32(), reader.ReadInt32(), reader.ReadInt32());
    }

    /// <summary>Two elements, three for <see cref="LedgerTcpErrorCode.NotLeader"/> (its leader, str or nil).</summary>
    public static void WriteError(ref MessagePackWriter writer, in ErrorBody error)
    {
        bool notLeader = error.Code == LedgerTcpErrorCode.NotLeader;
        writer.WriteArrayHeader(notLeader ? 3 : 2);
        writer.Write((uint)error.Code);
        writer.Write(error.Message);
        if (notLeader) writer.Write(error.Leader);
    }

    /// <summary>
    /// Reads the code, the message and (when present) the third element, the leader (str or nil); later
    /// elements, and their bytes, are ignored, as in the handshake response (fields are only appended).
    /// </summary>
    public static ErrorBody ReadError(ReadOnlyMemory<byte> body)
    {
        var reader = new SpanReader(body.Span);
        int fields = reader.ReadArrayHeader();
        if (fields < 2) throw new MessagePackSerializationException($"An error is an array of at least 2 elements, not {fields}.");
        var code = (LedgerTcpErrorCode)reader.ReadUInt32();
        string message = reader.ReadString() ?? string.Empty;
        return new ErrorBody(code, message, fields >= 3 ? reader.ReadString() : null);
    }

    /// <summary>A Backup request: <c>[destination str]</c>.</summary>
    public static void WriteBackupRequest(ref MessagePackWriter writer, in string destination)
    {
        writer.WriteArrayHeader(1);
        writer.Write(destination);
    }

    public static string ReadBackupRequest(ref SpanReader reader)
    {
        ModelCodec.ExpectArray(ref reader, 1, "backup request");
        return reader.ReadString() ?? throw new MessagePackSerializationException("A backup request's destination is a str, not nil.");
    }

    /// <summary>A Backup answer: <c>[directory str, sequence u64, commit_timestamp u64, digest u128, bytes u64, duration_us u64]</c>.</summary>
    public static void WriteBackupResult(ref MessagePackWriter writer, in LedgerBackup backup)
    {
        writer.WriteArrayHeader(BackupResultFields);
        writer.Write(backup.Directory);
        writer.Write((ulong)backup.Sequence);
        writer.Write(backup.CommitTimestamp);
        ModelCodec.Write(ref writer, backup.Digest);
        writer.Write((ulong)backup.Bytes);
        writer.Write((ulong)(backup.Duration.Ticks / TimeSpan.TicksPerMicrosecond));
    }

    public static LedgerBackup ReadBackupResult(ref SpanReader reader)
    {
        ModelCodec.ExpectArray(ref reader, BackupResultFields, "backup result");
        string directory = reader.ReadString() ?? throw new MessagePackSerializationException("A backup result's directory is a str, not nil.");
        ulong sequence = reader.ReadUInt64();
        ulong commitTimestamp = reader.ReadUInt64();
        UInt128 digest = ModelCodec.ReadUInt128(ref reader);
        ulong bytes = reader.ReadUInt64();
        ulong micros = reader.ReadUInt64();
        if (sequence > long.MaxValue || bytes > long.MaxValue || micros > (ulong)(TimeSpan.MaxValue.Ticks / TimeSpan.TicksPerMicrosecond)) throw new MessagePackSerializationException("A backup result's value is out of range.");
        return new LedgerBackup(directory, (long)sequence, commitTimestamp, digest, (long)bytes, TimeSpan.FromMicroseconds(micros));
    }

    public static void WriteUInt64(ref MessagePackWriter writer, in ulong value) => writer.Write(value);

    public static ulong ReadUInt64(ref SpanReader reader) => reader.ReadUInt64();

    public static void WriteId(ref MessagePackWriter writer, in UInt128 id) => ModelCodec.Write(ref writer, id);

    public static void WriteAccountFailure(ref MessagePackWriter writer, in CreateAccountsResult failure) =>
        ModelCodec.WriteFailure(ref writer, failure.Index, (uint)failure.Result);

    public static void WriteTransferFailure(ref MessagePackWriter writer, in CreateTransfersResult failure) =>
        ModelCodec.WriteFailure(ref writer, failure.Index, (uint)failure.Result);

    public static CreateAccountsResult ReadAccountFailure(ref SpanReader reader)
    {
        (int index, uint result) = ModelCodec.ReadFailure(ref reader);
        return new CreateAccountsResult(index, (CreateAccountResult)result);
    }

    public static CreateTransfersResult ReadTransferFailure(ref SpanReader reader)
    {
        (int index, uint result) = ModelCodec.ReadFailure(ref reader);
        return new CreateTransfersResult(index, (CreateTransferResult)result);
    }

    /// <summary>An error message cut to a size that always fits a frame.</summary>
    public static string Clip(string message) => message.Length <= 1024 ? message : message[..1024];

    /// <summary>Whether an exception thrown while decoding means the body is malformed (rather than a bug).</summary>
    public static bool IsMalformed(Exception exception) =>
        exception is MessagePackSerializationException or EndOfStreamException or OverflowException
            or InvalidOperationException or ArgumentException or FormatException or DecoderFallbackException;

    private static void ExpectEnd(ref SpanReader reader)
    {
        if (!reader.End) throw new MessagePackSerializationException("The body has bytes after its last value.");
    }
}
