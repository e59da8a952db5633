using NUnit.Framework;

namespace LedgerCore.Tcp.Tests;

/// <summary>
/// The server depends on <see cref="ILedger"/> only, so a replica of a replicated ledger can stand
/// behind it: a ledger that is not a <see cref="LedgerEngine"/> (here one that forwards to an engine
/// and records what it was asked) serves every operation, and its own limit is the one announced.
/// </summary>
public sealed class AnyLedgerTests
{
    [Test]
    public async Task A_server_runs_on_any_ILedger_and_announces_its_batch_limit()
    {
        string directory = Path.Combine(Path.GetTempPath(), $"ledgercore-any-ledger-{Guid.NewGuid():N}");
        try
        {
            await using LedgerEngine engine = await LedgerEngine.OpenAsync(new LedgerOptions { DataDirectory = directory });
            var ledger = new RecordingLedger(engine, maxBatchSize: 100);
            await using var server = new LedgerTcpServer(ledger, new LedgerTcpServerOptions());
            await server.StartAsync();
            await using LedgerTcpClient client = await LedgerTcpClient.ConnectAsync(new LedgerTcpClientOptions { Port = server.Port, RequestTimeout = TimeSpan.FromSeconds(20) });

            Assert.That(client.LedgerId, Is.EqualTo(engine.LedgerId));
            Assert.That(client.BatchEventsMax, Is.EqualTo(100), "the limit of the ledger behind the server, not the engine's");
            Assert.That(await client.CreateAccountsAsync(new[] { new Account { Id = 1, Ledger = 1, Code = 1 }, new Account { Id = 2, Ledger = 1, Code = 1 } }), Is.Empty);
            Assert.That(await client.CreateTransfersAsync(new[] { new Transfer { Id = 9, DebitAccountId = 1, CreditAccountId = 2, Amount = 5, Ledger = 1, Code = 1 } }), Is.Empty);
            Assert.That((await client.LookupAccountsAsync(new UInt128[] { 2 }))[0].CreditsPosted, Is.EqualTo((UInt128)5));
            Assert.That(await client.LookupTransfersAsync(new UInt128[] { 9 }), Has.Length.EqualTo(1));
            var filter = new AccountFilter { AccountId = 1, Limit = 10, Flags = AccountFilterFlags.Debits };
            Assert.That(await client.GetAccountTransfersAsync(filter), Has.Length.EqualTo(1));
            Assert.That(await client.QueryAccountsAsync(new QueryFilter { Ledger = 1, Limit = 10 }), Has.Length.EqualTo(2));

            Assert.That(ledger.Calls, Is.EqualTo(new[] { "CreateAccounts", "CreateTransfers", "LookupAccounts", "LookupTransfers", "GetAccountTransfers", "QueryAccounts" }));
            var tooMany = Enumerable.Range(1, 101).Select(i => new Account { Id = (UInt128)(100 + i), Ledger = 1, Code = 1 }).ToArray();
            await Assert.ThrowsAsync<ArgumentException>(() => client.CreateAccountsAsync(tooMany), "the client refuses what the ledger behind the server would");
        }
        finally
        {
            if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>Forwards to an engine, records each operation's name, and reports its own batch limit.</summary>
    private sealed class RecordingLedger(LedgerEngine engine, int maxBatchSize) : ILedger
    {
        private readonly List<string> _calls = [];

        public IReadOnlyList<string> Calls
        {
            get
            {
                lock (_calls) return _calls.ToArray();
            }
        }

        public UInt128 LedgerId => engine.LedgerId;

        public int MaxBatchSize => maxBatchSize;

        public long CommittedSequence => engine.CommittedSequence;

        public Exception? Fault => engine.Fault;

        public Task<CreateAccountsResult[]> CreateAccountsAsync(ReadOnlyMemory<Account> accounts, CancellationToken cancellationToken = default) =>
            Record("CreateAccounts", engine.CreateAccountsAsync(accounts, cancellationToken));

        public Task<CreateTransfersResult[]> CreateTransfersAsync(ReadOnlyMemory<Transfer> transfers, CancellationToken cancellationToken = default) =>
            Record("CreateTransfers", engine.CreateTransfersAsync(transfers, cancellationToken));

        public Task<Account[]> LookupAccountsAsync(ReadOnlyMemory<UInt128> ids, CancellationToken cancellationToken = default) =>
            Record("LookupAccounts", engine.LookupAccountsAsync(ids, cancellationToken));

        public Task<Transfer[]> LookupTransfersAsync(ReadOnlyMemory<UInt128> ids, CancellationToken cancellationToken = default) =>
            Record("LookupTransfers", engine.LookupTransfersAsync(ids, cancellationToken));

        public Task<Transfer[]> GetAccountTransfersAsync(AccountFilter filter, CancellationToken cancellationToken = default) =>
            Record("GetAccountTransfers", engine.GetAccountTransfersAsync(filter, cancellationToken));

        public Task<AccountBalance[]> GetAccountBalancesAsync(AccountFilter filter, CancellationToken cancellationToken = default) =>
            Record("GetAccountBalances", engine.GetAccountBalancesAsync(filter, cancellationToken));

        public Task<Account[]> QueryAccountsAsync(QueryFilter filter, CancellationToken cancellationToken = default) =>
            Record("QueryAccounts", engine.QueryAccountsAsync(filter, cancellationToken));

        public Task<Transfer[]> QueryTransfersAsync(QueryFilter filter, CancellationToken cancellationToken = default) =>
            Record("QueryTransfers", engine.QueryTransfersAsync(filter, cancellationToken));

        public Task<ChangeEvent[]> GetChangeEventsAsync(ChangeEventsFilter filter, CancellationToken cancellationToken = default) =>
            Record("GetChangeEvents", engine.GetChangeEventsAsync(filter, cancellationToken));

        public IAsyncEnumerable<ChangeEvent> ReadChangeEventsAsync(ulong timestampMin, CancellationToken cancellationToken = default) =>
            engine.ReadChangeEventsAsync(timestampMin, cancellationToken);

        public Task<UInt128> ComputeDigestAsync(CancellationToken cancellationToken = default) => engine.ComputeDigestAsync(cancellationToken);

        public IAsyncEnumerable<CommittedBatch> ReadCommittedAsync(long fromSequence, CancellationToken cancellationToken = default) =>
            engine.ReadCommittedAsync(fromSequence, cancellationToken);

        // The engine is the test's to dispose, after the server.
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;

        private Task<T> Record<T>(string name, Task<T> call)
        {
            lock (_calls) _calls.Add(name);
            return call;
        }
    }
}
