using FsCheck;
using FsCheck.Fluent;
using LedgerCore.Tcp.Protocol;
using MessagePack;
using NUnit.Framework;

namespace LedgerCore.Tcp.Tests;

/// <summary>The body codec reads what any MessagePack writer may produce, and round-trips every field.</summary>
public sealed class CodecTests
{
    [Test]
    public void Integers_in_every_msgpack_encoding_read_back_the_same() =>
        Prop.ForAll(ArbMap.Default.ArbFor<ulong>(), value =>
        {
            var encodings = new List<byte[]> { Encode(w => w.Write(value)), Encode(w => w.WriteUInt64(value)) };
            if (value <= uint.MaxValue) encodings.Add(Encode(w => w.WriteUInt32((uint)value)));
            if (value <= ushort.MaxValue) encodings.Add(Encode(w => w.WriteUInt16((ushort)value)));
            if (value <= byte.MaxValue) encodings.Add(Encode(w => w.WriteUInt8((byte)value)));
            if (value <= long.MaxValue) encodings.Add(Encode(w => w.WriteInt64((long)value)));
            if (value <= int.MaxValue) encodings.Add(Encode(w => w.WriteInt32((int)value)));
            return encodings.All(bytes => BodyCodec.ReadValue(bytes, BodyCodec.ReadUInt64) == value);
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(500));

    [Test]
    public void Negative_integers_and_wrong_types_are_malformed()
    {
        foreach (byte[] bytes in new[] { Encode(w => w.Write(-1)), Encode(w => w.WriteInt64(-5)), Encode(w => w.Write("7")), Encode(w => w.WriteNil()), Array.Empty<byte>() })
        {
            Assert.Throws<MessagePackSerializationException>(() => BodyCodec.ReadValue(bytes, BodyCodec.ReadUInt64));
        }
    }

    [Test]
    public void Transfers_and_accounts_round_trip_field_for_field() =>
        Prop.ForAll(ArbMap.Default.ArbFor<(ulong, ulong, ulong, uint, ushort, ulong)>(), t =>
        {
            (ulong a, ulong b, ulong c, uint d, ushort e, ulong f) = t;
            var transfer = new Transfer
            {
                Id = new UInt128(a, b), DebitAccountId = new UInt128(b, c), CreditAccountId = c, Amount = new UInt128(f, a),
                PendingId = b, UserData128 = new UInt128(c, c), UserData64 = f, UserData32 = d, Timeout = d ^ 5,
                Ledger = d, Code = e, Flags = (TransferFlags)e, Timestamp = a,
            };
            var account = new Account
            {
                Id = new UInt128(a, b), DebitsPending = c, DebitsPosted = new UInt128(f, f), CreditsPending = a, CreditsPosted = b,
                UserData128 = new UInt128(b, a), UserData64 = c, UserData32 = d, Reserved = d ^ 1, Ledger = d, Code = e,
                Flags = (AccountFlags)e, Timestamp = f,
            };
            using var buffer = new FrameBuffer(0);
            BodyCodec.WriteArray<Transfer>(buffer, new[] { transfer, transfer }, ModelCodec.Write);
            Transfer[] transfers = BodyCodec.ReadArray(buffer.Complete(TcpOperation.CreateTransfers, 1)[FrameHeader.Size..], ModelCodec.ReadTransfer, 8190, pooled: false, out int count);
            using var accountBuffer = new FrameBuffer(0);
            BodyCodec.WriteValue(accountBuffer, account, ModelCodec.Write);
            Account decoded = BodyCodec.ReadValue(accountBuffer.Complete(TcpOperation.CreateAccounts, 1)[FrameHeader.Size..], ModelCodec.ReadAccount);
            return count == 2 && transfers[0] == transfer && transfers[1] == transfer && decoded == account;
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(300));

    [Test]
    public void A_u128_must_be_a_bin_of_exactly_16_bytes()
    {
        Assert.That(BodyCodec.ReadValue(Encode(w => w.Write(new byte[16])), ModelCodec.ReadUInt128), Is.EqualTo(UInt128.Zero));
        Assert.Throws<MessagePackSerializationException>(() => BodyCodec.ReadValue(Encode(w => w.Write(new byte[15])), ModelCodec.ReadUInt128));
        Assert.Throws<MessagePackSerializationException>(() => BodyCodec.ReadValue(Encode(w => w.Write(5UL)), ModelCodec.ReadUInt128));
    }

    [Test]
    public void A_handshake_response_with_appended_elements_is_read_and_one_with_fewer_is_malformed()
    {
        var expected = new HandshakeResponse(1, UInt128.MaxValue - 3, 65_536, 300, 32, 442, 143);
        using var buffer = new FrameBuffer(0);
        var writer = new MessagePackWriter(buffer);
        writer.WriteArrayHeader(9);
        writer.Write(1U);
        ModelCodec.Write(ref writer, expected.LedgerId);
        writer.Write(65_536);
        writer.Write(300);
        writer.Write(32);
        writer.Write(442);
        writer.Write(143);
        writer.WriteMapHeader(1); // a future field of any type
        writer.Write("x");
        writer.Write(1.5);
        writer.Write("another");
        writer.Flush();
        Assert.That(BodyCodec.ReadHandshakeResponse(buffer.Complete(TcpOperation.Handshake, 1)[FrameHeader.Size..]), Is.EqualTo(expected));

        byte[] five = [0x95, 0x01, 0xC4, 0x10, .. new byte[16], 0x01, 0x01, 0x01];
        Assert.Throws<MessagePackSerializationException>(() => BodyCodec.ReadHandshakeResponse(five));
        byte[] six = [0x96, 0x01, 0xC4, 0x10, .. new byte[16], 0x01, 0x01, 0x01, 0x01];
        Assert.Throws<MessagePackSerializationException>(() => BodyCodec.ReadHandshakeResponse(six));
    }

    [Test]
    public void Change_events_and_their_filter_round_trip_field_for_field() =>
        Prop.ForAll(ArbMap.Default.ArbFor<(ulong, ulong, uint, ushort, byte)>(), t =>
        {
            (ulong a, ulong b, uint c, ushort d, byte type) = t;
            var transfer = new Transfer
            {
                Id = new UInt128(a, b), DebitAccountId = b, CreditAccountId = new UInt128(b, a), Amount = a, PendingId = new UInt128(a, a),
                UserData128 = b, UserData64 = a, UserData32 = c, Timeout = c ^ 3, Ledger = c, Code = d, Flags = (TransferFlags)d, Timestamp = b,
            };
            var debit = new Account
            {
                Id = b, DebitsPending = new UInt128(a, b), DebitsPosted = a, CreditsPending = b, CreditsPosted = new UInt128(b, b),
                UserData128 = a, UserData64 = b, UserData32 = c, Ledger = c, Code = d, Flags = (AccountFlags)d, Timestamp = a,
            };
            var change = new ChangeEvent((ChangeEventType)(type % 5), a ^ b, transfer, debit, debit with { Id = new UInt128(b, a), CreditsPosted = a });
            using var buffer = new FrameBuffer(0);
            BodyCodec.WriteArray<ChangeEvent>(buffer, new[] { change, change with { Type = ChangeEventType.TwoPhaseExpired } }, ModelCodec.Write);
            ChangeEvent[] decoded = BodyCodec.ReadArray(buffer.Complete(TcpOperation.GetChangeEvents, 1)[FrameHeader.Size..], ModelCodec.ReadChangeEvent, 2, pooled: false, out int count);

            var filter = new ChangeEventsFilter(a, b, c);
            using var filterBuffer = new FrameBuffer(0);
            BodyCodec.WriteValue(filterBuffer, filter, ModelCodec.Write);
            ChangeEventsFilter decodedFilter = BodyCodec.ReadValue(filterBuffer.Complete(TcpOperation.GetChangeEvents, 1)[FrameHeader.Size..], ModelCodec.ReadChangeEventsFilter);
            return count == 2 && decoded[0] == change && decoded[1] == change with { Type = ChangeEventType.TwoPhaseExpired } && decodedFilter == filter;
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(300));

    [Test]
    public void A_change_event_at_its_widest_takes_exactly_the_documented_455_bytes()
    {
        var account = new Account
        {
            Id = UInt128.MaxValue, UserData64 = ulong.MaxValue, UserData32 = uint.MaxValue, Reserved = uint.MaxValue,
            Ledger = uint.MaxValue, Code = ushort.MaxValue, Flags = (AccountFlags)ushort.MaxValue, Timestamp = ulong.MaxValue,
        };
        var transfer = new Transfer
        {
            Id = UInt128.MaxValue, UserData64 = ulong.MaxValue, UserData32 = uint.MaxValue, Timeout = uint.MaxValue,
            Ledger = uint.MaxValue, Code = ushort.MaxValue, Flags = (TransferFlags)ushort.MaxValue, Timestamp = ulong.MaxValue,
        };
        var change = new ChangeEvent(ChangeEventType.TwoPhaseExpired, ulong.MaxValue, transfer, account, account);
        using var buffer = new FrameBuffer(0);
        BodyCodec.WriteValue(buffer, change, ModelCodec.Write);
        Assert.That(buffer.Complete(TcpOperation.GetChangeEvents, 1).Length - FrameHeader.Size, Is.EqualTo(ModelCodec.ChangeEventBytesMax));
        Assert.That(ModelCodec.ChangeEventBytesMax, Is.EqualTo(455));
        Assert.That((BodyCodec.ChangeEventsMaxFor(2 * 1024 * 1024), BodyCodec.ChangeEventsMaxFor(64 * 1024), BodyCodec.ChangeEventsMaxFor(4096)), Is.EqualTo((2730, 143, 8)));
    }

    [Test]
    public void A_change_event_type_above_a_byte_and_a_filter_of_the_wrong_length_are_malformed()
    {
        byte[] twoFields = [0x92, 0x01, 0x02];
        Assert.Throws<MessagePackSerializationException>(() => BodyCodec.ReadValue(twoFields, ModelCodec.ReadChangeEventsFilter));
        byte[] wideType = [0x95, 0xCD, 0x01, 0x00, 0x01];
        Assert.Throws<MessagePackSerializationException>(() => BodyCodec.ReadValue(wideType, ModelCodec.ReadChangeEvent));
    }

    [Test]
    public void Header_is_little_endian_as_documented()
    {
        var header = new byte[FrameHeader.Size];
        new FrameHeader(TcpOperation.Ping, 1, 7).Write(header);
        Assert.That(header, Is.EqualTo(new byte[] { 0x4C, 0x43, 0x01, 0x02, 0x01, 0, 0, 0, 0x07, 0, 0, 0, 0, 0, 0, 0 }));
        Assert.That(FrameHeader.TryParse(header, 1024, out FrameHeader parsed), Is.EqualTo(LedgerTcpErrorCode.None));
        Assert.That(parsed, Is.EqualTo(new FrameHeader(TcpOperation.Ping, 1, 7)));
    }

    private delegate void Write(ref MessagePackWriter writer);

    private static byte[] Encode(Action<MessagePackWriterBox> write)
    {
        var box = new MessagePackWriterBox();
        write(box);
        return box.ToArray();
    }

    /// <summary>Lets a lambda use a writer (a ref struct) by collecting its calls.</summary>
    private sealed class MessagePackWriterBox
    {
        private readonly System.Buffers.ArrayBufferWriter<byte> _buffer = new();

        public byte[] ToArray() => _buffer.WrittenSpan.ToArray();

        public void Write(ulong v) => With((ref MessagePackWriter w) => w.Write(v));

        public void Write(int v) => With((ref MessagePackWriter w) => w.Write(v));

        public void Write(string v) => With((ref MessagePackWriter w) => w.Write(v));

        public void Write(byte[] v) => With((ref MessagePackWriter w) => w.Write(v));

        public void WriteUInt64(ulong v) => With((ref MessagePackWriter w) => w.WriteUInt64(v));

        public void WriteUInt32(uint v) => With((ref MessagePackWriter w) => w.WriteUInt32(v));

        public void WriteUInt16(ushort v) => With((ref MessagePackWriter w) => w.WriteUInt16(v));

        public void WriteUInt8(byte v) => With((ref MessagePackWriter w) => w.WriteUInt8(v));

        public void WriteInt64(long v) => With((ref MessagePackWriter w) => w.WriteInt64(v));

        public void WriteInt32(int v) => With((ref MessagePackWriter w) => w.WriteInt32(v));

        public void WriteNil() => With((ref MessagePackWriter w) => w.WriteNil());

        private void With(Write write)
        {
            var writer = new MessagePackWriter(_buffer);
            write(ref writer);
            writer.Flush();
        }
    }
}
