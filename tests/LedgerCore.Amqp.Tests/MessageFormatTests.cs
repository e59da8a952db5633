using System.Text.Json;
using LedgerCore.Amqp.Publishing;
using NUnit.Framework;

namespace LedgerCore.Amqp.Tests;

/// <summary>The wire format of docs/cdc.md, byte for byte where it matters.</summary>
[TestFixture]
public sealed class MessageFormatTests
{
    private static ChangeEvent Event() => new(
        ChangeEventType.TwoPhaseExpired,
        Timestamp: 1_745_328_372_758_695_656,
        Transfer: new Transfer { Id = UInt128.MaxValue - 1, DebitAccountId = 1, CreditAccountId = 2, Amount = UInt128.MaxValue, UserData64 = ulong.MaxValue, UserData32 = uint.MaxValue, Timeout = 7, Ledger = 3, Code = 65535, Flags = TransferFlags.Pending, Timestamp = 1_745_328_372_000_000_001 },
        DebitAccount: new Account { Id = 1, DebitsPending = UInt128.MaxValue, Ledger = 3, Code = 1, Timestamp = 5 },
        CreditAccount: new Account { Id = 2, CreditsPosted = 12345678901234567890UL, Ledger = 3, Code = 2, Timestamp = 6 });

    [Test]
    public void Big_values_are_decimal_strings_and_small_ones_numbers()
    {
        string body = System.Text.Encoding.UTF8.GetString(ChangeEventMessage.Body(Event()));
        Assert.That(body, Does.Not.Contain(" ").And.Not.Contain("\n"), "compact");
        Assert.That(body, Does.StartWith("{\"timestamp\":\"1745328372758695656\",\"type\":\"two_phase_expired\",\"ledger\":3,\"transfer\":{"));
        using JsonDocument json = JsonDocument.Parse(body);
        JsonElement transfer = json.RootElement.GetProperty("transfer");
        Assert.That(transfer.GetProperty("amount").GetString(), Is.EqualTo("340282366920938463463374607431768211455"));
        Assert.That(transfer.GetProperty("id").GetString(), Is.EqualTo("340282366920938463463374607431768211454"));
        Assert.That(transfer.GetProperty("user_data_64").GetString(), Is.EqualTo("18446744073709551615"));
        Assert.That(transfer.GetProperty("user_data_32").GetUInt32(), Is.EqualTo(uint.MaxValue));
        Assert.That(transfer.GetProperty("code").GetUInt16(), Is.EqualTo(65535));
        Assert.That(transfer.GetProperty("flags").GetUInt16(), Is.EqualTo((ushort)TransferFlags.Pending));
        Assert.That(json.RootElement.GetProperty("debit_account").GetProperty("debits_pending").GetString(), Is.EqualTo("340282366920938463463374607431768211455"));
        Assert.That(json.RootElement.GetProperty("credit_account").GetProperty("credits_posted").GetString(), Is.EqualTo("12345678901234567890"));
    }

    [Test]
    public void Properties_carry_the_id_the_previous_event_and_routing_headers()
    {
        ChangeEvent e = Event();
        RabbitMQ.Client.BasicProperties p = ChangeEventMessage.Properties(e, previousTimestamp: 42);
        Assert.That(ChangeEventMessage.RoutingKey(e), Is.EqualTo("ledger.3.two_phase_expired"));
        Assert.That(p.MessageId, Is.EqualTo("1745328372758695656"));
        Assert.That(p.Persistent, Is.True);
        Assert.That(p.ContentType, Is.EqualTo("application/json"));
        Assert.That(p.AppId, Is.EqualTo("ledgercore"));
        Assert.That(p.Timestamp.UnixTime, Is.EqualTo(1_745_328_372));
        Assert.That(p.Headers!["event_timestamp"], Is.EqualTo(1_745_328_372_758_695_656L));
        Assert.That(p.Headers["previous_timestamp"], Is.EqualTo(42L));
        Assert.That(p.Headers["ledger"], Is.EqualTo(3L));
        Assert.That(p.Headers["event_type"], Is.EqualTo("two_phase_expired"));
        Assert.That(p.Headers["transfer_code"], Is.EqualTo(65535));
        Assert.That(p.Headers["debit_account_code"], Is.EqualTo(1));
        Assert.That(p.Headers["credit_account_code"], Is.EqualTo(2));
    }
}
