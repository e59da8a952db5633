using LedgerCore.Tcp.Protocol;
using MessagePack;
using NUnit.Framework;

namespace LedgerCore.Tcp.Tests;

/// <summary>
/// The rules docs/protocol.md states for a client written without our code, each proven on the wire
/// with raw frames: request ids of errors, what wins when several checks fail, accepted encodings,
/// tokens, repeated handshakes, answers after a fatal error, and idleness.
/// </summary>
public sealed class ProtocolRulesTests
{
    private TestLedger _ledger = null!;

    [OneTimeSetUp]
    public async Task StartAsync() => _ledger = await TestLedger.StartAsync(o => o.HandshakeTimeout = TimeSpan.FromSeconds(5));

    [OneTimeTearDown]
    public async Task StopAsync() => await _ledger.DisposeAsync();

    [Test]
    public async Task A_fatal_error_carries_the_frames_request_id_once_its_header_was_valid_and_0_before()
    {
        // Header not valid (magic or version): 0, even though bytes 8-15 hold an id.
        Assert.That(await FatalAsync(_ledger.Port, Header(TcpOperation.Handshake, 0, 55, magic: (byte)'X')), Is.EqualTo((LedgerTcpErrorCode.BadMagic, 0UL)));
        Assert.That(await FatalAsync(_ledger.Port, Header(TcpOperation.Handshake, 0, 56, version: 9)), Is.EqualTo((LedgerTcpErrorCode.UnsupportedVersion, 0UL)));

        // Header valid: the frame's id, whatever is wrong with the frame.
        Assert.That(await FatalAsync(_ledger.Port, Header(TcpOperation.Handshake, uint.MaxValue, 57)), Is.EqualTo((LedgerTcpErrorCode.FrameTooLarge, 57UL)));
        Assert.That(await FatalAsync(_ledger.Port, Frame(TcpOperation.Ping, 58, [0x01])), Is.EqualTo((LedgerTcpErrorCode.HandshakeRequired, 58UL)));
        Assert.That(await FatalAsync(_ledger.Port, Frame(TcpOperation.Handshake, 59, [0x92, 0x02, 0xC0])), Is.EqualTo((LedgerTcpErrorCode.UnsupportedVersion, 59UL)));
        Assert.That(await FatalAsync(_ledger.Port, Frame(TcpOperation.Handshake, 60, [0x91, 0x01])), Is.EqualTo((LedgerTcpErrorCode.MalformedBody, 60UL)));

        await using TestLedger guarded = await TestLedger.StartAsync(o => o.AuthToken = "secret");
        Assert.That(await FatalAsync(guarded.Port, Frame(TcpOperation.Handshake, 61, HandshakeBody("wrong"))), Is.EqualTo((LedgerTcpErrorCode.AuthenticationFailed, 61UL)));

        // After the handshake too.
        await using RawConnection raw = await RawConnection.ConnectAsync(_ledger.Port);
        await raw.SendBytesAsync(Header(TcpOperation.CreateTransfers, uint.MaxValue, 62));
        Assert.That(await ErrorOfAsync(raw), Is.EqualTo((LedgerTcpErrorCode.FrameTooLarge, 62UL)));
        Assert.That(await raw.ClosedByServerAsync(), Is.True);
    }

    [Test]
    public async Task Which_check_wins_magic_then_version_then_length_then_handshake_then_operation()
    {
        // Bad magic and bad version: BadMagic. Too large and not a handshake, or unknown: FrameTooLarge.
        Assert.That(await FatalAsync(_ledger.Port, Header((TcpOperation)0x7E, uint.MaxValue, 1, magic: 0, version: 9)), Is.EqualTo((LedgerTcpErrorCode.BadMagic, 0UL)));
        Assert.That(await FatalAsync(_ledger.Port, Header((TcpOperation)0x7E, uint.MaxValue, 2)), Is.EqualTo((LedgerTcpErrorCode.FrameTooLarge, 2UL)));

        // Before the handshake an unknown operation is HandshakeRequired; after it, UnknownOperation, body unread.
        Assert.That(await FatalAsync(_ledger.Port, Frame((TcpOperation)0x7E, 3, [0xC1])), Is.EqualTo((LedgerTcpErrorCode.HandshakeRequired, 3UL)));
        await using RawConnection raw = await RawConnection.ConnectAsync(_ledger.Port);
        await raw.SendRawBodyAsync((TcpOperation)0x7E, 4, [0xC1]);
        Assert.That(await ErrorOfAsync(raw), Is.EqualTo((LedgerTcpErrorCode.UnknownOperation, 4UL)));
        await raw.SendBytesAsync(Header((TcpOperation)0x7E, uint.MaxValue, 5));
        Assert.That(await ErrorOfAsync(raw), Is.EqualTo((LedgerTcpErrorCode.FrameTooLarge, 5UL)));
    }

    [Test]
    public async Task Integers_u128_arrays_and_strings_are_accepted_in_every_documented_encoding()
    {
        await using LedgerTcpClient client = await _ledger.ConnectAsync();
        UInt128 id = (UInt128)ulong.MaxValue + 77;
        Assert.That(await client.CreateAccountsAsync(new[] { new Account { Id = id, Ledger = 1, Code = 1 } }), Is.Empty);
        byte[] idBytes = new byte[16];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt128LittleEndian(idBytes, id);

        await using RawConnection raw = await RawConnection.ConnectAsync(_ledger.Port);

        // Ping: any non-negative integer encoding; the answer is the smallest encoding.
        Assert.That(await PingAsync(raw, [0xD0, 0x05]), Is.EqualTo(new byte[] { 0x05 }));
        Assert.That(await PingAsync(raw, [0xCF, 0, 0, 0, 0, 0, 0, 0x01, 0x00]), Is.EqualTo(new byte[] { 0xCD, 0x01, 0x00 }));
        Assert.That(await PingAsync(raw, [0xD3, 0, 0, 0, 0, 0, 0, 0, 0x07]), Is.EqualTo(new byte[] { 0x07 }));
        foreach (byte[] bad in new byte[][] { [0xFF], [0xD0, 0xFF], [0xA1, 0x35], [0xC0], [0xCA, 0, 0, 0, 0] })
        {
            await raw.SendRawBodyAsync(TcpOperation.Ping, 9, bad);
            Assert.That(await ErrorOfAsync(raw), Is.EqualTo((LedgerTcpErrorCode.MalformedBody, 9UL)), $"ping body {Convert.ToHexString(bad)}");
        }

        // u128: bin 8, bin 16 or bin 32 holding exactly 16 bytes; arrays: fixarray, array 16 or array 32.
        byte[][] lookups =
        [
            [0x91, 0xC4, 0x10, .. idBytes],
            [0xDC, 0x00, 0x01, 0xC5, 0x00, 0x10, .. idBytes],
            [0xDD, 0x00, 0x00, 0x00, 0x01, 0xC6, 0x00, 0x00, 0x00, 0x10, .. idBytes],
        ];
        foreach (byte[] lookup in lookups)
        {
            await raw.SendRawBodyAsync(TcpOperation.LookupAccounts, 10, lookup);
            (FrameHeader header, byte[] body) = await raw.ReadAsync();
            Assert.That(header.Operation, Is.EqualTo(TcpOperation.LookupAccounts), Convert.ToHexString(lookup));
            Assert.That(BodyCodec.ReadArray(body, ModelCodec.ReadAccount, 10, pooled: false, out _).Single().Id, Is.EqualTo(id));
        }

        // Token: str 8 as well as fixstr (and nil, below).
        await raw.SendRawBodyAsync(TcpOperation.Handshake, 11, [0x92, 0x01, 0xD9, 0x01, 0x41]);
        Assert.That((await raw.ReadAsync()).Header.Operation, Is.EqualTo(TcpOperation.Handshake));
    }

    [Test]
    public async Task A_second_handshake_is_answered_without_reading_its_body()
    {
        await using RawConnection raw = await RawConnection.ConnectAsync(_ledger.Port);
        foreach (byte[] body in new byte[][] { [0xC1], [0x92, 0x07, 0xC0], [] })
        {
            await raw.SendRawBodyAsync(TcpOperation.Handshake, 12, body);
            (FrameHeader header, byte[] answer) = await raw.ReadAsync();
            Assert.That((header.Operation, header.RequestId), Is.EqualTo((TcpOperation.Handshake, 12UL)));
            Assert.That(BodyCodec.ReadHandshakeResponse(answer), Is.EqualTo(raw.Handshake));
        }
    }

    [Test]
    public async Task Without_a_server_token_any_token_is_accepted_and_with_one_nil_and_empty_are_refused()
    {
        foreach (string? token in new[] { null, string.Empty, "anything" })
        {
            await using RawConnection accepted = await RawConnection.ConnectAsync(_ledger.Port, token: token);
            Assert.That(accepted.Handshake.LedgerId, Is.EqualTo(_ledger.Engine.LedgerId), $"token '{token}'");
        }

        await using TestLedger guarded = await TestLedger.StartAsync(o => o.AuthToken = "secret");
        foreach (string? token in new[] { null, string.Empty, "Secret", "secret " })
        {
            Assert.That(await FatalAsync(guarded.Port, Frame(TcpOperation.Handshake, 13, HandshakeBody(token))), Is.EqualTo((LedgerTcpErrorCode.AuthenticationFailed, 13UL)), $"token '{token}'");
        }

        await using RawConnection right = await RawConnection.ConnectAsync(guarded.Port, token: "secret");
        Assert.That(right.Handshake.LedgerId, Is.EqualTo(guarded.Engine.LedgerId));
        Assert.Throws<ArgumentException>(() => new LedgerTcpServerOptions().AuthToken = string.Empty);
    }

    [Test]
    public async Task Zero_and_duplicate_request_ids_are_answered_like_any_other()
    {
        await using RawConnection raw = await RawConnection.ConnectAsync(_ledger.Port);
        await raw.SendRawBodyAsync(TcpOperation.Ping, 0, [0x2A]);
        (FrameHeader zero, byte[] zeroBody) = await raw.ReadAsync();
        Assert.That((zero.Operation, zero.RequestId, zeroBody.Single()), Is.EqualTo((TcpOperation.Ping, 0UL, (byte)0x2A)));

        await raw.SendRawBodyAsync(TcpOperation.Ping, 14, [0x01]);
        await raw.SendRawBodyAsync(TcpOperation.Ping, 14, [0x02]);
        (FrameHeader first, byte[] firstBody) = await raw.ReadAsync();
        (FrameHeader second, byte[] secondBody) = await raw.ReadAsync();
        Assert.That((first.RequestId, second.RequestId), Is.EqualTo((14UL, 14UL)));
        Assert.That(new[] { firstBody.Single(), secondBody.Single() }, Is.EquivalentTo(new byte[] { 1, 2 }));
    }

    [Test]
    public async Task Invalid_filters_answer_an_empty_array_not_an_error()
    {
        await using LedgerTcpClient client = await _ledger.ConnectAsync();
        await client.CreateAccountsAsync(new[] { new Account { Id = 501, Ledger = 7, Code = 1, Flags = AccountFlags.History }, new Account { Id = 502, Ledger = 7, Code = 1 } });
        Assert.That(await client.CreateTransfersAsync(new[] { new Transfer { Id = 501, DebitAccountId = 501, CreditAccountId = 502, Amount = 1, Ledger = 7, Code = 1 } }), Is.Empty);

        var valid = new AccountFilter { AccountId = 501, Limit = 10, Flags = AccountFilterFlags.Debits };
        Assert.That(await client.GetAccountTransfersAsync(valid), Has.Length.EqualTo(1));
        Assert.That(await client.GetAccountBalancesAsync(valid), Has.Length.EqualTo(1));
        AccountFilter[] invalid =
        [
            valid with { AccountId = 0 }, valid with { AccountId = UInt128.MaxValue }, valid with { Limit = 0 },
            valid with { Flags = AccountFilterFlags.Reversed }, valid with { Flags = (AccountFilterFlags)8 | AccountFilterFlags.Debits },
            valid with { TimestampMin = 10, TimestampMax = 9 }, valid with { TimestampMin = 1UL << 63 },
        ];
        foreach (AccountFilter filter in invalid)
        {
            Assert.That(await client.GetAccountTransfersAsync(filter), Is.Empty, filter.ToString());
            Assert.That(await client.GetAccountBalancesAsync(filter), Is.Empty, filter.ToString());
        }

        var query = new QueryFilter { Ledger = 7, Limit = 10 };
        Assert.That(await client.QueryAccountsAsync(query), Has.Length.EqualTo(2));
        foreach (QueryFilter filter in new[] { query with { Limit = 0 }, query with { Flags = (QueryFilterFlags)2 }, query with { TimestampMin = 10, TimestampMax = 9 }, query with { TimestampMax = 1UL << 63 } })
        {
            Assert.That(await client.QueryAccountsAsync(filter), Is.Empty);
            Assert.That(await client.QueryTransfersAsync(filter), Is.Empty);
        }
    }

    [Test]
    public async Task After_a_fatal_error_requests_read_before_it_are_still_answered_then_the_server_closes()
    {
        // A commit delay keeps the create in flight while the garbage behind it is read.
        await using TestLedger slow = await TestLedger.StartAsync(configureEngine: e => e.CommitDelayMax = TimeSpan.FromMilliseconds(500));
        await using RawConnection raw = await RawConnection.ConnectAsync(slow.Port);
        await raw.SendAsync(TcpOperation.CreateAccounts, 15, (ref MessagePackWriter w) =>
        {
            w.WriteArrayHeader(1);
            ModelCodec.Write(ref w, new Account { Id = 15, Ledger = 1, Code = 1 });
        });
        await raw.SendBytesAsync("garbage!garbage!"u8.ToArray());

        List<(FrameHeader Header, byte[] Body)> frames = await raw.ReadUntilClosedAsync();
        Assert.That(frames.Select(f => (f.Header.Operation, f.Header.RequestId)), Is.EquivalentTo(new[] { (TcpOperation.CreateAccounts, 15UL), (TcpOperation.Error, 0UL) }));
        Assert.That(frames.Single(f => f.Header.RequestId == 15).Body, Is.EqualTo(new byte[] { 0x90 }));
        Assert.That(await slow.Engine.LookupAccountsAsync(new UInt128[] { 15 }), Has.Length.EqualTo(1));
    }

    [Test]
    public async Task A_connection_waiting_for_an_answer_is_not_idle_and_a_silent_one_is()
    {
        // Every create waits out a 1 s commit delay, more than three idle timeouts.
        await using TestLedger slow = await TestLedger.StartAsync(o => o.IdleTimeout = TimeSpan.FromMilliseconds(300), e => e.CommitDelayMax = TimeSpan.FromSeconds(1));
        await using RawConnection raw = await RawConnection.ConnectAsync(slow.Port);
        await raw.SendAsync(TcpOperation.CreateAccounts, 16, (ref MessagePackWriter w) =>
        {
            w.WriteArrayHeader(1);
            ModelCodec.Write(ref w, new Account { Id = 16, Ledger = 1, Code = 1 });
        });
        (FrameHeader answer, _) = await raw.ReadAsync();
        Assert.That((answer.Operation, answer.RequestId), Is.EqualTo((TcpOperation.CreateAccounts, 16UL)));
        Assert.That(await PingAsync(raw, [0x03]), Is.EqualTo(new byte[] { 0x03 }));

        // Then silence: closed with IdleTimeout (request id 0).
        Assert.That(await ErrorOfAsync(raw), Is.EqualTo((LedgerTcpErrorCode.IdleTimeout, 0UL)));
        Assert.That(await raw.ClosedByServerAsync(), Is.True);
    }

    /// <summary>Sends <paramref name="bytes"/> on a fresh connection (no handshake) and returns the error, after checking the server closes.</summary>
    private static async Task<(LedgerTcpErrorCode, ulong)> FatalAsync(int port, byte[] bytes)
    {
        await using RawConnection raw = await RawConnection.ConnectAsync(port, handshake: false);
        await raw.SendBytesAsync(bytes);
        (LedgerTcpErrorCode, ulong) error = await ErrorOfAsync(raw);
        Assert.That(await raw.ClosedByServerAsync(), Is.True, $"the server must close after {error}");
        return error;
    }

    private static async Task<(LedgerTcpErrorCode, ulong)> ErrorOfAsync(RawConnection raw)
    {
        (LedgerTcpErrorCode code, ulong id, string message) = await raw.ReadErrorAsync();
        Assert.That(message, Is.Not.Empty);
        return (code, id);
    }

    private static async Task<byte[]> PingAsync(RawConnection raw, byte[] body)
    {
        await raw.SendRawBodyAsync(TcpOperation.Ping, 17, body);
        (FrameHeader header, byte[] answer) = await raw.ReadAsync();
        Assert.That((header.Operation, header.RequestId), Is.EqualTo((TcpOperation.Ping, 17UL)), $"ping body {Convert.ToHexString(body)}");
        return answer;
    }

    private static byte[] Header(TcpOperation operation, uint bodyLength, ulong requestId, byte magic = FrameHeader.Magic0, byte version = FrameHeader.Version)
    {
        var header = new byte[FrameHeader.Size];
        new FrameHeader(operation, bodyLength, requestId).Write(header);
        header[0] = magic;
        header[2] = version;
        return header;
    }

    private static byte[] Frame(TcpOperation operation, ulong requestId, byte[] body) =>
        [.. Header(operation, (uint)body.Length, requestId), .. body];

    private static byte[] HandshakeBody(string? token)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        BodyCodec.WriteHandshakeRequest(ref writer, token);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }
}
