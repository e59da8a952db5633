using System.Globalization;
using System.Text.Json;
using NUnit.Framework;

namespace LedgerCore.Tool.Tests;

/// <summary>
/// <c>inspect &lt;dir&gt; records</c> and <c>inspect &lt;dir&gt; transfer &lt;id&gt;</c> run as processes against
/// a ledger a real engine wrote, compared with what the engine submitted and holds.
/// </summary>
public sealed class InspectTests
{
    private static readonly UInt128 Big = ((UInt128)ulong.MaxValue << 64) | 77;
    private string _directory = null!;

    [SetUp]
    public void SetUp() => _directory = Directory.CreateTempSubdirectory("ledgercore-inspect-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_directory, recursive: true);

    [Test]
    public async Task Records_show_each_batch_in_sequence_with_its_events_as_submitted()
    {
        await WriteLedgerAsync();

        (int code, string output, string error) = ToolProcess.Run("inspect", _directory, "records", "--from-sequence", "2", "--count", "2", "--events", "--json");

        Assert.That(code, Is.Zero, error);
        string[] lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines, Has.Length.EqualTo(2));
        using JsonDocument second = JsonDocument.Parse(lines[0]);
        using JsonDocument third = JsonDocument.Parse(lines[1]);
        Assert.That(second.RootElement.GetProperty("sequence").GetInt64(), Is.EqualTo(2));
        Assert.That(second.RootElement.GetProperty("operation").GetString(), Is.EqualTo("create_transfers"));
        Assert.That(second.RootElement.GetProperty("event_count").GetInt32(), Is.EqualTo(2));
        Assert.That(third.RootElement.GetProperty("sequence").GetInt64(), Is.EqualTo(3));
        Assert.That(third.RootElement.GetProperty("timestamp").GetUInt64(), Is.GreaterThan(second.RootElement.GetProperty("timestamp").GetUInt64()));
        JsonElement[] events = second.RootElement.GetProperty("events").EnumerateArray().ToArray();
        Assert.That(events.Select(e => e.GetProperty("id").GetString()), Is.EqualTo(new[] { "10", S(Big) }));
        Assert.That(events[1].GetProperty("amount").GetString(), Is.EqualTo(S(Big)), "128-bit values whole");
        Assert.That(events[1].GetProperty("timestamp").GetUInt64(), Is.Zero, "as submitted: the journal holds events before they are stamped");
    }

    [Test]
    public async Task Records_in_text_name_their_segment_and_stop_where_the_journal_ends()
    {
        await WriteLedgerAsync();

        (int code, string output, string error) = ToolProcess.Run("inspect", _directory, "records", "--count", "50");

        Assert.That(code, Is.Zero, error);
        string[] lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines.Select(l => l.Split("  ")[0]), Is.EqualTo(new[] { "sequence 1", "sequence 2", "sequence 3" }));
        Assert.That(lines[0], Does.Contain("create_accounts").And.Contain("3 events").And.Contain("journal-00000000000000000001.log"));
        Assert.That(error, Does.Contain("3 records (the journal ends there)"));
    }

    [Test]
    public async Task Transfer_shows_the_stored_transfer_and_the_records_holding_its_id()
    {
        Transfer[] stored = await WriteLedgerAsync();
        Transfer big = stored.Single(t => t.Id == Big);

        (int code, string output, string error) = ToolProcess.Run("inspect", _directory, "transfer", "0x" + Big.ToString("x", CultureInfo.InvariantCulture), "--json");

        Assert.That(code, Is.Zero, error);
        using JsonDocument json = JsonDocument.Parse(output);
        JsonElement transfer = json.RootElement.GetProperty("transfer");
        Assert.That(transfer.GetProperty("id").GetString(), Is.EqualTo(S(Big)));
        Assert.That(transfer.GetProperty("timestamp").GetUInt64(), Is.EqualTo(big.Timestamp), "the stored, stamped transfer");
        Assert.That(transfer.GetProperty("amount").GetString(), Is.EqualTo(S(big.Amount)));
        string[] records = json.RootElement.GetProperty("records").EnumerateArray().Select(r => r.GetString()!).ToArray();
        Assert.That(records, Has.Length.EqualTo(2), "created in sequence 2, retried (answered Exists) in sequence 3");
        Assert.That(records[0], Does.StartWith("sequence 2 "));
        Assert.That(records[1], Does.StartWith("sequence 3 "));
    }

    [Test]
    public async Task Unknown_transfer_is_exit_4_and_a_bad_id_or_range_is_a_usage_error()
    {
        await WriteLedgerAsync();

        Assert.Multiple(() =>
        {
            (int code, string _, string error) = ToolProcess.Run("inspect", _directory, "transfer", "999");
            Assert.That(code, Is.EqualTo(4), error);
            Assert.That(error, Does.Contain("not in the ledger"));
            Assert.That(ToolProcess.Run("inspect", _directory, "transfer", "12x").Code, Is.EqualTo(2));
            Assert.That(ToolProcess.Run("inspect", _directory, "transfer", "-1").Code, Is.EqualTo(2));
            Assert.That(ToolProcess.Run("inspect", _directory, "records", "--from-sequence", "0").Code, Is.EqualTo(2));
            Assert.That(ToolProcess.Run("inspect", _directory, "records", "--count", "0").Code, Is.EqualTo(2));
        });
    }

    [Test]
    public async Task Records_report_corruption_with_exit_1()
    {
        await WriteLedgerAsync();
        string segment = Directory.GetFiles(_directory, "*.log").Single();
        using (var file = new FileStream(segment, FileMode.Open, FileAccess.ReadWrite))
        {
            file.Position = 64 + 64 + 10; // inside the first record's payload, a committed record followed by valid ones
            int b = file.ReadByte();
            file.Position -= 1;
            file.WriteByte((byte)(b ^ 0xFF));
        }

        (int code, string _, string error) = ToolProcess.Run("inspect", _directory, "records");

        Assert.That(code, Is.EqualTo(1), error);
        Assert.That(error, Does.Contain("CORRUPT:"));
    }

    /// <summary>Three records in one segment, no snapshot: accounts, two transfers, then a retry of one of them and a new one.</summary>
    private async Task<Transfer[]> WriteLedgerAsync()
    {
        await using LedgerEngine engine = await LedgerEngine.OpenAsync(new LedgerOptions { DataDirectory = _directory, SnapshotIntervalEvents = 0 });
        Account[] accounts = [new Account { Id = 1, Ledger = 7, Code = 1 }, new Account { Id = 2, Ledger = 7, Code = 1 }, new Account { Id = 3, Ledger = 7, Code = 1 }];
        Assert.That(await engine.CreateAccountsAsync(accounts), Is.Empty);
        Transfer first = new() { Id = 10, DebitAccountId = 1, CreditAccountId = 2, Amount = 5, Ledger = 7, Code = 1 };
        Transfer big = new() { Id = Big, DebitAccountId = 2, CreditAccountId = 3, Amount = Big, Ledger = 7, Code = 1 };
        Assert.That(await engine.CreateTransfersAsync(new[] { first, big }), Is.Empty);
        CreateTransferResult[] results = (await engine.CreateTransfersAsync(new[] { big, new Transfer { Id = 11, DebitAccountId = 3, CreditAccountId = 1, Amount = 1, Ledger = 7, Code = 1 } }))
            .Select(r => r.Result).ToArray();
        Assert.That(results, Is.EqualTo(new[] { CreateTransferResult.Exists }));
        return await engine.LookupTransfersAsync(new UInt128[] { 10, Big, 11 });
    }

    private static string S<T>(T value) where T : IFormattable => value.ToString(null, CultureInfo.InvariantCulture);
}
