using NUnit.Framework;

namespace LedgerCore.Tcp.Tests;

/// <summary>Every operation through the client gives what the engine gives in process.</summary>
public sealed class RoundTripTests
{
    private TestLedger _ledger = null!;
    private LedgerTcpClient _client = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _ledger = await TestLedger.StartAsync();
        _client = await _ledger.ConnectAsync();
        CreateAccountsResult[] failures = await _client.CreateAccountsAsync(new[]
        {
            new Account { Id = 1, Ledger = 840, Code = 10, UserData64 = 7, Flags = AccountFlags.History },
            new Account { Id = 2, Ledger = 840, Code = 20, UserData64 = 7, Flags = AccountFlags.History },
            new Account { Id = ulong.MaxValue - 1, Ledger = 840, Code = 30, UserData128 = UInt128.MaxValue - 5 },
        });
        Assert.That(failures, Is.Empty);
        CreateTransfersResult[] transferFailures = await _client.CreateTransfersAsync(new[]
        {
            new Transfer { Id = 100, DebitAccountId = 1, CreditAccountId = 2, Amount = 2_500, Ledger = 840, Code = 1, UserData32 = 9 },
            new Transfer { Id = 101, DebitAccountId = 2, CreditAccountId = 1, Amount = (UInt128)ulong.MaxValue + 3, Ledger = 840, Code = 2 },
        });
        Assert.That(transferFailures, Is.Empty);
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await _client.DisposeAsync();
        await _ledger.DisposeAsync();
    }

    [Test]
    public void Handshake_reports_the_engines_ledger_id() =>
        Assert.That(_client.LedgerId, Is.EqualTo(_ledger.Engine.LedgerId));

    [Test]
    public async Task Ping_round_trips() =>
        Assert.That(await _client.PingAsync(), Is.GreaterThan(TimeSpan.Zero));

    [Test]
    public async Task Create_accounts_returns_only_failures_with_their_index()
    {
        CreateAccountsResult[] failures = await _client.CreateAccountsAsync(new[]
        {
            new Account { Id = 10, Ledger = 840, Code = 10 },
            new Account { Id = 11, Ledger = 0, Code = 10 },
            new Account { Id = 1, Ledger = 840, Code = 10, UserData64 = 7, Flags = AccountFlags.History },
        });
        CreateAccountsResult[] expected = [new(1, CreateAccountResult.LedgerMustNotBeZero), new(2, CreateAccountResult.Exists)];
        Assert.That(failures, Is.EqualTo(expected));
    }

    [Test]
    public async Task Create_transfers_returns_only_failures_and_resubmission_gives_exists()
    {
        var transfers = new[]
        {
            new Transfer { Id = 200, DebitAccountId = 1, CreditAccountId = 2, Amount = 1, Ledger = 840, Code = 1 },
            new Transfer { Id = 201, DebitAccountId = 1, CreditAccountId = 1, Amount = 1, Ledger = 840, Code = 1 },
        };
        CreateTransfersResult[] first = await _client.CreateTransfersAsync(transfers);
        Assert.That(first, Is.EqualTo(new CreateTransfersResult[] { new(1, CreateTransferResult.AccountsMustBeDifferent) }));

        CreateTransfersResult[] again = await _client.CreateTransfersAsync(transfers.AsMemory(0, 1));
        Assert.That(again, Is.EqualTo(new CreateTransfersResult[] { new(0, CreateTransferResult.Exists) }));
    }

    [Test]
    public async Task Lookups_match_the_engine_field_for_field()
    {
        UInt128[] accountIds = [1, 999, ulong.MaxValue - 1, 2];
        Assert.That(await _client.LookupAccountsAsync(accountIds), Is.EqualTo(await _ledger.Engine.LookupAccountsAsync(accountIds)));
        Account[] accounts = await _client.LookupAccountsAsync(accountIds);
        Assert.That(accounts.Select(a => a.Id), Is.EqualTo(new UInt128[] { 1, ulong.MaxValue - 1, 2 }));
        Assert.That(accounts[1].UserData128, Is.EqualTo(UInt128.MaxValue - 5));

        UInt128[] transferIds = [101, 100, 555];
        Transfer[] transfers = await _client.LookupTransfersAsync(transferIds);
        Assert.That(transfers, Is.EqualTo(await _ledger.Engine.LookupTransfersAsync(transferIds)));
        Assert.That(transfers[0].Amount, Is.EqualTo((UInt128)ulong.MaxValue + 3));
        Assert.That(transfers[1].Timestamp, Is.Not.Zero);
    }

    [Test]
    public async Task Account_transfers_and_balances_match_the_engine()
    {
        var filter = new AccountFilter { AccountId = 1, Limit = 10, Flags = AccountFilterFlags.Debits | AccountFilterFlags.Credits };
        Transfer[] transfers = await _client.GetAccountTransfersAsync(filter);
        Assert.That(transfers, Is.EqualTo(await _ledger.Engine.GetAccountTransfersAsync(filter)));
        Assert.That(transfers, Has.Length.GreaterThanOrEqualTo(2));

        AccountBalance[] balances = await _client.GetAccountBalancesAsync(filter);
        Assert.That(balances, Is.EqualTo(await _ledger.Engine.GetAccountBalancesAsync(filter)));
        Assert.That(balances, Has.Length.GreaterThanOrEqualTo(2));
    }

    [Test]
    public async Task Queries_match_the_engine()
    {
        var accounts = new QueryFilter { UserData64 = 7, Ledger = 840, Limit = 10 };
        Account[] found = await _client.QueryAccountsAsync(accounts);
        Assert.That(found, Is.EqualTo(await _ledger.Engine.QueryAccountsAsync(accounts)));
        Assert.That(found.Select(a => a.Id), Is.EquivalentTo(new UInt128[] { 1, 2 }));

        var transfers = new QueryFilter { UserData32 = 9, Limit = 10, Flags = QueryFilterFlags.Reversed };
        Transfer[] matched = await _client.QueryTransfersAsync(transfers);
        Assert.That(matched, Is.EqualTo(await _ledger.Engine.QueryTransfersAsync(transfers)));
        Assert.That(matched.Select(t => t.Id), Is.EqualTo(new UInt128[] { 100 }));
    }

    [Test]
    public async Task Change_events_match_the_engine_and_an_expired_pending_appears_with_its_accounts()
    {
        Assert.That(await _client.CreateAccountsAsync(new[] { new Account { Id = 30, Ledger = 840, Code = 10 }, new Account { Id = 31, Ledger = 840, Code = 10 } }), Is.Empty);
        Assert.That(await _client.CreateTransfersAsync(new[] { new Transfer { Id = 300, DebitAccountId = 30, CreditAccountId = 31, Amount = 40, Ledger = 840, Code = 1, Flags = TransferFlags.Pending, Timeout = 1 } }), Is.Empty);
        Transfer pending = (await _client.LookupTransfersAsync(new UInt128[] { 300 })).Single();

        // Expiry is applied with the next batch past the deadline (1 s of real time): write until it shows.
        await Task.Delay(TimeSpan.FromSeconds(1));
        ChangeEvent[] events = [];
        for (int attempt = 0; attempt < 100 && !events.Any(e => e.Type == ChangeEventType.TwoPhaseExpired); attempt++)
        {
            Assert.That(await _client.CreateTransfersAsync(new[] { new Transfer { Id = (UInt128)(310 + attempt), DebitAccountId = 30, CreditAccountId = 31, Amount = 1, Ledger = 840, Code = 1 } }), Is.Empty);
            events = (await _client.GetChangeEventsAsync(new ChangeEventsFilter(pending.Timestamp, 0, 100))).Where(e => e.Transfer.DebitAccountId == 30).ToArray();
            if (!events.Any(e => e.Type == ChangeEventType.TwoPhaseExpired)) await Task.Delay(100);
        }

        ChangeEvent expired = events.Single(e => e.Type == ChangeEventType.TwoPhaseExpired);
        Assert.That(expired.Transfer, Is.EqualTo(pending), "the event's transfer is the pending one");
        Assert.That(expired.Timestamp, Is.GreaterThanOrEqualTo(pending.Timestamp + 1_000_000_000UL), "at or after the deadline");
        Assert.That((expired.DebitAccount.Id, expired.DebitAccount.DebitsPending, expired.CreditAccount.Id, expired.CreditAccount.CreditsPending), Is.EqualTo(((UInt128)30, UInt128.Zero, (UInt128)31, UInt128.Zero)));
        Assert.That(events[0].Type, Is.EqualTo(ChangeEventType.TwoPhasePending));
        Assert.That((events[0].DebitAccount.DebitsPending, events[0].CreditAccount.CreditsPending), Is.EqualTo(((UInt128)40, (UInt128)40)));

        // Field for field what the engine answers, in strictly increasing timestamps; the last accounts are the current ones.
        var filter = new ChangeEventsFilter(pending.Timestamp, events[^1].Timestamp, 100);
        ChangeEvent[] all = await _client.GetChangeEventsAsync(filter);
        Assert.That(all, Is.EqualTo(await _ledger.Engine.GetChangeEventsAsync(filter)));
        for (int i = 1; i < all.Length; i++) Assert.That(all[i].Timestamp, Is.GreaterThan(all[i - 1].Timestamp));
        Assert.That(new[] { events[^1].DebitAccount, events[^1].CreditAccount }, Is.EqualTo(await _client.LookupAccountsAsync(new UInt128[] { 30, 31 })));
    }

    [Test]
    public async Task An_invalid_change_events_filter_answers_an_empty_array()
    {
        Assert.That(await _client.GetChangeEventsAsync(new ChangeEventsFilter(0, 0, 10)), Is.Not.Empty, "valid: the fixture's transfers");
        Assert.That(await _client.GetChangeEventsAsync(new ChangeEventsFilter(0, 0, 0)), Is.Empty, "zero limit");
        Assert.That(await _client.GetChangeEventsAsync(new ChangeEventsFilter(10, 9, 10)), Is.Empty, "min above max");
        Assert.That(await _client.GetChangeEventsAsync(new ChangeEventsFilter((ulong)long.MaxValue + 1, 0, 10)), Is.Empty, "min above 2^63 - 1");
        Assert.That(await _client.GetChangeEventsAsync(new ChangeEventsFilter(0, (ulong)long.MaxValue + 1, 10)), Is.Empty, "max above 2^63 - 1");
        Assert.That(_client.IsConnected, Is.True);
    }

    [Test]
    public void Handshake_announces_2730_change_events_with_the_default_frame_limit() =>
        Assert.That((_client.ChangeEventsMax, _client.ResultsMax), Is.EqualTo((LedgerStateMachine.ChangeEventsMax, 8190)));

    [Test]
    public async Task Empty_batches_round_trip()
    {
        Assert.That(await _client.CreateTransfersAsync(ReadOnlyMemory<Transfer>.Empty), Is.Empty);
        Assert.That(await _client.LookupAccountsAsync(ReadOnlyMemory<UInt128>.Empty), Is.Empty);
    }

    [Test]
    public async Task Full_batch_of_8190_transfers_goes_through_one_request()
    {
        var transfers = new Transfer[LedgerOptions.BatchEventsMax];
        for (int i = 0; i < transfers.Length; i++)
        {
            transfers[i] = new Transfer { Id = (UInt128)(1_000_000 + i), DebitAccountId = 1, CreditAccountId = 2, Amount = 1, Ledger = 840, Code = 1 };
        }

        Assert.That(await _client.CreateTransfersAsync(transfers), Is.Empty);
        Transfer[] last = await _client.LookupTransfersAsync(new UInt128[] { 1_000_000 + 8189 });
        Assert.That(last, Has.Length.EqualTo(1));
    }

    [Test]
    public async Task Many_concurrent_calls_are_pipelined_over_one_connection()
    {
        Task<CreateTransfersResult[]>[] calls = Enumerable.Range(0, 200).Select(i => _client.CreateTransfersAsync(new[]
        {
            new Transfer { Id = (UInt128)(5_000_000 + i), DebitAccountId = 2, CreditAccountId = 1, Amount = 1, Ledger = 840, Code = 1 },
        })).ToArray();
        CreateTransfersResult[][] results = await Task.WhenAll(calls);
        Assert.That(results.All(r => r.Length == 0), Is.True);
        Transfer[] found = await _client.LookupTransfersAsync(Enumerable.Range(0, 200).Select(i => (UInt128)(5_000_000 + i)).ToArray());
        Assert.That(found, Has.Length.EqualTo(200));
    }

    [Test]
    public async Task Batch_over_8190_is_refused_by_the_client_before_sending() =>
        await Assert.ThrowsAsync<ArgumentException>(() => _client.CreateTransfersAsync(new Transfer[LedgerOptions.BatchEventsMax + 1]));
}
