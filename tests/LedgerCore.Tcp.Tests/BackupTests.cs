using NUnit.Framework;

namespace LedgerCore.Tcp.Tests;

/// <summary>The Backup admin operation (0x20): off by default, confined to the server's backup directory, engines only.</summary>
public sealed class BackupTests
{
    private const string Token = "backup-admin-token";
    private string _root = null!;

    [SetUp]
    public void SetUp() => _root = Directory.CreateTempSubdirectory("ledgercore-tcp-backups-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_root, recursive: true);

    [Test]
    public async Task A_backup_over_tcp_restores_with_the_digest_it_reported()
    {
        await using TestLedger ledger = await TestLedger.StartAsync(o =>
        {
            o.AuthToken = Token;
            o.BackupDirectory = _root;
        });
        await using LedgerTcpClient client = await ledger.ConnectAsync(o => o.AuthToken = Token);
        Assert.That(await client.CreateAccountsAsync(new[] { new Account { Id = 1, Ledger = 1, Code = 1 }, new Account { Id = 2, Ledger = 1, Code = 1 } }), Is.Empty);
        Assert.That(await client.CreateTransfersAsync(new[] { new Transfer { Id = 7, DebitAccountId = 1, CreditAccountId = 2, Amount = 9, Ledger = 1, Code = 1 } }), Is.Empty);

        LedgerBackup backup = await client.BackupAsync("nightly/1");

        Assert.That(backup.Directory, Is.EqualTo(Path.Combine(_root, "nightly", "1")));
        Assert.That(backup.Sequence, Is.EqualTo(ledger.Engine.CommittedSequence));
        Assert.That(backup.Digest, Is.EqualTo(await ledger.Engine.ComputeDigestAsync()));
        Assert.That(backup.Bytes, Is.EqualTo(Directory.GetFiles(backup.Directory).Sum(f => new FileInfo(f).Length)));
        Assert.That(backup.Duration, Is.GreaterThan(TimeSpan.Zero));
        await using (LedgerEngine restored = await LedgerEngine.OpenAsync(new LedgerOptions { DataDirectory = backup.Directory }))
        {
            Assert.That(await restored.ComputeDigestAsync(), Is.EqualTo(backup.Digest));
            Assert.That((await restored.LookupAccountsAsync(new UInt128[] { 2 }))[0].CreditsPosted, Is.EqualTo((UInt128)9));
        }

        LedgerTcpException again = (await Assert.ThrowsAsync<LedgerTcpException>(() => client.BackupAsync("nightly/1")))!;
        Assert.That(again.Code, Is.EqualTo(LedgerTcpErrorCode.BackupFailed));
        Assert.That(again.Message, Does.Contain("not an empty directory"));
    }

    [TestCase("../escaped")]
    [TestCase("nightly/../../escaped")]
    [TestCase("/tmp/ledgercore-escaped")]
    public async Task A_destination_outside_the_backup_directory_is_refused_and_nothing_is_written(string destination)
    {
        string inside = Path.Combine(_root, "inside");
        await using TestLedger ledger = await TestLedger.StartAsync(o =>
        {
            o.AuthToken = Token;
            o.BackupDirectory = inside;
        });
        await using LedgerTcpClient client = await ledger.ConnectAsync(o => o.AuthToken = Token);

        LedgerTcpException refused = (await Assert.ThrowsAsync<LedgerTcpException>(() => client.BackupAsync(destination)))!;

        Assert.That(refused.Code, Is.EqualTo(LedgerTcpErrorCode.BackupFailed));
        Assert.That(Directory.Exists(Path.Combine(_root, "escaped")), Is.False);
        Assert.That(Directory.Exists("/tmp/ledgercore-escaped"), Is.False);
        Assert.That(await client.PingAsync(), Is.GreaterThan(TimeSpan.Zero), "the connection stays usable");
    }

    [Test]
    public async Task Backups_are_refused_unless_the_server_allows_them()
    {
        await using TestLedger ledger = await TestLedger.StartAsync();
        await using LedgerTcpClient client = await ledger.ConnectAsync();

        LedgerTcpException refused = (await Assert.ThrowsAsync<LedgerTcpException>(() => client.BackupAsync("x")))!;

        Assert.That(refused.Code, Is.EqualTo(LedgerTcpErrorCode.BackupNotEnabled));
        Assert.That(Directory.GetFileSystemEntries(_root), Is.Empty);
        Assert.That(await client.PingAsync(), Is.GreaterThan(TimeSpan.Zero));
    }

    [Test]
    public async Task A_server_in_front_of_a_ledger_that_is_not_an_engine_answers_backup_not_supported()
    {
        await using var server = new LedgerTcpServer(new FollowerLedger(42), new LedgerTcpServerOptions { AuthToken = Token, BackupDirectory = _root });
        await server.StartAsync();
        await using LedgerTcpClient client = await LedgerTcpClient.ConnectAsync(new LedgerTcpClientOptions { Port = server.Port, AuthToken = Token, RequestTimeout = TimeSpan.FromSeconds(20) });

        LedgerTcpException refused = (await Assert.ThrowsAsync<LedgerTcpException>(() => client.BackupAsync("x")))!;

        Assert.That(refused.Code, Is.EqualTo(LedgerTcpErrorCode.BackupNotSupported));
        Assert.That(Directory.GetFileSystemEntries(_root), Is.Empty);
    }

    [Test]
    public void Allowing_backups_without_authentication_is_refused()
    {
        var options = new LedgerTcpServerOptions { BackupDirectory = _root };
        Assert.That(options.Validate, Throws.ArgumentException.With.Message.Contains("AuthToken"));
        options.AuthToken = Token;
        Assert.That(options.Validate, Throws.Nothing);
    }
}
