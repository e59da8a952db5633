using System.Globalization;
using LedgerCore.Tcp;
using NUnit.Framework;

namespace LedgerCore.Tool.Tests;

/// <summary><c>ledgercore backup --connect</c> run as a process against a running server on loopback.</summary>
public sealed class RemoteBackupToolTests
{
    private const string Token = "tool-backup-token";
    private string _root = null!;

    [SetUp]
    public void SetUp() => _root = Directory.CreateTempSubdirectory("ledgercore-tool-remote-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_root, recursive: true);

    [Test]
    public async Task Backup_of_a_running_server_lands_in_its_backup_directory_and_a_wrong_token_is_exit_5()
    {
        string backups = Path.Combine(_root, "backups");
        await using LedgerEngine engine = await LedgerEngine.OpenAsync(new LedgerOptions { DataDirectory = Path.Combine(_root, "source") });
        await using var server = new LedgerTcpServer(engine, new LedgerTcpServerOptions { AuthToken = Token, BackupDirectory = backups });
        await server.StartAsync();
        Assert.That(await engine.CreateAccountsAsync(new[] { new Account { Id = 1, Ledger = 1, Code = 1 } }), Is.Empty);
        string endpoint = $"127.0.0.1:{server.Port}";

        (int code, string output, string error) = ToolProcess.Run("backup", "--connect", endpoint, "--token", Token, "first");
        (int wrongToken, _, string wrongError) = ToolProcess.Run("backup", "--connect", endpoint, "--token", "nope", "second");
        (int twoPaths, _, _) = ToolProcess.Run("backup", "--connect", endpoint, "--token", Token, "a", "b");

        Assert.That(code, Is.Zero, output + error);
        Assert.That(output, Does.Contain($"digest {(await engine.ComputeDigestAsync()).ToString("x32", CultureInfo.InvariantCulture)}"));
        await using (LedgerEngine restored = await LedgerEngine.OpenAsync(new LedgerOptions { DataDirectory = Path.Combine(backups, "first") }))
        {
            Assert.That(await restored.LookupAccountsAsync(new UInt128[] { 1 }), Has.Length.EqualTo(1));
        }

        Assert.That(wrongToken, Is.EqualTo(5), wrongError);
        Assert.That(Directory.Exists(Path.Combine(backups, "second")), Is.False);
        Assert.That(twoPaths, Is.EqualTo(2));
    }
}
