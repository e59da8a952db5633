using System.Text;
using LedgerCore.Tool.Export;

namespace LedgerCore.Tool.Inspect;

/// <summary>
/// One account or transfer as a JSON object, in exactly the form <c>export --format jsonl</c> writes it
/// (the same columns, the same writer), so what inspect shows can be compared with an export line for line.
/// </summary>
internal static class EventJson
{
    public static string Of(in Account account)
    {
        Account copy = account;
        return Of(LedgerExport.AccountColumns, writer => LedgerExport.Row(writer, in copy));
    }

    public static string Of(in Transfer transfer)
    {
        Transfer copy = transfer;
        return Of(LedgerExport.TransferColumns, writer => LedgerExport.Row(writer, in copy));
    }

    private static string Of(ExportColumn[] columns, Action<RowWriter> row)
    {
        using var stream = new MemoryStream();
        using (var writer = new JsonlRowWriter(stream))
        {
            writer.Begin(columns);
            row(writer);
            writer.Finish();
        }

        return Encoding.UTF8.GetString(stream.GetBuffer(), 0, (int)stream.Length).TrimEnd('\n');
    }
}
