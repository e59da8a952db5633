using LedgerCore.Tcp.Protocol;
using MessagePack;
using NUnit.Framework;

namespace LedgerCore.Tcp.Tests;

/// <summary>
/// With a small frame limit (64 KiB) and a small engine batch size (300), the handshake announces the
/// limits in force, the server keeps them (every answer fits the frame limit), and the .NET client
/// respects them before sending (docs/protocol.md, "Limits").
/// </summary>
public sealed class LimitsTests
{
    private const int FrameLimit = 64 * 1024;
    private const int EngineBatch = 300;

    // The documented arithmetic: (max_frame_bytes - 16 header - 5 array header) / 148 bytes per record.
    private const int ResultsMax = (FrameLimit - 21) / 148;
    private const int Accounts = ResultsMax + 158;

    // The same arithmetic for change events, 455 bytes at their widest (a transfer and two accounts).
    private const int ChangeEventsMax = (FrameLimit - 21) / 455;
    private const int Transfers = EngineBatch + 100;

    private TestLedger _ledger = null!;
    private LedgerTcpClient _client = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _ledger = await TestLedger.StartAsync(o => o.MaxFrameBytes = FrameLimit, e => e.MaxBatchSize = EngineBatch);
        _client = await _ledger.ConnectAsync(o => o.MaxFrameBytes = FrameLimit);

        // Fields at (nearly) their widest encoding, so the answers are as large as accounts get.
        for (int start = 0; start < Accounts; start += EngineBatch)
        {
            Account[] batch = Enumerable.Range(start, Math.Min(EngineBatch, Accounts - start)).Select(i => new Account
            {
                Id = UInt128.MaxValue - 1 - (UInt128)i, UserData128 = UInt128.MaxValue, UserData64 = ulong.MaxValue,
                UserData32 = uint.MaxValue, Ledger = uint.MaxValue, Code = ushort.MaxValue,
            }).ToArray();
            Assert.That(await _client.CreateAccountsAsync(batch), Is.Empty);
        }

        // Transfers between two of them with wide fields: each makes one change event nearly as wide as any.
        for (int start = 0; start < Transfers; start += EngineBatch)
        {
            Transfer[] batch = Enumerable.Range(start, Math.Min(EngineBatch, Transfers - start)).Select(i => new Transfer
            {
                Id = UInt128.MaxValue - 1 - (UInt128)i, DebitAccountId = UInt128.MaxValue - 1, CreditAccountId = UInt128.MaxValue - 2,
                Amount = UInt128.MaxValue / 1_000_000, UserData128 = UInt128.MaxValue, UserData64 = ulong.MaxValue, UserData32 = uint.MaxValue,
                Ledger = uint.MaxValue, Code = ushort.MaxValue,
            }).ToArray();
            Assert.That(await _client.CreateTransfersAsync(batch), Is.Empty);
        }
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await _client.DisposeAsync();
        await _ledger.DisposeAsync();
    }

    [Test]
    public async Task Handshake_announces_the_frame_limit_the_engines_batch_size_results_max_and_change_events_max()
    {
        Assert.That((ResultsMax, ChangeEventsMax), Is.EqualTo((442, 143)));
        await using RawConnection raw = await RawConnection.ConnectAsync(_ledger.Port);
        Assert.That(raw.Handshake, Is.EqualTo(new HandshakeResponse(1, _ledger.Engine.LedgerId, FrameLimit, EngineBatch, 32, ResultsMax, ChangeEventsMax)));
        Assert.That((_client.BatchEventsMax, _client.ResultsMax, _client.ChangeEventsMax), Is.EqualTo((EngineBatch, ResultsMax, ChangeEventsMax)));
    }

    [Test]
    public async Task Batch_events_max_is_never_above_what_fits_a_frame()
    {
        await using TestLedger small = await TestLedger.StartAsync(o => o.MaxFrameBytes = LedgerTcpServerOptions.MaxFrameBytesMin);
        await using RawConnection raw = await RawConnection.ConnectAsync(small.Port);
        Assert.That((raw.Handshake.BatchEventsMax, raw.Handshake.ResultsMax, raw.Handshake.ChangeEventsMax), Is.EqualTo((27, 27, 8)));
    }

    [Test]
    public async Task A_create_over_the_engines_batch_size_is_batch_too_large_in_plain_words_and_nothing_is_applied()
    {
        await using RawConnection raw = await RawConnection.ConnectAsync(_ledger.Port);
        await raw.SendAsync(TcpOperation.CreateAccounts, 21, (ref MessagePackWriter w) =>
        {
            w.WriteArrayHeader(EngineBatch + 1);
            for (int i = 0; i < EngineBatch + 1; i++) ModelCodec.Write(ref w, new Account { Id = (UInt128)(7_000 + i), Ledger = 1, Code = 1 });
        });
        (LedgerTcpErrorCode code, ulong id, string message) = await raw.ReadErrorAsync();
        Assert.That((code, id), Is.EqualTo((LedgerTcpErrorCode.BatchTooLarge, 21UL)));
        Assert.That(message, Does.Contain("300").And.Not.Contain("Parameter").And.Not.Contain("events"));
        Assert.That(await _ledger.Engine.LookupAccountsAsync(new UInt128[] { 7_000 }), Is.Empty);
    }

    [Test]
    public async Task A_lookup_over_results_max_is_batch_too_large_and_a_full_one_fits_the_frame()
    {
        await using RawConnection raw = await RawConnection.ConnectAsync(_ledger.Port);
        await SendLookupAsync(raw, 22, ResultsMax + 1);
        (LedgerTcpErrorCode code, ulong id, _) = await raw.ReadErrorAsync();
        Assert.That((code, id), Is.EqualTo((LedgerTcpErrorCode.BatchTooLarge, 22UL)));

        await SendLookupAsync(raw, 23, ResultsMax);
        (FrameHeader header, byte[] body) = await raw.ReadAsync();
        Assert.That(header.Operation, Is.EqualTo(TcpOperation.LookupAccounts));
        Assert.That(BodyCodec.ReadArray(body, ModelCodec.ReadAccount, int.MaxValue, pooled: false, out _), Has.Length.EqualTo(ResultsMax));
        Assert.That(FrameHeader.Size + header.BodyLength, Is.LessThanOrEqualTo(FrameLimit));
    }

    [Test]
    public async Task Query_and_filter_limits_are_clamped_to_results_max_so_the_answer_fits()
    {
        await using RawConnection raw = await RawConnection.ConnectAsync(_ledger.Port);
        await raw.SendAsync(TcpOperation.QueryAccounts, 24, (ref MessagePackWriter w) => ModelCodec.Write(ref w, new QueryFilter { Ledger = uint.MaxValue, Limit = uint.MaxValue }));
        (FrameHeader header, byte[] body) = await raw.ReadAsync();
        Assert.That(header.Operation, Is.EqualTo(TcpOperation.QueryAccounts));
        Assert.That(BodyCodec.ReadArray(body, ModelCodec.ReadAccount, int.MaxValue, pooled: false, out _), Has.Length.EqualTo(ResultsMax));
        Assert.That(FrameHeader.Size + header.BodyLength, Is.LessThanOrEqualTo(FrameLimit));
    }

    [Test]
    public async Task A_change_events_limit_is_clamped_to_change_events_max_so_the_answer_fits()
    {
        await using RawConnection raw = await RawConnection.ConnectAsync(_ledger.Port);
        await raw.SendAsync(TcpOperation.GetChangeEvents, 25, (ref MessagePackWriter w) => ModelCodec.Write(ref w, new ChangeEventsFilter(0, 0, uint.MaxValue)));
        (FrameHeader header, byte[] body) = await raw.ReadAsync();
        Assert.That(header.Operation, Is.EqualTo(TcpOperation.GetChangeEvents));
        Assert.That(BodyCodec.ReadArray(body, ModelCodec.ReadChangeEvent, int.MaxValue, pooled: false, out _), Has.Length.EqualTo(ChangeEventsMax));
        Assert.That(FrameHeader.Size + header.BodyLength, Is.LessThanOrEqualTo(FrameLimit));
    }

    [Test]
    public async Task Paging_change_events_by_timestamp_reads_every_event_exactly_once()
    {
        var seen = new List<ChangeEvent>();
        var filter = new ChangeEventsFilter(0, 0, uint.MaxValue);
        for (int page = 0; page < 20; page++)
        {
            ChangeEvent[] events = await _client.GetChangeEventsAsync(filter);
            Assert.That(events, Has.Length.LessThanOrEqualTo(ChangeEventsMax));
            seen.AddRange(events);
            if (events.Length < ChangeEventsMax) break;
            filter = filter with { TimestampMin = events[^1].Timestamp + 1 };
        }

        Assert.That(seen, Has.Count.EqualTo(Transfers));
        Assert.That(seen.Select(e => e.Transfer.Id).Distinct().Count(), Is.EqualTo(Transfers));
        for (int i = 1; i < seen.Count; i++) Assert.That(seen[i].Timestamp, Is.GreaterThan(seen[i - 1].Timestamp));
        Assert.That(seen, Is.EqualTo(await _ledger.Engine.GetChangeEventsAsync(new ChangeEventsFilter(0, 0, LedgerStateMachine.ChangeEventsMax))));
    }

    [Test]
    public async Task The_client_refuses_requests_over_the_announced_limits_before_sending()
    {
        ArgumentException? create = await Assert.ThrowsAsync<ArgumentException>(() => _client.CreateTransfersAsync(new Transfer[EngineBatch + 1]));
        Assert.That(create!.Message, Does.Contain("300"));
        await Assert.ThrowsAsync<ArgumentException>(() => _client.LookupAccountsAsync(new UInt128[ResultsMax + 1]));
        Assert.That(await _client.LookupAccountsAsync(new UInt128[ResultsMax]), Is.Empty);
        Assert.That(_client.IsConnected, Is.True);
    }

    [Test]
    public async Task Paging_by_timestamp_reads_every_record_past_results_max()
    {
        var seen = new List<Account>();
        var filter = new QueryFilter { Ledger = uint.MaxValue, Limit = uint.MaxValue };
        for (int page = 0; page < 10; page++)
        {
            Account[] accounts = await _client.QueryAccountsAsync(filter);
            Assert.That(accounts, Has.Length.LessThanOrEqualTo(ResultsMax));
            seen.AddRange(accounts);
            if (accounts.Length < ResultsMax) break;
            filter.TimestampMin = accounts[^1].Timestamp + 1;
        }

        Assert.That(seen, Has.Count.EqualTo(Accounts));
        Assert.That(seen.Select(a => a.Id).Distinct().Count(), Is.EqualTo(Accounts));
    }

    [Test]
    public async Task A_client_with_a_smaller_frame_limit_than_the_servers_bounds_its_requests_to_its_own()
    {
        await using LedgerTcpClient small = await _ledger.ConnectAsync(o => o.MaxFrameBytes = LedgerTcpServerOptions.MaxFrameBytesMin);
        Assert.That((small.BatchEventsMax, small.ResultsMax, small.ChangeEventsMax), Is.EqualTo((27, 27, 8)));
        Account[] accounts = await small.QueryAccountsAsync(new QueryFilter { Ledger = uint.MaxValue, Limit = 1000 });
        Assert.That(accounts, Has.Length.EqualTo(27));
        Assert.That(await small.GetChangeEventsAsync(new ChangeEventsFilter(0, 0, 1000)), Has.Length.EqualTo(8));
        Assert.That(small.IsConnected, Is.True);
    }

    private static Task SendLookupAsync(RawConnection raw, ulong requestId, int count) =>
        raw.SendAsync(TcpOperation.LookupAccounts, requestId, (ref MessagePackWriter w) =>
        {
            w.WriteArrayHeader(count);
            for (int i = 0; i < count; i++) ModelCodec.Write(ref w, UInt128.MaxValue - 1 - (UInt128)i);
        });
}
