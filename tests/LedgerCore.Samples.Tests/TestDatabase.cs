namespace LedgerCore.Samples.Tests;

/// <summary>One test's own database on the shared server.</summary>
internal sealed class TestDatabase(PostgresServer server, string name, string connectionString) : IAsyncDisposable
{
    public string ConnectionString { get; } = connectionString;

    public ValueTask DisposeAsync() => new(server.DropDatabaseAsync(name));
}
