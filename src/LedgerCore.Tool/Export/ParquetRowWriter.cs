using System.Globalization;
using Parquet;
using LedgerCore.Tool.Repl;
using Parquet.Schema;

namespace LedgerCore.Tool.Export;

/// <summary>
/// Apache Parquet through Parquet.Net: one row group per <see cref="RowGroupRows"/> rows, each column
/// buffered in a typed array until its group is written, so memory is bounded by one group whatever
/// the export's size. 128-bit values are decimal strings (see <see cref="ExportColumn"/>), the rest
/// unsigned integers of their width; no column is nullable. Parquet's footer comes last, so the file is
/// readable only once <see cref="Finish"/> has written it.
/// </summary>
internal sealed class ParquetRowWriter(Stream output) : RowWriter
{
    /// <summary>Rows per row group: about 10–20 MB of buffered columns, big enough for good compression.</summary>
    public const int RowGroupRows = 128 * 1024;

    private ExportColumn[] _columns = [];
    private DataField[] _fields = [];
    private Array[] _buffers = [];
    private ParquetWriter? _writer;
    private int _rows;
    private int _column;

    public override void Begin(ExportColumn[] columns)
    {
        _columns = columns;
        _fields = new DataField[columns.Length];
        _buffers = new Array[columns.Length];
        for (int i = 0; i < columns.Length; i++)
        {
            (_fields[i], _buffers[i]) = columns[i].Type switch
            {
                FieldKind.U128 => ((DataField)new DataField<string>(columns[i].Name, nullable: false), (Array)new string[RowGroupRows]),
                FieldKind.U64 => (new DataField<ulong>(columns[i].Name), new ulong[RowGroupRows]),
                FieldKind.U32 => (new DataField<uint>(columns[i].Name), new uint[RowGroupRows]),
                _ => (new DataField<ushort>(columns[i].Name), new ushort[RowGroupRows]),
            };
        }

        _writer = ParquetWriter.CreateAsync(new ParquetSchema(_fields), output).GetAwaiter().GetResult();
    }

    public override void BeginRow() => _column = 0;

    public override void Field(UInt128 value) => ((string[])_buffers[_column++])[_rows] = value.ToString(CultureInfo.InvariantCulture);

    public override void Field(ulong value)
    {
        switch (_buffers[_column++])
        {
            case ulong[] u64: u64[_rows] = value; break;
            case uint[] u32: u32[_rows] = checked((uint)value); break;
            case ushort[] u16: u16[_rows] = checked((ushort)value); break;
            default: throw new InvalidOperationException($"column '{_columns[_column - 1].Name}' is 128-bit");
        }
    }

    public override void EndRow()
    {
        if (++_rows == RowGroupRows) WriteRowGroup();
    }

    public override void Finish()
    {
        // An empty export still gets a valid file: the schema and no row group.
        if (_rows > 0) WriteRowGroup();
        _writer!.DisposeAsync().AsTask().GetAwaiter().GetResult(); // writes the footer
        _writer = null;
        output.Flush();
    }

    public override void Dispose() => _writer?.DisposeAsync().AsTask().GetAwaiter().GetResult();

    private void WriteRowGroup()
    {
        using (ParquetRowGroupWriter group = _writer!.CreateRowGroup())
        {
            for (int i = 0; i < _fields.Length; i++)
            {
                Task write = _buffers[i] switch
                {
                    string[] text => group.WriteAsync(_fields[i], new ArraySegment<string>(text, 0, _rows)),
                    ulong[] u64 => group.WriteAsync(_fields[i], new ReadOnlyMemory<ulong>(u64, 0, _rows)),
                    uint[] u32 => group.WriteAsync(_fields[i], new ReadOnlyMemory<uint>(u32, 0, _rows)),
                    ushort[] u16 => group.WriteAsync(_fields[i], new ReadOnlyMemory<ushort>(u16, 0, _rows)),
                    _ => throw new InvalidOperationException("unknown column buffer"),
                };
                write.GetAwaiter().GetResult();
            }
        }

        _rows = 0;
    }
}
