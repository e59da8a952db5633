using System.Numerics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using NUnit.Framework;
using ReadModelProjection;

namespace LedgerCore.Samples.Tests;

/// <summary>
/// The projection against a real PostgreSQL: rows and balances match the ledger (expiries included), the checkpoints move with the rows,
/// and a restarted projection resumes from the stored sequence without re-applying anything.
/// </summary>
public class ReadModelProjectionTests
{
    private PostgresServer _postgres = null!;
    private string _directory = null!;
    private TestDatabase _database = null!;
    private NpgsqlDataSource _dataSource = null!;

    [OneTimeSetUp]
    public async Task StartPostgres() => _postgres = await PostgresServer.StartAsync();

    [OneTimeTearDown]
    public async Task StopPostgres() => await _postgres.DisposeAsync();

    [SetUp]
    public async Task SetUp()
    {
        _directory = Directory.CreateTempSubdirectory("ledgercore-projection-").FullName;
        _database = await _postgres.CreateDatabaseAsync();
        _dataSource = NpgsqlDataSource.Create(_database.ConnectionString);
    }

    [TearDown]
    public async Task TearDown()
    {
        await _dataSource.DisposeAsync();
        await _database.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Test]
    public async Task Balances_match_the_ledger_through_posts_voids_and_expiries_and_a_restart_resumes_without_duplicates_or_gaps()
    {
        (long Sequence, ulong Timestamp) first;
        await using (LedgerEngine ledger = await Open())
        {
            Assert.That(await ledger.CreateAccountsAsync(new[]
            {
                new Account { Id = 1, Ledger = 840, Code = 10 },
                new Account { Id = 2, Ledger = 840, Code = 10, Flags = AccountFlags.DebitsMustNotExceedCredits },
                new Account { Id = 3, Ledger = 840, Code = 10 },
                new Account { Id = 4, Ledger = 840, Code = 10, UserData64 = 44 },
                new Account { Id = 6, Ledger = 840, Code = 10, UserData32 = 6 },                                   // never in a transfer
                new Account { Id = 2, Ledger = 840, Code = 10, Flags = AccountFlags.DebitsMustNotExceedCredits }, // Exists: not a second row
                new Account { Id = 5, Ledger = 840, Code = 0 },                                                    // refused: no row
            }), Has.Length.EqualTo(2));

            CreateTransfersResult[] failures = await ledger.CreateTransfersAsync(new[]
            {
                new Transfer { Id = 100, DebitAccountId = 1, CreditAccountId = 2, Amount = 1_000, Ledger = 840, Code = 1 },
                new Transfer { Id = 101, DebitAccountId = 1, CreditAccountId = 99, Amount = 5, Ledger = 840, Code = 1 },   // CreditAccountNotFound
                new Transfer { Id = 100, DebitAccountId = 1, CreditAccountId = 2, Amount = 1_000, Ledger = 840, Code = 1 }, // Exists
                new Transfer { Id = 102, DebitAccountId = 1, CreditAccountId = 3, Amount = 500, Ledger = 840, Code = 1, Flags = TransferFlags.Pending },
                new Transfer { Id = 107, DebitAccountId = 2, CreditAccountId = 4, Amount = 200, Ledger = 840, Code = 1, Flags = TransferFlags.Pending, Timeout = 1 },
                new Transfer { Id = 108, DebitAccountId = 3, CreditAccountId = 4, Amount = 50, Ledger = 840, Code = 1, Flags = TransferFlags.Pending },
            });
            Assert.That(failures.Select(f => f.Index), Is.EqualTo(new[] { 1, 2 }));
            Assert.That(await ledger.CreateTransfersAsync(new[]
            {
                // Post part of a pending transfer, accounts left for the ledger to fill in; void another.
                new Transfer { Id = 103, PendingId = 102, Amount = 300, Flags = TransferFlags.PostPendingTransfer },
                new Transfer { Id = 109, PendingId = 108, Flags = TransferFlags.VoidPendingTransfer },
                // Asks for 5,000; account 2 may only be debited up to its credits less its pending debits: 800 moves.
                new Transfer { Id = 104, DebitAccountId = 2, CreditAccountId = 3, Amount = 5_000, Ledger = 840, Code = 1, Flags = TransferFlags.BalancingDebit },
            }), Is.Empty);

            var projection = new LedgerProjection(ledger, _dataSource);
            await projection.EnsureSchemaAsync();
            ProjectionProgress progress = await projection.CatchUpAsync();
            ChangeEvent[] events = await AllEvents(ledger);
            Assert.That(progress, Is.EqualTo(new ProjectionProgress(1, ledger.CommittedSequence, 3, 1, events[^1].Timestamp, events.Length)));
            first = await projection.GetCheckpointAsync();
            Assert.That(first, Is.EqualTo((ledger.CommittedSequence, events[^1].Timestamp)));
            await AssertMatchesLedger(ledger);
            Assert.That(await PendingStatuses(), Is.EqualTo(new Dictionary<int, string> { [102] = "posted", [107] = "pending", [108] = "voided" }));
            Assert.That(await Scalar<BigInteger>("SELECT amount FROM ledger_transfers WHERE id = 104"), Is.EqualTo(new BigInteger(800)), "the amount that moved");
            Assert.That(await Scalar<BigInteger>("SELECT debit_account_id FROM ledger_transfers WHERE id = 103"), Is.EqualTo(BigInteger.One), "filled in from the pending transfer");

            // Pending 107 expires with the first batch applied after its one-second deadline (real time).
            await Task.Delay(TimeSpan.FromSeconds(1));
            for (int attempt = 0; attempt < 100 && !(await AllEvents(ledger)).Any(e => e.Type == ChangeEventType.TwoPhaseExpired); attempt++)
            {
                if (attempt > 0) await Task.Delay(50);
                Assert.That(await ledger.CreateTransfersAsync(new[] { new Transfer { Id = (UInt128)(1_000 + attempt), DebitAccountId = 3, CreditAccountId = 1, Amount = 1, Ledger = 840, Code = 1 } }), Is.Empty);
            }
            Assert.That((await AllEvents(ledger)).Count(e => e.Type == ChangeEventType.TwoPhaseExpired), Is.EqualTo(1));
        }

        // Restart: the ledger reopens, more is written, and a new projection picks up where the tables end.
        await using (LedgerEngine ledger = await Open())
        {
            Assert.That(await ledger.CreateAccountsAsync(new[] { new Account { Id = 7, Ledger = 840, Code = 10 } }), Is.Empty);
            Assert.That(await ledger.CreateTransfersAsync(new[] { new Transfer { Id = 105, DebitAccountId = 3, CreditAccountId = 7, Amount = 70, Ledger = 840, Code = 1 } }), Is.Empty);

            var projection = new LedgerProjection(ledger, _dataSource);
            await projection.EnsureSchemaAsync();
            Assert.That(await projection.GetCheckpointAsync(), Is.EqualTo(first));
            ChangeEvent[] events = await AllEvents(ledger);
            int newEvents = events.Count(e => e.Timestamp > first.Timestamp);
            Assert.That(newEvents, Is.GreaterThanOrEqualTo(3), "the expiry, the transfers that let it happen, and 105");
            ProjectionProgress second = await projection.CatchUpAsync();
            Assert.That(second, Is.EqualTo(new ProjectionProgress(first.Sequence + 1, ledger.CommittedSequence, (int)(ledger.CommittedSequence - first.Sequence), first.Timestamp + 1, events[^1].Timestamp, newEvents)),
                "only what came after the checkpoints was read");
            await AssertMatchesLedger(ledger);
            Assert.That(await PendingStatuses(), Is.EqualTo(new Dictionary<int, string> { [102] = "posted", [107] = "expired", [108] = "voided" }));

            ProjectionProgress idle = await projection.CatchUpAsync();
            Assert.That((idle.Batches, idle.Events), Is.EqualTo((0, 0)), "nothing new: nothing read");
        }
    }

    [Test]
    public async Task Live_projection_follows_commits_and_outcomes_until_cancelled()
    {
        await using LedgerEngine ledger = await Open();
        var projection = new LedgerProjection(ledger, _dataSource);
        await projection.EnsureSchemaAsync();
        using var stop = new CancellationTokenSource();
        Task<ProjectionProgress> live = projection.RunAsync(stop.Token);

        Assert.That(await ledger.CreateAccountsAsync(new[] { new Account { Id = 1, Ledger = 1, Code = 1 }, new Account { Id = 2, Ledger = 1, Code = 1 }, new Account { Id = 3, Ledger = 1, Code = 1 } }), Is.Empty);
        for (int i = 0; i < 20; i++)
        {
            var transfer = new Transfer { Id = (UInt128)(10 + i), DebitAccountId = 1, CreditAccountId = 2, Amount = 1, Ledger = 1, Code = 1 };
            if (i % 4 == 1) transfer = transfer with { Flags = TransferFlags.Pending };
            if (i % 4 == 2) transfer = new Transfer { Id = (UInt128)(10 + i), PendingId = (UInt128)(10 + i - 1), Amount = 1, Flags = i % 8 == 2 ? TransferFlags.PostPendingTransfer : TransferFlags.VoidPendingTransfer };
            Assert.That(await ledger.CreateTransfersAsync(new[] { transfer }), Is.Empty);
        }

        await WaitUntilCaughtUp(ledger);
        Assert.That(await Scalar<long>("SELECT count(*) FROM ledger_transfers"), Is.EqualTo(20));
        await AssertMatchesLedger(ledger);

        await stop.CancelAsync();
        Assert.That(async () => await live, Throws.InstanceOf<OperationCanceledException>());
    }

    [Test]
    public async Task The_sample_host_projects_its_demo_traffic()
    {
        using IHost host = ProjectionHost.Build([
            "--ConnectionStrings:ReadModel", _database.ConnectionString, "--Ledger:DataDirectory", _directory,
            "--Demo:Transfers", "100", "--Logging:LogLevel:Default", "Warning"]);
        await host.StartAsync();
        var ledger = host.Services.GetRequiredService<LedgerEngine>();

        await WaitUntilCaughtUp(ledger);
        Assert.That(await Scalar<long>("SELECT count(*) FROM ledger_accounts"), Is.EqualTo(10));
        Assert.That(await Scalar<long>("SELECT count(*) FROM ledger_transfers"), Is.EqualTo(100));
        await AssertMatchesLedger(ledger);
        await host.StopAsync();
    }

    [Test]
    public async Task A_database_holding_another_ledgers_projection_is_refused()
    {
        await using (LedgerEngine ledger = await Open())
        {
            Assert.That(await ledger.CreateAccountsAsync(new[] { new Account { Id = 1, Ledger = 1, Code = 1 } }), Is.Empty);
            var projection = new LedgerProjection(ledger, _dataSource);
            await projection.EnsureSchemaAsync();
            Assert.That((await projection.CatchUpAsync()).Batches, Is.EqualTo(1));
        }

        string otherDirectory = Directory.CreateTempSubdirectory("ledgercore-projection-other-").FullName;
        try
        {
            await using LedgerEngine other = await LedgerEngine.OpenAsync(new LedgerOptions { DataDirectory = otherDirectory });
            var projection = new LedgerProjection(other, _dataSource);
            Assert.That(async () => await projection.CatchUpAsync(), Throws.InvalidOperationException.With.Message.Contains("not of"));
        }
        finally
        {
            Directory.Delete(otherDirectory, recursive: true);
        }
    }

    /// <summary>Waits (at most 20 s) until both checkpoints reach the ledger: its last committed batch and its last change event.</summary>
    private async Task WaitUntilCaughtUp(LedgerEngine ledger)
    {
        ChangeEvent[] events = await AllEvents(ledger);
        (long, long) target = (ledger.CommittedSequence, events.Length == 0 ? 0 : (long)events[^1].Timestamp);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (await Checkpoint() != target && DateTime.UtcNow < deadline) await Task.Delay(20);
        Assert.That(await Checkpoint(), Is.EqualTo(target));
    }

    /// <summary>The stored checkpoints, or (-1, -1) before the schema or the first unit exists.</summary>
    private async Task<(long, long)> Checkpoint()
    {
        try
        {
            await using NpgsqlCommand command = _dataSource.CreateCommand("SELECT sequence, change_timestamp FROM ledger_projection");
            await using NpgsqlDataReader reader = await command.ExecuteReaderAsync();
            return await reader.ReadAsync() ? (reader.GetInt64(0), reader.GetInt64(1)) : (-1, -1);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            return (-1, -1);
        }
    }

    private Task<LedgerEngine> Open() => LedgerEngine.OpenAsync(new LedgerOptions { DataDirectory = _directory });

    private static Task<ChangeEvent[]> AllEvents(LedgerEngine ledger) =>
        ledger.GetChangeEventsAsync(new ChangeEventsFilter(0, 0, LedgerStateMachine.ChangeEventsMax));

    /// <summary>
    /// The read model equals the ledger: a row for every account that exists (those in no transfer too) with
    /// the balances and flags a lookup gives now, a row for every transfer as stored, and every change event
    /// once, in order, with none missing.
    /// </summary>
    private async Task AssertMatchesLedger(LedgerEngine ledger)
    {
        Account[] accounts = await ledger.QueryAccountsAsync(new QueryFilter { Limit = 8190 });
        var expectedAccounts = accounts.Select(a => string.Join(' ', a.Id, a.Ledger, a.Code, (int)a.Flags, a.UserData128, a.UserData64, a.UserData32, a.Timestamp,
            a.DebitsPending, a.DebitsPosted, a.CreditsPending, a.CreditsPosted)).ToList();
        Assert.That(await Rows("""
            SELECT id, ledger, code, flags, user_data_128, user_data_64, user_data_32, timestamp, debits_pending, debits_posted, credits_pending, credits_posted
            FROM ledger_accounts ORDER BY timestamp
            """), Is.EqualTo(expectedAccounts));

        Transfer[] transfers = await ledger.QueryTransfersAsync(new QueryFilter { Limit = 8190 });
        var expectedTransfers = transfers.Select(t => string.Join(' ', t.Id, t.DebitAccountId, t.CreditAccountId, t.Amount, t.PendingId, t.UserData128, t.UserData64,
            t.UserData32, t.Timeout, t.Ledger, t.Code, (int)t.Flags, t.Timestamp)).ToList();
        Assert.That(await Rows("""
            SELECT id, debit_account_id, credit_account_id, amount, pending_id, user_data_128, user_data_64, user_data_32, timeout, ledger, code, flags, timestamp
            FROM ledger_transfers ORDER BY timestamp
            """), Is.EqualTo(expectedTransfers));

        ChangeEvent[] events = await AllEvents(ledger);
        Assert.That(await Rows("SELECT timestamp, type, transfer_id FROM ledger_change_events ORDER BY timestamp"),
            Is.EqualTo(events.Select(e => string.Join(' ', e.Timestamp, (int)e.Type, e.Transfer.Id)).ToList()));
    }

    private async Task<Dictionary<int, string>> PendingStatuses()
    {
        var statuses = new Dictionary<int, string>();
        await using NpgsqlCommand command = _dataSource.CreateCommand("SELECT id, pending_status FROM ledger_transfers WHERE pending_status IS NOT NULL");
        await using NpgsqlDataReader reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) statuses[(int)reader.GetFieldValue<BigInteger>(0)] = reader.GetString(1);
        return statuses;
    }

    /// <summary>Each row as its columns' invariant text, space-separated.</summary>
    private async Task<List<string>> Rows(string sql)
    {
        var rows = new List<string>();
        await using NpgsqlCommand command = _dataSource.CreateCommand(sql);
        await using NpgsqlDataReader reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var fields = new string[reader.FieldCount];
            for (int i = 0; i < fields.Length; i++) fields[i] = Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture)!;
            rows.Add(string.Join(' ', fields));
        }
        return rows;
    }

    private async Task<T> Scalar<T>(string sql)
    {
        await using NpgsqlCommand command = _dataSource.CreateCommand(sql);
        object? value = await command.ExecuteScalarAsync();
        if (value is null or DBNull) return default!;
        if (typeof(T) == typeof(BigInteger)) return (T)(object)BigInteger.Parse(Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture)!, System.Globalization.CultureInfo.InvariantCulture);
        return (T)Convert.ChangeType(value, Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T), System.Globalization.CultureInfo.InvariantCulture);
    }
}
