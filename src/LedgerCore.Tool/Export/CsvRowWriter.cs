using System.Globalization;
using System.Text;

namespace LedgerCore.Tool.Export;

/// <summary>
/// CSV (RFC 4180, LF line ends, UTF-8 without BOM), hand-written rather than CsvHelper: every field is
/// an integer or a snake_case name, so nothing ever needs quoting, and formatting straight into the
/// writer's buffer avoids a string per field.
/// </summary>
internal sealed class CsvRowWriter(Stream output) : RowWriter
{
    private readonly StreamWriter _writer = new(output, new UTF8Encoding(false), 1 << 16, leaveOpen: true) { NewLine = "\n" };
    private bool _first;

    public override void Begin(ExportColumn[] columns)
    {
        for (int i = 0; i < columns.Length; i++)
        {
            if (i > 0) _writer.Write(',');
            _writer.Write(columns[i].Name);
        }

        _writer.Write('\n');
    }

    public override void BeginRow() => _first = true;

    public override void Field(UInt128 value) => Write(value);

    public override void Field(ulong value) => Write(value);

    public override void EndRow() => _writer.Write('\n');

    public override void Finish() => _writer.Flush();

    public override void Dispose() => _writer.Dispose();

    private void Write<T>(T value) where T : ISpanFormattable
    {
        if (!_first) _writer.Write(',');
        _first = false;
        Span<char> digits = stackalloc char[40]; // UInt128.MaxValue has 39 digits
        value.TryFormat(digits, out int written, default, CultureInfo.InvariantCulture);
        _writer.Write(digits[..written]);
    }
}
