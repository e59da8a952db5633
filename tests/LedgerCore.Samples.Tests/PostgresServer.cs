using System.Diagnostics;
using Npgsql;
using NUnit.Framework;

namespace LedgerCore.Samples.Tests;

/// <summary>
/// The PostgreSQL the projection tests use: the one <c>.ci/run</c> started (its connection string in
/// <see cref="EnvironmentVariable"/>), or else one this test run starts itself with the same script,
/// <c>.ci/postgres</c>, so a plain <c>dotnet test</c> runs the same tests. No PostgreSQL means failure, never a skip.
/// </summary>
internal sealed class PostgresServer : IAsyncDisposable
{
    public const string EnvironmentVariable = "LEDGERCORE_TEST_POSTGRES";

    private readonly string? _ownedDirectory;
    private readonly string? _script;

    private PostgresServer(string connectionString, string? ownedDirectory, string? script)
    {
        ConnectionString = connectionString;
        _ownedDirectory = ownedDirectory;
        _script = script;
    }

    /// <summary>Connects to the server's maintenance database as a superuser.</summary>
    public string ConnectionString { get; }

    public static async Task<PostgresServer> StartAsync()
    {
        string? given = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(given)) return new PostgresServer(given, null, null);

        string script = Path.Combine(RepositoryRoot(), ".ci", "postgres");
        // Under /tmp, not a private temp subdirectory: as root the server runs as the postgres user, which must reach it.
        string directory = Path.Combine("/tmp", $"ledgercore-pg-{Guid.NewGuid():N}");
        (int exit, string stdout, string stderr) = await RunAsync("bash", script, "start", directory);
        if (exit != 0 || string.IsNullOrWhiteSpace(stdout))
        {
            Assert.Fail($"{EnvironmentVariable} is not set and '{script} start' failed (exit {exit}); these tests need a real PostgreSQL.\n{stderr}");
        }
        return new PostgresServer(stdout.Trim().Split('\n')[^1], directory, script);
    }

    /// <summary>A fresh, empty database for one test; dropped by the returned handle.</summary>
    public async Task<TestDatabase> CreateDatabaseAsync()
    {
        string name = $"projection_{Guid.NewGuid():N}";
        await using (var admin = new NpgsqlConnection(ConnectionString))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", admin);
            await create.ExecuteNonQueryAsync();
        }
        var builder = new NpgsqlConnectionStringBuilder(ConnectionString) { Database = name };
        return new TestDatabase(this, name, builder.ConnectionString);
    }

    internal async Task DropDatabaseAsync(string name)
    {
        NpgsqlConnection.ClearAllPools();
        await using var admin = new NpgsqlConnection(ConnectionString);
        await admin.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", admin);
        await drop.ExecuteNonQueryAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (_ownedDirectory is null || _script is null) return;
        NpgsqlConnection.ClearAllPools();
        (int exit, _, string stderr) = await RunAsync("bash", _script, "stop", _ownedDirectory);
        Assert.That(exit, Is.Zero, $"stopping PostgreSQL failed: {stderr}");
    }

    private static string RepositoryRoot()
    {
        for (DirectoryInfo? d = new(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            if (File.Exists(Path.Combine(d.FullName, ".ci", "postgres"))) return d.FullName;
        }
        throw new InvalidOperationException($"No .ci/postgres above {AppContext.BaseDirectory}: run the tests from the repository.");
    }

    private static async Task<(int Exit, string Stdout, string Stderr)> RunAsync(string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in arguments) start.ArgumentList.Add(argument);
        using Process process = Process.Start(start)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        // Installing the Debian package on a bare machine takes a while; starting a cluster, seconds.
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }
}
