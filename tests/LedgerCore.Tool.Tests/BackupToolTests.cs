using System.Globalization;
using NUnit.Framework;

namespace LedgerCore.Tool.Tests;

/// <summary><c>ledgercore backup</c> run as a process against directories a real engine wrote.</summary>
public sealed class BackupToolTests
{
    private string _root = null!;
    private string _source = null!;
    private string _copy = null!;

    [SetUp]
    public void SetUp()
    {
        _root = Directory.CreateTempSubdirectory("ledgercore-tool-backup-").FullName;
        _source = Path.Combine(_root, "source");
        _copy = Path.Combine(_root, "copy");
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_root, recursive: true);

    [Test]
    public async Task Backup_of_a_closed_directory_restores_to_its_state_and_leaves_the_source_unchanged()
    {
        UInt128 digest = 0;
        long sequence = 0;
        // Two sessions with snapshots then a third without: the backup starts from a snapshot and replays journal after it.
        for (int session = 0; session < 3; session++)
        {
            await using LedgerEngine engine = await LedgerEngine.OpenAsync(new LedgerOptions { DataDirectory = _source, SnapshotIntervalEvents = session < 2 ? 20 : 0 });
            if (session == 0) Assert.That(await engine.CreateAccountsAsync(new[] { new Account { Id = 1, Ledger = 1, Code = 1 }, new Account { Id = 2, Ledger = 1, Code = 1 } }), Is.Empty);
            for (int i = 0; i < 10; i++)
            {
                ulong id = (ulong)((session * 100) + (i * 2) + 1);
                Assert.That(await engine.CreateTransfersAsync(new[]
                {
                    new Transfer { Id = id, DebitAccountId = 1, CreditAccountId = 2, Amount = 5, Ledger = 1, Code = 1 },
                    new Transfer { Id = id + 1, DebitAccountId = 2, CreditAccountId = 1, Amount = 3, Ledger = 1, Code = 1 },
                }), Is.Empty);
            }

            digest = await engine.ComputeDigestAsync();
            sequence = engine.CommittedSequence;
        }

        Dictionary<string, string> before = ToolProcess.Hashes(_source);
        (int code, string output, string error) = ToolProcess.Run("backup", _source, _copy);

        Assert.That(code, Is.Zero, output + error);
        Assert.That(ToolProcess.Hashes(_source), Is.EqualTo(before), "the source is not changed");
        Assert.That(output, Does.Contain($"at sequence {sequence} ").And.Contain($"digest {digest.ToString("x32", CultureInfo.InvariantCulture)}"));
        Assert.That(File.Exists(Path.Combine(_copy, "backup.manifest")), Is.True);
        await using LedgerEngine restored = await LedgerEngine.OpenAsync(new LedgerOptions { DataDirectory = _copy });
        Assert.That(restored.CommittedSequence, Is.EqualTo(sequence));
        Assert.That(await restored.ComputeDigestAsync(), Is.EqualTo(digest));
    }

    [Test]
    public async Task Backup_with_json_prints_the_sequence_and_digest_the_restored_copy_has()
    {
        await using (LedgerEngine engine = await LedgerEngine.OpenAsync(new LedgerOptions { DataDirectory = _source }))
        {
            Assert.That(await engine.CreateAccountsAsync(new[] { new Account { Id = 1, Ledger = 1, Code = 1 }, new Account { Id = 2, Ledger = 1, Code = 1 } }), Is.Empty);
            Assert.That(await engine.CreateTransfersAsync(new[] { new Transfer { Id = 7, DebitAccountId = 1, CreditAccountId = 2, Amount = 5, Ledger = 1, Code = 1 } }), Is.Empty);
        }

        (int code, string output, string error) = ToolProcess.Run("backup", _source, _copy, "--json");

        Assert.That(code, Is.Zero, output + error);
        using var json = System.Text.Json.JsonDocument.Parse(output);
        System.Text.Json.JsonElement root = json.RootElement;
        await using LedgerEngine restored = await LedgerEngine.OpenAsync(new LedgerOptions { DataDirectory = _copy });
        UInt128 digest = await restored.ComputeDigestAsync();
        Assert.Multiple(() =>
        {
            Assert.That(root.GetProperty("sequence").GetInt64(), Is.EqualTo(restored.CommittedSequence));
            Assert.That(root.GetProperty("digest").GetString(), Is.EqualTo(digest.ToString("x32", CultureInfo.InvariantCulture)));
            Assert.That(root.GetProperty("ledger_id").GetString(), Is.EqualTo(restored.LedgerId.ToString("x32", CultureInfo.InvariantCulture)));
            Assert.That(root.GetProperty("on_server").GetBoolean(), Is.False);
            Assert.That(root.GetProperty("bytes").GetInt64(), Is.GreaterThan(0));
        });
    }

    [Test]
    public async Task Verify_checks_a_backup_against_its_manifest()
    {
        await using (LedgerEngine engine = await LedgerEngine.OpenAsync(new LedgerOptions { DataDirectory = _source }))
        {
            await engine.CreateAccountsAsync(new[] { new Account { Id = 1, Ledger = 1, Code = 1 } });
            await engine.BackupAsync(_copy);
        }

        (int code, string output, string error) = ToolProcess.Run("verify", _copy);
        Assert.That(code, Is.Zero, output + error);
        Assert.That(output, Does.Contain("not yet opened"));

        File.Copy(Directory.GetFiles(_source, "journal-*").First(), Path.Combine(_copy, "journal-00000000000000000099.log"));
        (int extra, string extraOutput, _) = ToolProcess.Run("verify", _copy);
        Assert.That(extra, Is.EqualTo(1), extraOutput);
        Assert.That(extraOutput, Does.Contain("not part of the backup"));
    }

    [Test]
    public async Task Backup_of_a_directory_an_engine_has_open_is_refused_with_exit_4()
    {
        await using LedgerEngine engine = await LedgerEngine.OpenAsync(new LedgerOptions { DataDirectory = _source });
        (int code, string output, string error) = ToolProcess.Run("backup", _source, _copy);

        Assert.That(code, Is.EqualTo(4), output + error);
        Assert.That(error, Does.Contain("open in another engine"));
        Assert.That(Directory.Exists(_copy), Is.False);
    }

    [Test]
    public async Task Backup_into_a_directory_that_is_not_empty_is_a_usage_error_and_touches_nothing()
    {
        await (await LedgerEngine.OpenAsync(new LedgerOptions { DataDirectory = _source })).DisposeAsync();
        Directory.CreateDirectory(_copy);
        await File.WriteAllTextAsync(Path.Combine(_copy, "keep.txt"), "mine");

        (int code, string output, string error) = ToolProcess.Run("backup", _source, _copy);

        Assert.That(code, Is.EqualTo(2), output + error);
        Assert.That(error, Does.Contain("not empty"));
        Assert.That(Directory.GetFiles(_copy).Select(Path.GetFileName), Is.EqualTo(new[] { "keep.txt" }));
    }

    [Test]
    public async Task Backup_of_a_directory_recovery_would_refuse_exits_1_and_writes_nothing()
    {
        await using (LedgerEngine engine = await LedgerEngine.OpenAsync(new LedgerOptions { DataDirectory = _source, SnapshotIntervalEvents = 0 }))
        {
            await engine.CreateAccountsAsync(new[] { new Account { Id = 1, Ledger = 1, Code = 1 }, new Account { Id = 2, Ledger = 1, Code = 1 } });
            await engine.CreateAccountsAsync(new[] { new Account { Id = 3, Ledger = 1, Code = 1 } });
        }

        string segment = Directory.GetFiles(_source, "*.log").Single();
        await using (var file = new FileStream(segment, FileMode.Open, FileAccess.ReadWrite))
        {
            file.Position = 64 + 64 + 10; // inside the first record's payload: a later valid record makes it corruption, not a torn tail
            file.WriteByte(0xA5);
        }

        (int code, string output, string error) = ToolProcess.Run("backup", _source, _copy);

        Assert.That(code, Is.EqualTo(1), output + error);
        Assert.That(error, Does.Contain("CORRUPT"));
        Assert.That(Directory.Exists(_copy), Is.False);
    }
}
