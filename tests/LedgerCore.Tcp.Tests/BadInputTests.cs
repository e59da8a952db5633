using System.Buffers.Binary;
using LedgerCore.Tcp.Protocol;
using MessagePack;
using NUnit.Framework;

namespace LedgerCore.Tcp.Tests;

/// <summary>
/// Each kind of bad input gets its error frame (and a close where the protocol says so), while a
/// well-behaved client on the same server keeps working and loses nothing.
/// </summary>
public sealed class BadInputTests
{
    // Short enough to keep the tests quick, long enough that a stalled shared machine does not idle out the well-behaved client.
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);
    private TestLedger _ledger = null!;
    private WellBehavedClient _good = null!;
    private ulong _nextGoodId = 1_000_000;

    [OneTimeSetUp]
    public async Task StartAsync() => _ledger = await TestLedger.StartAsync(o =>
    {
        o.HandshakeTimeout = Timeout;
        o.IdleTimeout = Timeout;
        o.MaxConnections = 8;
    });

    [OneTimeTearDown]
    public async Task StopAsync() => await _ledger.DisposeAsync();

    [SetUp]
    public async Task StartGoodClientAsync()
    {
        _good = await WellBehavedClient.StartAsync(_ledger, _nextGoodId);
        _nextGoodId += 1_000_000;
    }

    [TearDown]
    public async Task CheckGoodClientAsync()
    {
        string? failure = await _good.StopAsync();
        _good.Dispose();
        Assert.That(failure, Is.Null);
        Assert.That(_good.Acknowledged, Is.GreaterThan(0));
    }

    [Test]
    public async Task Garbage_bytes_get_bad_magic_then_a_close()
    {
        await using RawConnection raw = await RawConnection.ConnectAsync(_ledger.Port, handshake: false);
        await raw.SendBytesAsync("GET / HTTP/1.1\r\nHost: x\r\n\r\n"u8.ToArray());
        (LedgerTcpErrorCode code, _, _) = await raw.ReadErrorAsync();
        Assert.That(code, Is.EqualTo(LedgerTcpErrorCode.BadMagic));
        Assert.That(await raw.ClosedByServerAsync(), Is.True);
    }

    [Test]
    public async Task Garbage_after_the_handshake_gets_bad_magic_then_a_close()
    {
        await using RawConnection raw = await RawConnection.ConnectAsync(_ledger.Port);
        await raw.SendBytesAsync(Enumerable.Range(0, 64).Select(i => unchecked((byte)(i * 37))).ToArray());
        (LedgerTcpErrorCode code, _, _) = await raw.ReadErrorAsync();
        Assert.That(code, Is.EqualTo(LedgerTcpErrorCode.BadMagic));
        Assert.That(await raw.ClosedByServerAsync(), Is.True);
    }

    [Test]
    public async Task Oversized_length_prefix_is_refused_before_allocating_then_closed()
    {
        await using RawConnection raw = await RawConnection.ConnectAsync(_ledger.Port);
        var header = new byte[FrameHeader.Size];
        new FrameHeader(TcpOperation.CreateTransfers, uint.MaxValue, 42).Write(header);
        long allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        await raw.SendBytesAsync(header);
        (LedgerTcpErrorCode code, ulong requestId, _) = await raw.ReadErrorAsync();
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        Assert.That(code, Is.EqualTo(LedgerTcpErrorCode.FrameTooLarge));
        Assert.That(requestId, Is.EqualTo(42UL));
        Assert.That(allocated, Is.LessThan(64L * 1024 * 1024), "a 4 GiB length prefix must not be allocated");
        Assert.That(await raw.ClosedByServerAsync(), Is.True);
    }

    [Test]
    public async Task Wrong_protocol_version_is_refused_then_closed()
    {
        await using RawConnection raw = await RawConnection.ConnectAsync(_ledger.Port, handshake: false);
        var header = new byte[FrameHeader.Size];
        new FrameHeader(TcpOperation.Handshake, 0, 1).Write(header);
        header[2] = 99;
        await raw.SendBytesAsync(header);
        (LedgerTcpErrorCode code, _, _) = await raw.ReadErrorAsync();
        Assert.That(code, Is.EqualTo(LedgerTcpErrorCode.UnsupportedVersion));
        Assert.That(await raw.ClosedByServerAsync(), Is.True);
    }

    [Test]
    public async Task Half_a_frame_then_silence_is_closed_by_the_idle_timeout()
    {
        await using RawConnection raw = await RawConnection.ConnectAsync(_ledger.Port);
        var frame = new byte[FrameHeader.Size + 100];
        new FrameHeader(TcpOperation.CreateTransfers, 100, 7).Write(frame);
        await raw.SendBytesAsync(frame[..(FrameHeader.Size + 10)]);
        (LedgerTcpErrorCode code, _, _) = await raw.ReadErrorAsync(TimeSpan.FromSeconds(5));
        Assert.That(code, Is.EqualTo(LedgerTcpErrorCode.IdleTimeout));
        Assert.That(await raw.ClosedByServerAsync(), Is.True);
    }

    [Test]
    public async Task Half_a_header_then_silence_is_closed_by_the_handshake_timeout()
    {
        await using RawConnection raw = await RawConnection.ConnectAsync(_ledger.Port, handshake: false);
        await raw.SendBytesAsync("LC"u8.ToArray());
        (LedgerTcpErrorCode code, _, _) = await raw.ReadErrorAsync(TimeSpan.FromSeconds(5));
        Assert.That(code, Is.EqualTo(LedgerTcpErrorCode.HandshakeTimeout));
        Assert.That(await raw.ClosedByServerAsync(), Is.True);
    }

    [Test]
    public async Task An_operation_before_the_handshake_is_refused_then_closed()
    {
        await using RawConnection raw = await RawConnection.ConnectAsync(_ledger.Port, handshake: false);
        await raw.SendAsync(TcpOperation.Ping, 5, (ref MessagePackWriter w) => w.Write(1UL));
        (LedgerTcpErrorCode code, ulong id, _) = await raw.ReadErrorAsync();
        Assert.That((code, id), Is.EqualTo((LedgerTcpErrorCode.HandshakeRequired, 5UL)));
        Assert.That(await raw.ClosedByServerAsync(), Is.True);
    }

    [Test]
    public async Task Unknown_operation_gets_an_error_and_the_connection_stays_usable()
    {
        await using RawConnection raw = await RawConnection.ConnectAsync(_ledger.Port);
        await raw.SendRawBodyAsync((TcpOperation)0x7E, 9, [0xC0]);
        (LedgerTcpErrorCode code, ulong id, _) = await raw.ReadErrorAsync();
        Assert.That((code, id), Is.EqualTo((LedgerTcpErrorCode.UnknownOperation, 9UL)));
        await AssertStillUsableAsync(raw);
    }

    [Test]
    public async Task Malformed_messagepack_gets_an_error_and_the_connection_stays_usable()
    {
        await using RawConnection raw = await RawConnection.ConnectAsync(_ledger.Port);

        // An array of one transfer whose first field is a string, not a 16-byte bin.
        await raw.SendAsync(TcpOperation.CreateTransfers, 10, (ref MessagePackWriter w) =>
        {
            w.WriteArrayHeader(1);
            w.WriteArrayHeader(13);
            w.Write("not an id");
        });
        (LedgerTcpErrorCode code, ulong id, _) = await raw.ReadErrorAsync();
        Assert.That((code, id), Is.EqualTo((LedgerTcpErrorCode.MalformedBody, 10UL)));

        // A truncated array, and trailing bytes after a valid body.
        await raw.SendRawBodyAsync(TcpOperation.LookupAccounts, 11, [0x93, 0xC4, 0x10, 1, 2]);
        Assert.That((await raw.ReadErrorAsync()).Code, Is.EqualTo(LedgerTcpErrorCode.MalformedBody));
        await raw.SendRawBodyAsync(TcpOperation.Ping, 12, [0x01, 0x02]);
        Assert.That((await raw.ReadErrorAsync()).Code, Is.EqualTo(LedgerTcpErrorCode.MalformedBody));
        await AssertStillUsableAsync(raw);
    }

    [Test]
    public async Task Array_header_claiming_more_items_than_the_body_holds_is_refused_without_allocating()
    {
        // Above the limit: BatchTooLarge, whatever the body holds (the count is checked against the limit first).
        await using RawConnection raw = await RawConnection.ConnectAsync(_ledger.Port);
        await raw.SendRawBodyAsync(TcpOperation.CreateTransfers, 13, Array32Header(2_000_000_000));
        (LedgerTcpErrorCode code, ulong id, _) = await raw.ReadErrorAsync();
        Assert.That((code, id), Is.EqualTo((LedgerTcpErrorCode.BatchTooLarge, 13UL)));

        // Within the limit but longer than the body: malformed.
        await raw.SendRawBodyAsync(TcpOperation.CreateTransfers, 14, Array32Header(LedgerOptions.BatchEventsMax));
        (code, id, _) = await raw.ReadErrorAsync();
        Assert.That((code, id), Is.EqualTo((LedgerTcpErrorCode.MalformedBody, 14UL)));
        await AssertStillUsableAsync(raw);

        static byte[] Array32Header(uint count)
        {
            var body = new byte[5];
            body[0] = 0xDD; // array 32
            BinaryPrimitives.WriteUInt32BigEndian(body.AsSpan(1), count);
            return body;
        }
    }

    [Test]
    public async Task Batch_over_8190_events_gets_batch_too_large_and_nothing_is_applied()
    {
        await using RawConnection raw = await RawConnection.ConnectAsync(_ledger.Port);
        const int count = LedgerOptions.BatchEventsMax + 1;
        await raw.SendAsync(TcpOperation.CreateTransfers, 14, (ref MessagePackWriter w) =>
        {
            w.WriteArrayHeader(count);
            for (int i = 0; i < count; i++)
            {
                ModelCodec.Write(ref w, new Transfer { Id = (UInt128)(900_000_000 + i), DebitAccountId = 1, CreditAccountId = 2, Amount = 1, Ledger = 1, Code = 1 });
            }
        });
        (LedgerTcpErrorCode code, ulong id, _) = await raw.ReadErrorAsync();
        Assert.That((code, id), Is.EqualTo((LedgerTcpErrorCode.BatchTooLarge, 14UL)));
        Assert.That(await _ledger.Engine.LookupTransfersAsync(new UInt128[] { 900_000_000 }), Is.Empty);
        await AssertStillUsableAsync(raw);
    }

    [Test]
    public async Task One_connection_too_many_gets_too_many_connections()
    {
        // The well-behaved client holds one of the 8 slots.
        var held = new List<RawConnection>();
        try
        {
            for (int i = 0; i < 7; i++) held.Add(await RawConnection.ConnectAsync(_ledger.Port));
            await using RawConnection extra = await RawConnection.ConnectAsync(_ledger.Port, handshake: false);
            (LedgerTcpErrorCode code, _, _) = await extra.ReadErrorAsync();
            Assert.That(code, Is.EqualTo(LedgerTcpErrorCode.TooManyConnections));
            Assert.That(await extra.ClosedByServerAsync(), Is.True);

            LedgerTcpException refused = await Assert.ThrowsAsync<LedgerTcpException>(() => _ledger.ConnectAsync());
            Assert.That(refused.Code, Is.EqualTo(LedgerTcpErrorCode.TooManyConnections));
        }
        finally
        {
            foreach (RawConnection connection in held) await connection.DisposeAsync();
        }

        // Slots come back once connections close.
        await WaitUntilAsync(() => _ledger.Server.ConnectionCount <= 1);
        await using LedgerTcpClient again = await _ledger.ConnectAsync();
        Assert.That(await again.PingAsync(), Is.GreaterThan(TimeSpan.Zero));
    }

    private static async Task AssertStillUsableAsync(RawConnection raw)
    {
        await raw.SendAsync(TcpOperation.Ping, 77, (ref MessagePackWriter w) => w.Write(123UL));
        (FrameHeader header, byte[] body) = await raw.ReadAsync();
        Assert.That((header.Operation, header.RequestId), Is.EqualTo((TcpOperation.Ping, 77UL)));
        Assert.That(BodyCodec.ReadValue<ulong>(body, BodyCodec.ReadUInt64), Is.EqualTo(123UL));
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (int i = 0; i < 200 && !condition(); i++) await Task.Delay(25);
        Assert.That(condition(), Is.True);
    }
}
