using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace LedgerCore.Tool.Repl;

/// <summary>
/// Prints results as TigerBeetle's REPL does: one JSON object per account, transfer, balance or change
/// event, fields in protocol order by their snake_case names, flags as a list of names; and for a create,
/// only the events that failed, as <c>Failed to create account (index): result_name.</c>. By default each
/// object is indented over several lines; with <c>--json</c> each is one compact line (JSON lines) and a
/// failed create prints <c>{"index":0,"result":"exists"}</c>. 128-bit values are decimal strings (JSON
/// numbers lose precision past 2^53 in most readers); narrower integers are JSON numbers.
/// </summary>
internal sealed class ResultPrinter(TextWriter output, bool json)
{
    private readonly ArrayBufferWriter<byte> _buffer = new();

    /// <summary>The events a create refused: <paramref name="noun"/> is "account" or "transfer".</summary>
    public void CreateFailures(string noun, IReadOnlyList<(int Index, string Result)> failures)
    {
        foreach ((int index, string result) in failures)
        {
            if (json)
            {
                Write(w =>
                {
                    w.WriteStartObject();
                    w.WriteNumber("index", index);
                    w.WriteString("result", result);
                    w.WriteEndObject();
                });
            }
            else
            {
                output.WriteLine($"Failed to create {noun} ({index.ToString(CultureInfo.InvariantCulture)}): {result}.");
            }
        }
    }

    /// <summary>Accounts or transfers; in text mode <paramref name="none"/> (e.g. "No accounts were found.") when there are none.</summary>
    public void Objects<T>(T[] items, ReplField<T>[] fields, string none)
    {
        if (items.Length == 0 && !json) output.WriteLine(none);
        foreach (T item in items) Write(w => WriteObject(w, item, fields));
    }

    /// <summary>The balances of get_account_balances.</summary>
    public void Balances(AccountBalance[] balances)
    {
        if (balances.Length == 0 && !json) output.WriteLine("No balances were found (they are kept only for accounts with flags=history).");
        foreach (AccountBalance balance in balances)
        {
            Write(w =>
            {
                w.WriteStartObject();
                w.WriteString("debits_pending", Decimal(balance.DebitsPending));
                w.WriteString("debits_posted", Decimal(balance.DebitsPosted));
                w.WriteString("credits_pending", Decimal(balance.CreditsPending));
                w.WriteString("credits_posted", Decimal(balance.CreditsPosted));
                w.WriteNumber("timestamp", balance.Timestamp);
                w.WriteEndObject();
            });
        }
    }

    /// <summary>The events of get_change_events, each with its transfer and both accounts as they were right after it.</summary>
    public void ChangeEvents(ChangeEvent[] events)
    {
        if (events.Length == 0 && !json) output.WriteLine("No change events were found.");
        foreach (ChangeEvent change in events)
        {
            Write(w =>
            {
                w.WriteStartObject();
                w.WriteString("type", SnakeCase.Of(change.Type));
                w.WriteNumber("timestamp", change.Timestamp);
                w.WritePropertyName("transfer");
                WriteObject(w, change.Transfer, ReplSchema.Transfer);
                w.WritePropertyName("debit_account");
                WriteObject(w, change.DebitAccount, ReplSchema.Account);
                w.WritePropertyName("credit_account");
                WriteObject(w, change.CreditAccount, ReplSchema.Account);
                w.WriteEndObject();
            });
        }
    }

    /// <summary>The operations, their fields and the flag names (the <c>help</c> statement).</summary>
    public void Help()
    {
        var text = new StringBuilder();
        text.AppendLine("Statements end with ';' and may span lines. Objects are separated by ','; fields are name=value.");
        text.AppendLine("Values: decimal, 0x hex, 0b binary, 0o octal, -N (the field's maximum minus N); flags: names joined by '|'.");
        text.AppendLine("Examples:");
        text.AppendLine("  create_accounts id=1 ledger=700 code=10, id=2 ledger=700 code=10 flags=debits_must_not_exceed_credits;");
        text.AppendLine("  create_transfers id=1 debit_account_id=1 credit_account_id=2 amount=10 ledger=700 code=10;");
        text.AppendLine("  lookup_accounts id=1, id=2;");
        text.AppendLine("  get_account_transfers account_id=1 flags=debits|credits limit=10;");
        text.AppendLine("Operations and their fields:");
        Line(text, "create_accounts", ReplSchema.Account);
        Line(text, "create_transfers", ReplSchema.Transfer);
        Line(text, "lookup_accounts, lookup_transfers", ReplSchema.Id);
        Line(text, "get_account_transfers, get_account_balances", ReplSchema.AccountFilter);
        Line(text, "query_accounts, query_transfers", ReplSchema.QueryFilter);
        Line(text, "get_change_events", ReplSchema.ChangeEventsFilter);
        output.Write(text.ToString());
    }

    /// <summary>The decimal digits of a 128-bit value.</summary>
    public static string Decimal(UInt128 value) => value.ToString(CultureInfo.InvariantCulture);

    private static void Line<T>(StringBuilder text, string operations, ReplField<T>[] fields)
    {
        text.Append("  ").Append(operations).Append(':');
        foreach (ReplField<T> field in fields)
        {
            text.Append(' ').Append(field.Name);
            if (field.Flags is not null)
            {
                text.Append("=(");
                for (int i = 0; i < field.Flags.Length; i++) text.Append(i == 0 ? string.Empty : "|").Append(field.Flags[i].Name);
                text.Append(')');
            }
        }

        text.AppendLine();
    }

    private static void WriteObject<T>(Utf8JsonWriter w, T item, ReplField<T>[] fields)
    {
        w.WriteStartObject();
        foreach (ReplField<T> field in fields)
        {
            UInt128 value = field.Get(item);
            if (field.Flags is not null)
            {
                w.WriteStartArray(field.Name);
                foreach (ReplFlag flag in field.Flags)
                {
                    if ((value & flag.Value) == 0) continue;
                    w.WriteStringValue(flag.Name);
                    value &= ~flag.Value;
                }

                // Bits without a name (reserved ones) are printed as their number rather than dropped.
                if (value != 0) w.WriteStringValue(Decimal(value));
                w.WriteEndArray();
            }
            else if (field.Kind == FieldKind.U128)
            {
                w.WriteString(field.Name, Decimal(value));
            }
            else
            {
                w.WriteNumber(field.Name, (ulong)value);
            }
        }

        w.WriteEndObject();
    }

    private void Write(Action<Utf8JsonWriter> write)
    {
        _buffer.ResetWrittenCount();
        using (var writer = new Utf8JsonWriter(_buffer, new JsonWriterOptions { Indented = !json, NewLine = "\n" }))
        {
            write(writer);
        }

        output.WriteLine(Encoding.UTF8.GetString(_buffer.WrittenSpan));
    }
}
