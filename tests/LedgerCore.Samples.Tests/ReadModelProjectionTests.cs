using System.Numerics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using NUnit.Framework;
using ReadModelProjection;

namespace LedgerCore.Samples.Tests;

/// <summary>
/// The projection against a real PostgreSQL: rows match the ledger, the checkpoint moves with the rows,
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
    public async Task Projection_matches_the_ledger_and_resumes_from_its_checkpoint_without_duplicates()
    {
        long firstThrough;
        await using (LedgerEngine ledger = await Open())
        {
            Assert.That(await ledger.CreateAccountsAsync(new[]
            {
                new Account { Id = 1, Ledger = 840, Code = 10 },
                new Account { Id = 2, Ledger = 840, Code = 10, Flags = AccountFlags.DebitsMustNotExceedCredits },
                new Account { Id = 3, Ledger = 840, Code = 10 },
                new Account { Id = 2, Ledger = 840, Code = 10, Flags = AccountFlags.DebitsMustNotExceedCredits }, // Exists: not a second row
                new Account { Id = 4, Ledger = 840, Code = 0 },                                                    // refused: no row
            }), Has.Length.EqualTo(2));

            CreateTransfersResult[] failures = await ledger.CreateTransfersAsync(new[]
            {
                new Transfer { Id = 100, DebitAccountId = 1, CreditAccountId = 2, Amount = 1_000, Ledger = 840, Code = 1 },
                new Transfer { Id = 101, DebitAccountId = 1, CreditAccountId = 99, Amount = 5, Ledger = 840, Code = 1 },   // CreditAccountNotFound
                new Transfer { Id = 100, DebitAccountId = 1, CreditAccountId = 2, Amount = 1_000, Ledger = 840, Code = 1 }, // Exists
                new Transfer { Id = 102, DebitAccountId = 1, CreditAccountId = 3, Amount = 500, Ledger = 840, Code = 1, Flags = TransferFlags.Pending },
            });
            Assert.That(failures.Select(f => f.Index), Is.EqualTo(new[] { 1, 2 }));
            Assert.That(await ledger.CreateTransfersAsync(new[]
            {
                // Post part of the pending transfer, accounts left for the ledger to fill in.
                new Transfer { Id = 103, PendingId = 102, Amount = 300, Flags = TransferFlags.PostPendingTransfer },
                // Asks for 5,000; account 2 may only be debited up to its credits: 1,000 moves.
                new Transfer { Id = 104, DebitAccountId = 2, CreditAccountId = 3, Amount = 5_000, Ledger = 840, Code = 1, Flags = TransferFlags.BalancingDebit },
            }), Is.Empty);

            var projection = new LedgerProjection(ledger, _dataSource);
            await projection.EnsureSchemaAsync();
            ProjectionProgress first = await projection.CatchUpAsync();
            Assert.That(first, Is.EqualTo(new ProjectionProgress(1, ledger.CommittedSequence, Batches: 3, AccountsInserted: 3, TransfersInserted: 4)));
            firstThrough = first.ThroughSequence;

            Assert.That(await Scalar<long>("SELECT sequence FROM ledger_projection"), Is.EqualTo(firstThrough));
            Assert.That(await Ids("SELECT id FROM ledger_accounts"), Is.EquivalentTo(new[] { 1, 2, 3 }));
            Assert.That(await Ids("SELECT id FROM ledger_transfers"), Is.EquivalentTo(new[] { 100, 102, 103, 104 }));
            Assert.That(await Scalar<BigInteger>("SELECT amount FROM ledger_transfers WHERE id = 104"), Is.EqualTo(new BigInteger(1_000)), "the amount that moved");
            Assert.That(await Scalar<BigInteger>("SELECT debit_account_id FROM ledger_transfers WHERE id = 103"), Is.EqualTo(BigInteger.One), "filled in from the pending transfer");
            await AssertBalancesMatch(ledger);
        }

        // Restart: the ledger reopens, more is written, and a new projection picks up where the tables end.
        await using (LedgerEngine ledger = await Open())
        {
            Assert.That(await ledger.CreateAccountsAsync(new[] { new Account { Id = 5, Ledger = 840, Code = 10 } }), Is.Empty);
            Assert.That(await ledger.CreateTransfersAsync(new[]
            {
                new Transfer { Id = 100, DebitAccountId = 1, CreditAccountId = 2, Amount = 1_000, Ledger = 840, Code = 1 }, // Exists again
                new Transfer { Id = 105, DebitAccountId = 3, CreditAccountId = 5, Amount = 70, Ledger = 840, Code = 1 },
                new Transfer { Id = 106, DebitAccountId = 1, CreditAccountId = 5, Amount = 30, Ledger = 840, Code = 1 },
            }), Has.Length.EqualTo(1));

            var projection = new LedgerProjection(ledger, _dataSource);
            await projection.EnsureSchemaAsync();
            Assert.That(await projection.GetProjectedSequenceAsync(), Is.EqualTo(firstThrough));
            ProjectionProgress second = await projection.CatchUpAsync();
            Assert.That(second, Is.EqualTo(new ProjectionProgress(firstThrough + 1, ledger.CommittedSequence, Batches: 2, AccountsInserted: 1, TransfersInserted: 2)),
                "only the batches after the checkpoint were read");

            // Each row was written once, by the batch that created it: the first run's rows kept their sequences.
            Assert.That(await Scalar<long>("SELECT count(*) FROM ledger_transfers"), Is.EqualTo(6));
            Assert.That(await Ids($"SELECT id FROM ledger_transfers WHERE sequence > {firstThrough}"), Is.EquivalentTo(new[] { 105, 106 }));
            Assert.That(await Ids($"SELECT id FROM ledger_accounts WHERE sequence > {firstThrough}"), Is.EquivalentTo(new[] { 5 }));
            Assert.That(await Scalar<long>("SELECT sequence FROM ledger_projection"), Is.EqualTo(ledger.CommittedSequence));
            await AssertBalancesMatch(ledger);

            ProjectionProgress idle = await projection.CatchUpAsync();
            Assert.That(idle.Batches, Is.Zero, "nothing new: nothing read");
        }
    }

    [Test]
    public async Task Live_projection_follows_commits_until_cancelled()
    {
        await using LedgerEngine ledger = await Open();
        var projection = new LedgerProjection(ledger, _dataSource);
        await projection.EnsureSchemaAsync();
        using var stop = new CancellationTokenSource();
        Task<ProjectionProgress> live = projection.RunAsync(stop.Token);

        Assert.That(await ledger.CreateAccountsAsync(new[] { new Account { Id = 1, Ledger = 1, Code = 1 }, new Account { Id = 2, Ledger = 1, Code = 1 } }), Is.Empty);
        for (int i = 0; i < 20; i++)
        {
            Assert.That(await ledger.CreateTransfersAsync(new[] { new Transfer { Id = (UInt128)(10 + i), DebitAccountId = 1, CreditAccountId = 2, Amount = 1, Ledger = 1, Code = 1 } }), Is.Empty);
        }

        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (await ProjectedSequence() != ledger.CommittedSequence && DateTime.UtcNow < deadline) await Task.Delay(20);
        Assert.That(await Scalar<long>("SELECT count(*) FROM ledger_transfers"), Is.EqualTo(20));
        await AssertBalancesMatch(ledger);

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

        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (await ProjectedSequence() != ledger.CommittedSequence && DateTime.UtcNow < deadline) await Task.Delay(20);
        Assert.That(await Scalar<long>("SELECT count(*) FROM ledger_accounts"), Is.EqualTo(10));
        Assert.That(await Scalar<long>("SELECT count(*) FROM ledger_transfers"), Is.EqualTo(100));
        await AssertBalancesMatch(ledger);
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

    /// <summary>The stored checkpoint, or null before the schema or the first batch exists.</summary>
    private async Task<long?> ProjectedSequence()
    {
        try
        {
            return await Scalar<long?>("SELECT max(sequence) FROM ledger_projection");
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            return null;
        }
    }

    private Task<LedgerEngine> Open() => LedgerEngine.OpenAsync(new LedgerOptions { DataDirectory = _directory });

    /// <summary>The view's posted balances, derived from the projected transfers alone, equal the ledger's.</summary>
    private async Task AssertBalancesMatch(LedgerEngine ledger)
    {
        var projected = new Dictionary<BigInteger, (BigInteger Debits, BigInteger Credits)>();
        await using (NpgsqlCommand command = _dataSource.CreateCommand("SELECT id, debits_posted, credits_posted FROM ledger_account_balances"))
        await using (NpgsqlDataReader reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync()) projected[reader.GetFieldValue<BigInteger>(0)] = (reader.GetFieldValue<BigInteger>(1), reader.GetFieldValue<BigInteger>(2));
        }

        Account[] accounts = await ledger.LookupAccountsAsync(projected.Keys.Select(k => (UInt128)k).ToArray());
        Assert.That(accounts, Has.Length.EqualTo(projected.Count));
        foreach (Account a in accounts)
        {
            Assert.That(projected[a.Id], Is.EqualTo(((BigInteger)a.DebitsPosted, (BigInteger)a.CreditsPosted)), $"account {a.Id}");
        }
    }

    private async Task<T> Scalar<T>(string sql)
    {
        await using NpgsqlCommand command = _dataSource.CreateCommand(sql);
        object? value = await command.ExecuteScalarAsync();
        if (value is null or DBNull) return default!;
        if (typeof(T) == typeof(BigInteger)) return (T)(object)BigInteger.Parse(Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture)!, System.Globalization.CultureInfo.InvariantCulture);
        return (T)Convert.ChangeType(value, Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T), System.Globalization.CultureInfo.InvariantCulture);
    }

    private async Task<List<int>> Ids(string sql)
    {
        var ids = new List<int>();
        await using NpgsqlCommand command = _dataSource.CreateCommand(sql);
        await using NpgsqlDataReader reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) ids.Add((int)reader.GetFieldValue<BigInteger>(0));
        return ids;
    }
}
