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
        using var stream = new MemoryStream();
        using (var writer = new JsonlRowWriter(stream))
        {
            writer.Begin(LedgerExport.AccountColumns);
            LedgerExport.Row(writer, in account);
            writer.Finish();
        }

        return Encoding.UTF8.GetString(stream.GetBuffer(), 0, (int)stream.Length).TrimEnd('\n');
    }

    public static string Of(in Transfer transfer)
    {
        using var stream = new MemoryStream();
        using (var writer = new JsonlRowWriter(stream))
        {
            writer.Begin(LedgerExport.TransferColumns);
            LedgerExport.Row(writer, in transfer);
            writer.Finish();
        }

        return Encoding.UTF8.GetString(stream.GetBuffer(), 0, (int)stream.Length).TrimEnd('\n');
    }
}
