using System.Buffers;
using System.Globalization;
using System.Text.Json;

namespace LedgerCore.Tool.Export;

/// <summary>
/// JSON Lines: one object per row, keys the column names, 128-bit values as decimal strings, the rest as
/// numbers. The <see cref="Utf8JsonWriter"/> writes into a buffer that goes to the stream every 64 KiB,
/// and is reset after each row (one JSON value per line), so only a buffer's worth is ever held.
/// </summary>
internal sealed class JsonlRowWriter(Stream output) : RowWriter
{
    private const int FlushBytes = 1 << 16;
    private readonly ArrayBufferWriter<byte> _buffer = new(FlushBytes * 2);
    private Utf8JsonWriter? _json;
    private JsonEncodedText[] _columns = [];
    private int _column;

    public override void Begin(ExportColumn[] columns)
    {
        _columns = Array.ConvertAll(columns, c => JsonEncodedText.Encode(c.Name));
        _json = new Utf8JsonWriter(_buffer);
    }

    public override void BeginRow()
    {
        _column = 0;
        _json!.WriteStartObject();
    }

    public override void Field(UInt128 value)
    {
        Span<char> digits = stackalloc char[40]; // UInt128.MaxValue has 39 digits
        value.TryFormat(digits, out int written, default, CultureInfo.InvariantCulture);
        _json!.WriteString(_columns[_column++], digits[..written]);
    }

    public override void Field(ulong value) => _json!.WriteNumber(_columns[_column++], value);

    public override void EndRow()
    {
        _json!.WriteEndObject();
        _json.Flush(); // into _buffer: a copy in memory, no I/O
        _json.Reset();
        _buffer.GetSpan(1)[0] = (byte)'\n';
        _buffer.Advance(1);
        if (_buffer.WrittenCount >= FlushBytes) Drain();
    }

    public override void Finish()
    {
        Drain();
        output.Flush();
    }

    public override void Dispose() => _json?.Dispose();

    private void Drain()
    {
        output.Write(_buffer.WrittenSpan);
        _buffer.ResetWrittenCount();
    }
}
