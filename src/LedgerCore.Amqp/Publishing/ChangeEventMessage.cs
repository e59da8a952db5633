using System.Buffers;
using System.Globalization;
using System.Text.Json;
using RabbitMQ.Client;

namespace LedgerCore.Amqp.Publishing;

/// <summary>
/// How one change event goes on the wire (docs/cdc.md): routing key <c>ledger.&lt;ledger&gt;.&lt;type&gt;</c>,
/// persistent, message id = the event's timestamp, headers for routing and de-duplication, and a compact
/// JSON body in which every 64- and 128-bit value is a decimal string.
/// </summary>
internal static class ChangeEventMessage
{
    public const string ContentType = "application/json";
    public const string AppId = "ledgercore";

    private static readonly string[] TypeNames = ["single_phase", "two_phase_pending", "two_phase_posted", "two_phase_voided", "two_phase_expired"];

    /// <summary>The snake_case name of an event type, as the reference's CDC writes it.</summary>
    public static string TypeName(ChangeEventType type) => (int)type < TypeNames.Length ? TypeNames[(int)type] : "unknown";

    public static string RoutingKey(in ChangeEvent e) => string.Create(CultureInfo.InvariantCulture, $"ledger.{e.Ledger}.{TypeName(e.Type)}");

    /// <summary>The properties of one event; <paramref name="previousTimestamp"/> is the event published just before it (0: none).</summary>
    public static BasicProperties Properties(in ChangeEvent e, ulong previousTimestamp) => new()
    {
        MessageId = e.Timestamp.ToString(CultureInfo.InvariantCulture),
        ContentType = ContentType,
        AppId = AppId,
        Type = TypeName(e.Type),
        DeliveryMode = DeliveryModes.Persistent,
        // AMQP timestamps are whole seconds: the body and the headers keep the nanoseconds.
        Timestamp = new AmqpTimestamp((long)(e.Timestamp / 1_000_000_000UL)),
        Headers = new Dictionary<string, object?>(8, StringComparer.Ordinal)
        {
            ["event_type"] = TypeName(e.Type),
            ["event_timestamp"] = (long)e.Timestamp,
            ["previous_timestamp"] = (long)previousTimestamp,
            ["ledger"] = (long)e.Ledger,
            ["transfer_code"] = (int)e.Transfer.Code,
            ["debit_account_code"] = (int)e.DebitAccount.Code,
            ["credit_account_code"] = (int)e.CreditAccount.Code,
        },
    };

    /// <summary>The UTF-8 JSON body, without spaces or line breaks.</summary>
    public static byte[] Body(in ChangeEvent e)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            Decimal(json, "timestamp", e.Timestamp);
            json.WriteString("type", TypeName(e.Type));
            json.WriteNumber("ledger", e.Ledger);
            WriteTransfer(json, e.Transfer);
            WriteAccount(json, "debit_account", e.DebitAccount);
            WriteAccount(json, "credit_account", e.CreditAccount);
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteTransfer(Utf8JsonWriter json, in Transfer t)
    {
        json.WriteStartObject("transfer");
        Decimal(json, "id", t.Id);
        Decimal(json, "debit_account_id", t.DebitAccountId);
        Decimal(json, "credit_account_id", t.CreditAccountId);
        Decimal(json, "amount", t.Amount);
        Decimal(json, "pending_id", t.PendingId);
        Decimal(json, "user_data_128", t.UserData128);
        Decimal(json, "user_data_64", t.UserData64);
        json.WriteNumber("user_data_32", t.UserData32);
        json.WriteNumber("timeout", t.Timeout);
        json.WriteNumber("ledger", t.Ledger);
        json.WriteNumber("code", t.Code);
        json.WriteNumber("flags", (ushort)t.Flags);
        Decimal(json, "timestamp", t.Timestamp);
        json.WriteEndObject();
    }

    private static void WriteAccount(Utf8JsonWriter json, string name, in Account a)
    {
        json.WriteStartObject(name);
        Decimal(json, "id", a.Id);
        Decimal(json, "debits_pending", a.DebitsPending);
        Decimal(json, "debits_posted", a.DebitsPosted);
        Decimal(json, "credits_pending", a.CreditsPending);
        Decimal(json, "credits_posted", a.CreditsPosted);
        Decimal(json, "user_data_128", a.UserData128);
        Decimal(json, "user_data_64", a.UserData64);
        json.WriteNumber("user_data_32", a.UserData32);
        json.WriteNumber("ledger", a.Ledger);
        json.WriteNumber("code", a.Code);
        json.WriteNumber("flags", (ushort)a.Flags);
        Decimal(json, "timestamp", a.Timestamp);
        json.WriteEndObject();
    }

    // 64- and 128-bit values are strings: JSON numbers lose precision above 2^53 in most parsers.
    private static void Decimal(Utf8JsonWriter json, string name, UInt128 value)
    {
        Span<char> digits = stackalloc char[40];
        value.TryFormat(digits, out int written, default, CultureInfo.InvariantCulture);
        json.WriteString(name, digits[..written]);
    }
}
