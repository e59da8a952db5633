using System.Text.Json;
using NUnit.Framework;

namespace LedgerCore.Tool.Tests;

/// <summary>Runs the built <c>ledgercore</c> tool as a process against data directories a real engine wrote.</summary>
public sealed class ToolTests
{
    private const int Batches = 30;
    private string _directory = null!;

    [SetUp]
    public void SetUp() => _directory = Directory.CreateTempSubdirectory("ledgercore-tool-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_directory, recursive: true);

    [Test]
    public async Task Intact_directory_verifies_with_the_expected_counts()
    {
        await WriteLedgerWithTwoSnapshotsAsync();
        int snapshots = Directory.GetFiles(_directory, "snapshot-*.snap").Length;
        int segments = Directory.GetFiles(_directory, "*.log").Length;

        (int code, string output) = Run("verify", _directory, "--json");

        Assert.That(code, Is.Zero, output);
        using var json = JsonDocument.Parse(output);
        JsonElement root = json.RootElement;
        Assert.Multiple(() =>
        {
            Assert.That(root.GetProperty("lastCommittedSequence").GetInt64(), Is.EqualTo(Batches + 1)); // one account batch, then transfers
            Assert.That(root.GetProperty("segments").GetArrayLength(), Is.EqualTo(segments));
            Assert.That(root.GetProperty("records").GetInt64(), Is.EqualTo(Batches + 2 - root.GetProperty("segments")[0].GetProperty("firstSequence").GetInt64()));
            Assert.That(root.GetProperty("replayedFrom").GetString(), Does.StartWith("snapshot-"));
            Assert.That(root.GetProperty("snapshots").GetArrayLength(), Is.EqualTo(snapshots));
            Assert.That(root.GetProperty("corruption").ValueKind, Is.EqualTo(JsonValueKind.Null));
            Assert.That(root.GetProperty("tornTail").ValueKind, Is.EqualTo(JsonValueKind.Null));
        });
        Assert.That(snapshots, Is.EqualTo(2), "the engine keeps two snapshots; the digest check needs both");
        Assert.That(root.GetProperty("digestChecks").GetArrayLength(), Is.EqualTo(1));
        Assert.That(root.GetProperty("digestChecks")[0].GetProperty("matches").GetBoolean(), Is.True);
    }

    [Test]
    public async Task Flipped_byte_in_a_committed_record_is_corruption_with_file_and_offset()
    {
        await WriteLedgerAsync();
        string segment = Directory.GetFiles(_directory, "*.log").Single();
        const long offset = 64 + 64 + 10; // inside the first record's payload (segment header, record header)
        FlipByte(segment, offset);

        (int code, string output) = Run("verify", _directory);

        Assert.That(code, Is.EqualTo(1), output);
        Assert.That(output, Does.Contain(Path.GetFileName(segment)).And.Contain("at offset 64"));
    }

    [Test]
    public async Task Flipped_byte_in_the_newest_snapshot_is_corruption_and_recovery_would_load_the_older()
    {
        await WriteLedgerWithTwoSnapshotsAsync();
        string[] snapshots = Directory.GetFiles(_directory, "snapshot-*.snap").Order(StringComparer.Ordinal).ToArray();
        Assert.That(snapshots, Has.Length.EqualTo(2));
        FlipByte(snapshots[1], new FileInfo(snapshots[1]).Length / 2);

        (int verifyCode, string verify) = Run("verify", _directory);
        (int inspectCode, string inspect) = Run("inspect", _directory, "--json");

        Assert.That(verifyCode, Is.EqualTo(1), verify);
        Assert.That(verify, Does.Contain("CORRUPT:").And.Contain(Path.GetFileName(snapshots[1])));
        Assert.That(inspectCode, Is.EqualTo(1), inspect);
        using var json = JsonDocument.Parse(inspect);
        Assert.That(json.RootElement.GetProperty("recoveryLoadsSnapshot").GetString(), Is.EqualTo(Path.GetFileName(snapshots[0])));
    }

    [Test]
    public async Task Torn_tail_is_reported_with_its_cut_and_is_not_corruption()
    {
        await WriteLedgerAsync();
        string segment = Directory.GetFiles(_directory, "*.log").Single();
        long length = new FileInfo(segment).Length;
        using (var file = new FileStream(segment, FileMode.Open)) file.SetLength(length - 20); // the last record, half written

        (int inspectCode, string inspect) = Run("inspect", _directory, "--json");
        (int verifyCode, string verify) = Run("verify", _directory);

        Assert.That(inspectCode, Is.Zero, inspect);
        using var json = JsonDocument.Parse(inspect);
        JsonElement torn = json.RootElement.GetProperty("tornTail");
        Assert.That(torn.ValueKind, Is.EqualTo(JsonValueKind.Object), inspect);
        Assert.Multiple(() =>
        {
            Assert.That(torn.GetProperty("file").GetString(), Is.EqualTo(Path.GetFileName(segment)));
            Assert.That(torn.GetProperty("offset").GetInt64(), Is.GreaterThan(64).And.LessThan(length - 20));
            Assert.That(json.RootElement.GetProperty("records").GetInt64(), Is.EqualTo(Batches));
            Assert.That(verifyCode, Is.Zero, verify);
            Assert.That(verify, Does.Contain("warning:").And.Contain("torn tail"));
        });
    }

    [Test]
    public async Task Newest_segment_with_a_torn_header_is_a_torn_tail_the_engine_deletes_not_corruption()
    {
        await WriteLedgerAsync();
        // The next segment as a stopped (or, beside a running engine, a running) writer leaves it while creating
        // it: part of its 64-byte header, no record.
        const int records = Batches + 1; // the accounts' batch, then the transfers'
        string torn = Path.Combine(_directory, FormattableString.Invariant($"journal-{records + 1:D20}.log"));
        await File.WriteAllBytesAsync(torn, new byte[] { 0x4C, 0x43, 0x4A, 0x4F, 0x55, 0x52, 0x4E, 0x4C, 1, 0, 0, 0, 64, 0, 0, 0, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9 });

        (int inspectCode, string inspect) = Run("inspect", _directory, "--json");
        (int verifyCode, string verify) = Run("verify", _directory);

        Assert.That(inspectCode, Is.Zero, inspect);
        using var json = JsonDocument.Parse(inspect);
        JsonElement tail = json.RootElement.GetProperty("tornTail");
        Assert.That(tail.ValueKind, Is.EqualTo(JsonValueKind.Object), inspect);
        Assert.Multiple(() =>
        {
            Assert.That(tail.GetProperty("file").GetString(), Is.EqualTo(Path.GetFileName(torn)));
            Assert.That(tail.GetProperty("offset").GetInt64(), Is.Zero);
            Assert.That(tail.GetProperty("bytes").GetInt64(), Is.EqualTo(26));
            Assert.That(json.RootElement.GetProperty("records").GetInt64(), Is.EqualTo(records));
            Assert.That(verifyCode, Is.Zero, verify);
            Assert.That(verify, Does.Contain("torn tail"));
        });

        // What the tool said recovery would do, it does.
        await using (LedgerEngine engine = await LedgerEngine.OpenAsync(new LedgerOptions { DataDirectory = _directory }))
        {
            Assert.That(engine.Recovery.TruncatedBytes, Is.EqualTo(26));
        }

        Assert.That(File.Exists(torn), Is.False);
    }

    [Test]
    public async Task Inspect_beside_a_running_engine_works_and_changes_nothing()
    {
        await using LedgerEngine engine = await LedgerEngine.OpenAsync(new LedgerOptions { DataDirectory = _directory, SnapshotIntervalEvents = 0 });
        await FillAsync(engine, 0, Batches);
        Dictionary<string, string> before = Hashes();

        (int code, string output) = Run("inspect", _directory, "--json");

        Assert.That(code, Is.Zero, output);
        Assert.That(Hashes(), Is.EqualTo(before));
        using var json = JsonDocument.Parse(output);
        Assert.That(json.RootElement.GetProperty("records").GetInt64(), Is.EqualTo(Batches + 1));
    }

    [Test]
    public void Bad_arguments_and_a_directory_that_is_not_a_ledger_are_usage_errors()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Run("verify").Code, Is.EqualTo(2));
            Assert.That(Run("frobnicate", _directory).Code, Is.EqualTo(2));
            Assert.That(Run("verify", _directory).Code, Is.EqualTo(2), "no ledger.meta");
            Assert.That(Run("--help").Code, Is.Zero);
        });
    }

    /// <summary>Three sessions: each of the first two ends with a snapshot (disposal waits for it), so two are kept.</summary>
    private async Task WriteLedgerWithTwoSnapshotsAsync()
    {
        for (int session = 0; session < 3; session++)
        {
            await using LedgerEngine engine = await LedgerEngine.OpenAsync(new LedgerOptions { DataDirectory = _directory, SnapshotIntervalEvents = session < 2 ? 20 : 0 });
            await FillAsync(engine, session * (Batches / 3), Batches / 3);
        }
    }

    private async Task WriteLedgerAsync()
    {
        await using LedgerEngine engine = await LedgerEngine.OpenAsync(new LedgerOptions { DataDirectory = _directory, SnapshotIntervalEvents = 0 });
        await FillAsync(engine, 0, Batches);
    }

    /// <summary>From batch 0: one batch of two accounts first; then <paramref name="count"/> batches of two transfers.</summary>
    private static async Task FillAsync(LedgerEngine engine, int first, int count)
    {
        if (first == 0) Assert.That(await engine.CreateAccountsAsync(new[] { new Account { Id = 1, Ledger = 1, Code = 1 }, new Account { Id = 2, Ledger = 1, Code = 1 } }), Is.Empty);
        for (int i = first; i < first + count; i++)
        {
            Transfer[] transfers =
            [
                new Transfer { Id = (UInt128)((i * 2) + 1), DebitAccountId = 1, CreditAccountId = 2, Amount = 5, Ledger = 1, Code = 1 },
                new Transfer { Id = (UInt128)((i * 2) + 2), DebitAccountId = 2, CreditAccountId = 1, Amount = 3, Ledger = 1, Code = 1 },
            ];
            Assert.That(await engine.CreateTransfersAsync(transfers), Is.Empty);
        }
    }

    private static void FlipByte(string path, long offset)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
        file.Position = offset;
        int b = file.ReadByte();
        file.Position = offset;
        file.WriteByte((byte)(b ^ 0xFF));
    }

    private Dictionary<string, string> Hashes() => ToolProcess.Hashes(_directory);

    private static (int Code, string Output) Run(params string[] arguments)
    {
        (int code, string output, string error) = ToolProcess.Run(arguments);
        return (code, output + error);
    }
}
