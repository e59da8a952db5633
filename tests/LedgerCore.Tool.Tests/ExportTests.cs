using System.Globalization;
using System.Text.Json;
using NUnit.Framework;

namespace LedgerCore.Tool.Tests;

/// <summary>
/// Runs <c>ledgercore export</c> as a process against a ledger a real engine wrote (a snapshot, then
/// journal after it) and reads its CSV and JSONL back, field by field, against the engine's lookups.
/// </summary>
public sealed class ExportTests
{
    private static readonly UInt128 Big = ((UInt128)ulong.MaxValue << 64) | 12345; // needs all 128 bits
    private static readonly UInt128[] AccountIds = [1, 2, Big];
    private string _directory = null!;

    [SetUp]
    public void SetUp() => _directory = Directory.CreateTempSubdirectory("ledgercore-export-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_directory, recursive: true);

    [TestCase("csv")]
    [TestCase("jsonl")]
    [TestCase("parquet")]
    public async Task Every_field_of_every_account_and_transfer_matches_the_engine_and_the_directory_is_unchanged(string format)
    {
        await using LedgerEngine engine = await WriteLedgerAsync();
        Dictionary<string, string> before = Hashes();
        string accountsFile = Path.Combine(Path.GetTempPath(), $"ledgercore-export-{Guid.NewGuid():N}.{format}");
        string transfersFile = Path.Combine(Path.GetTempPath(), $"ledgercore-export-{Guid.NewGuid():N}.{format}");
        try
        {
            (int code, string _, string error) = ToolProcess.Run("export", _directory, "--what", "accounts", "--format", format, "--output", accountsFile);
            Assert.That(code, Is.Zero, error);
            List<Dictionary<string, string>> accounts = await ReadAsync(accountsFile, format);

            // Text formats also go to standard output; Parquet needs a file (its footer comes last).
            List<Dictionary<string, string>> transfers;
            if (format == "parquet")
            {
                (int transferCode, string _, string transferError) = ToolProcess.Run("export", _directory, "--what", "transfers", "--format", format, "--output", transfersFile);
                Assert.That(transferCode, Is.Zero, transferError);
                transfers = await ReadAsync(transfersFile, format);
            }
            else
            {
                (int transferCode, string transfersText, string transferError) = ToolProcess.Run("export", _directory, "--what", "transfers", "--format", format);
                Assert.That(transferCode, Is.Zero, transferError);
                transfers = Parse(transfersText, format);
            }

            Account[] expectedAccounts = await engine.LookupAccountsAsync(AccountIds);
            Transfer[] expectedTransfers = await engine.LookupTransfersAsync(TransferIds());
            Assert.That(expectedAccounts, Has.Length.EqualTo(AccountIds.Length));
            Assert.That(expectedTransfers, Has.Length.EqualTo(TransferIds().Length));
            Assert.That(accounts, Is.EqualTo(expectedAccounts.OrderBy(a => a.Timestamp).Select(Row).ToList()));
            Assert.That(transfers, Is.EqualTo(expectedTransfers.OrderBy(t => t.Timestamp).Select(Row).ToList()));
            Assert.That(Hashes(), Is.EqualTo(before));
        }
        finally
        {
            File.Delete(accountsFile);
            File.Delete(transfersFile);
        }
    }

    [Test]
    public async Task Timestamp_range_is_inclusive_at_both_ends()
    {
        await using LedgerEngine engine = await WriteLedgerAsync();
        Transfer[] all = (await engine.LookupTransfersAsync(TransferIds())).OrderBy(t => t.Timestamp).ToArray();
        ulong from = all[2].Timestamp;
        ulong to = all[5].Timestamp;

        (int code, string output, string error) = ToolProcess.Run("export", _directory, "--what", "transfers", "--format", "csv",
            "--from", from.ToString(CultureInfo.InvariantCulture), "--to", to.ToString(CultureInfo.InvariantCulture));

        Assert.That(code, Is.Zero, error);
        Assert.That(Parse(output, "csv"), Is.EqualTo(all[2..6].Select(Row).ToList()));
    }

    [Test]
    public async Task Export_pages_through_more_transfers_than_one_query_returns()
    {
        const int count = (2 * LedgerStateMachine.BatchEventsMax) + 5;
        await using (LedgerEngine engine = await LedgerEngine.OpenAsync(new LedgerOptions { DataDirectory = _directory, SnapshotIntervalEvents = 0 }))
        {
            Assert.That(await engine.CreateAccountsAsync(new[] { new Account { Id = 1, Ledger = 1, Code = 1 }, new Account { Id = 2, Ledger = 1, Code = 1 } }), Is.Empty);
            const int batchSize = 4000; // not a page's size: a page ends inside a batch, where timestamps are consecutive
            for (int first = 1; first <= count; first += batchSize)
            {
                int size = Math.Min(batchSize, count - first + 1);
                Transfer[] batch = new Transfer[size];
                for (int i = 0; i < size; i++) batch[i] = new Transfer { Id = (UInt128)(first + i), DebitAccountId = 1, CreditAccountId = 2, Amount = 1, Ledger = 1, Code = 1 };
                Assert.That(await engine.CreateTransfersAsync(batch), Is.Empty);
            }
        }

        (int code, string output, string error) = ToolProcess.Run("export", _directory, "--what", "transfers", "--format", "csv");

        Assert.That(code, Is.Zero, error);
        List<Dictionary<string, string>> rows = Parse(output, "csv");
        Assert.That(rows.Select(r => r["id"]), Is.EqualTo(Enumerable.Range(1, count).Select(i => S(i))), "every transfer once, in timestamp order");
    }

    [Test]
    public async Task Parquet_export_spans_row_groups_with_every_row_once_in_order_and_typed_columns()
    {
        const int count = 131072 + 7; // one full row group (ParquetRowWriter.RowGroupRows) and a partial one
        await using (LedgerEngine engine = await LedgerEngine.OpenAsync(new LedgerOptions { DataDirectory = _directory, SnapshotIntervalEvents = 0 }))
        {
            Assert.That(await engine.CreateAccountsAsync(new[] { new Account { Id = 1, Ledger = 1, Code = 1 }, new Account { Id = 2, Ledger = 1, Code = 1 } }), Is.Empty);
            for (int first = 1; first <= count; first += LedgerStateMachine.BatchEventsMax)
            {
                int size = Math.Min(LedgerStateMachine.BatchEventsMax, count - first + 1);
                Transfer[] batch = new Transfer[size];
                for (int i = 0; i < size; i++) batch[i] = new Transfer { Id = (UInt128)(first + i), DebitAccountId = 1, CreditAccountId = 2, Amount = 1, Ledger = 1, Code = 1, UserData32 = (uint)(first + i) };
                Assert.That(await engine.CreateTransfersAsync(batch), Is.Empty);
            }
        }

        string file = Path.Combine(Path.GetTempPath(), $"ledgercore-export-{Guid.NewGuid():N}.parquet");
        try
        {
            (int code, string _, string error) = ToolProcess.Run("export", _directory, "--what", "transfers", "--format", "parquet", "--output", file);
            Assert.That(code, Is.Zero, error);
            await using (FileStream stream = File.OpenRead(file))
            await using (Parquet.ParquetReader reader = await Parquet.ParquetReader.CreateAsync(stream))
            {
                Assert.That(reader.RowGroupCount, Is.EqualTo(2));
                Parquet.Schema.DataField[] fields = reader.Schema.GetDataFields();
                Assert.That(fields.Select(f => IsText(f) ? typeof(string) : f.ClrType), Is.EqualTo(new[]
                {
                    typeof(string), typeof(string), typeof(string), typeof(string), typeof(string), typeof(string),
                    typeof(ulong), typeof(uint), typeof(uint), typeof(uint), typeof(ushort), typeof(ushort), typeof(ulong),
                }));
            }

            List<Dictionary<string, string>> rows = await ReadAsync(file, "parquet");
            Assert.That(rows.Select(r => r["id"]), Is.EqualTo(Enumerable.Range(1, count).Select(i => S(i))), "every transfer once, in timestamp order");
            Assert.That(rows.Select(r => r["user_data_32"]), Is.EqualTo(Enumerable.Range(1, count).Select(i => S(i))));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Test]
    public async Task Corruption_that_recovery_would_refuse_exits_1_and_writes_no_rows()
    {
        // One session, no snapshot: recovery reads the whole journal, and the first record is followed by a valid one.
        await using (LedgerEngine engine = await LedgerEngine.OpenAsync(new LedgerOptions { DataDirectory = _directory, SnapshotIntervalEvents = 0 }))
        {
            Assert.That(await engine.CreateAccountsAsync(new[] { new Account { Id = 1, Ledger = 1, Code = 1 }, new Account { Id = 2, Ledger = 1, Code = 1 } }), Is.Empty);
            Assert.That(await engine.CreateTransfersAsync(new[] { new Transfer { Id = 1, DebitAccountId = 1, CreditAccountId = 2, Amount = 1, Ledger = 1, Code = 1 } }), Is.Empty);
        }

        string segment = Directory.GetFiles(_directory, "*.log").Single();
        using (var file = new FileStream(segment, FileMode.Open, FileAccess.ReadWrite))
        {
            file.Position = 64 + 64 + 10; // inside the first record's payload (segment header, record header), a committed record
            int b = file.ReadByte();
            file.Position -= 1;
            file.WriteByte((byte)(b ^ 0xFF));
        }

        (int code, string output, string error) = ToolProcess.Run("export", _directory, "--what", "transfers", "--format", "jsonl");

        Assert.That(code, Is.EqualTo(1), error);
        Assert.That(error, Does.Contain("CORRUPT:"));
        Assert.That(output, Is.Empty);
    }

    [Test]
    public async Task Bad_arguments_are_usage_errors()
    {
        await (await WriteLedgerAsync()).DisposeAsync();
        string empty = Directory.CreateTempSubdirectory("ledgercore-export-empty-").FullName;
        try
        {
            Assert.Multiple(() =>
            {
                Assert.That(ToolProcess.Run("export", _directory, "--format", "csv").Code, Is.EqualTo(2), "no --what");
                Assert.That(ToolProcess.Run("export", _directory, "--what", "transfers").Code, Is.EqualTo(2), "no --format");
                Assert.That(ToolProcess.Run("export", _directory, "--what", "balances", "--format", "csv").Code, Is.EqualTo(2));
                Assert.That(ToolProcess.Run("export", _directory, "--what", "transfers", "--format", "parquet").Code, Is.EqualTo(2), "parquet without --output");
                Assert.That(ToolProcess.Run("export", _directory, "--what", "transfers", "--format", "xml").Code, Is.EqualTo(2));
                Assert.That(ToolProcess.Run("export", _directory, "--what", "transfers", "--format", "csv", "--from", "9", "--to", "8").Code, Is.EqualTo(2));
                Assert.That(ToolProcess.Run("export", _directory, "--what", "transfers", "--format", "csv", "--from", "-1").Code, Is.EqualTo(2));
                Assert.That(ToolProcess.Run("export", empty, "--what", "transfers", "--format", "csv").Code, Is.EqualTo(2), "no ledger.meta");
            });
        }
        finally
        {
            Directory.Delete(empty);
        }
    }

    [Test]
    public async Task An_output_that_cannot_be_written_exits_3_and_leaves_no_file_under_its_name()
    {
        await (await WriteLedgerAsync()).DisposeAsync();
        string folder = Directory.CreateTempSubdirectory("ledgercore-export-out-").FullName;
        try
        {
            string missing = Path.Combine(folder, "no-such-folder", "transfers.csv");
            var (code, _, error) = ToolProcess.Run("export", _directory, "--what", "transfers", "--format", "csv", "--output", missing);
            Assert.That(code, Is.EqualTo(3), error);
            Assert.That(error, Does.Contain("could not be written"));

            string written = Path.Combine(folder, "transfers.csv");
            Assert.That(ToolProcess.Run("export", _directory, "--what", "transfers", "--format", "csv", "--output", written).Code, Is.Zero);
            Assert.That(File.Exists(written) && !File.Exists(written + ".tmp"), "a complete export is renamed into place");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>
    /// A first session with a snapshot after it, then a second one (returned open) whose records are only
    /// in the journal: accounts with flags and 128-bit fields, single-phase transfers, a pending transfer
    /// posted and one voided.
    /// </summary>
    private async Task<LedgerEngine> WriteLedgerAsync()
    {
        await using (LedgerEngine first = await LedgerEngine.OpenAsync(new LedgerOptions { DataDirectory = _directory, SnapshotIntervalEvents = 2 }))
        {
            Account[] accounts =
            [
                new Account { Id = 1, Ledger = 7, Code = 3, Flags = AccountFlags.History, UserData128 = Big, UserData64 = ulong.MaxValue, UserData32 = uint.MaxValue },
                new Account { Id = 2, Ledger = 7, Code = 3, Flags = AccountFlags.DebitsMustNotExceedCredits },
                new Account { Id = Big, Ledger = 7, Code = ushort.MaxValue },
            ];
            Assert.That(await first.CreateAccountsAsync(accounts), Is.Empty);
            Assert.That(await first.CreateTransfersAsync(new[]
            {
                new Transfer { Id = 10, DebitAccountId = 1, CreditAccountId = 2, Amount = Big, Ledger = 7, Code = 1, UserData128 = Big, UserData64 = 64, UserData32 = 32 },
                new Transfer { Id = 11, DebitAccountId = Big, CreditAccountId = 1, Amount = 100, Ledger = 7, Code = 2, Flags = TransferFlags.Pending, Timeout = 3600 },
            }), Is.Empty);
        }

        Assert.That(Directory.GetFiles(_directory, "snapshot-*.snap"), Is.Not.Empty, "the export must start from a snapshot");
        LedgerEngine second = await LedgerEngine.OpenAsync(new LedgerOptions { DataDirectory = _directory, SnapshotIntervalEvents = 0 });
        Assert.That(await second.CreateTransfersAsync(new[]
        {
            new Transfer { Id = 12, PendingId = 11, Amount = 60, Flags = TransferFlags.PostPendingTransfer },
            new Transfer { Id = 13, DebitAccountId = 2, CreditAccountId = Big, Amount = 5, Ledger = 7, Code = 1, Flags = TransferFlags.Pending },
            new Transfer { Id = 14, PendingId = 13, Flags = TransferFlags.VoidPendingTransfer },
            new Transfer { Id = 15, DebitAccountId = Big, CreditAccountId = 2, Amount = 1, Ledger = 7, Code = 1 },
            new Transfer { Id = Big, DebitAccountId = Big, CreditAccountId = 2, Amount = 2, Ledger = 7, Code = 1 },
        }), Is.Empty);
        return second;
    }

    private static UInt128[] TransferIds() => [10, 11, 12, 13, 14, 15, Big];

    private static Dictionary<string, string> Row(Account a) => new()
    {
        ["id"] = S(a.Id), ["debits_pending"] = S(a.DebitsPending), ["debits_posted"] = S(a.DebitsPosted), ["credits_pending"] = S(a.CreditsPending),
        ["credits_posted"] = S(a.CreditsPosted), ["user_data_128"] = S(a.UserData128), ["user_data_64"] = S(a.UserData64), ["user_data_32"] = S(a.UserData32),
        ["reserved"] = S(a.Reserved), ["ledger"] = S(a.Ledger), ["code"] = S(a.Code), ["flags"] = S((ushort)a.Flags), ["timestamp"] = S(a.Timestamp),
    };

    private static Dictionary<string, string> Row(Transfer t) => new()
    {
        ["id"] = S(t.Id), ["debit_account_id"] = S(t.DebitAccountId), ["credit_account_id"] = S(t.CreditAccountId), ["amount"] = S(t.Amount),
        ["pending_id"] = S(t.PendingId), ["user_data_128"] = S(t.UserData128), ["user_data_64"] = S(t.UserData64), ["user_data_32"] = S(t.UserData32),
        ["timeout"] = S(t.Timeout), ["ledger"] = S(t.Ledger), ["code"] = S(t.Code), ["flags"] = S((ushort)t.Flags), ["timestamp"] = S(t.Timestamp),
    };

    private static string S<T>(T value) where T : IFormattable => value.ToString(null, CultureInfo.InvariantCulture);

    /// <summary>Parquet.Net 6 reports a UTF-8 string column's type as ReadOnlyMemory&lt;char&gt; (it reads into strings all the same).</summary>
    private static bool IsText(Parquet.Schema.DataField field) => field.ClrType == typeof(string) || field.ClrType == typeof(ReadOnlyMemory<char>);

    private static async Task<List<Dictionary<string, string>>> ReadAsync(string file, string format) =>
        format == "parquet" ? await ReadParquetAsync(file) : Parse(await File.ReadAllTextAsync(file), format);

    /// <summary>Every row group, every column read with its own type, as the invariant strings the other formats give.</summary>
    private static async Task<List<Dictionary<string, string>>> ReadParquetAsync(string file)
    {
        var rows = new List<Dictionary<string, string>>();
        await using FileStream stream = File.OpenRead(file);
        await using Parquet.ParquetReader reader = await Parquet.ParquetReader.CreateAsync(stream);
        Parquet.Schema.DataField[] fields = reader.Schema.GetDataFields();
        for (int g = 0; g < reader.RowGroupCount; g++)
        {
            using Parquet.ParquetRowGroupReader group = reader.OpenRowGroupReader(g);
            int count = checked((int)group.RowCount);
            int first = rows.Count;
            for (int i = 0; i < count; i++) rows.Add(new Dictionary<string, string>());
            foreach (Parquet.Schema.DataField field in fields)
            {
                string?[] cells = new string?[count];
                if (IsText(field))
                {
                    await group.ReadAsync(field, cells.AsMemory());
                }
                else if (field.ClrType == typeof(ulong))
                {
                    ulong[] values = new ulong[count];
                    await group.ReadAsync<ulong>(field, values.AsMemory());
                    for (int i = 0; i < count; i++) cells[i] = S(values[i]);
                }
                else if (field.ClrType == typeof(uint))
                {
                    uint[] values = new uint[count];
                    await group.ReadAsync<uint>(field, values.AsMemory());
                    for (int i = 0; i < count; i++) cells[i] = S(values[i]);
                }
                else
                {
                    Assert.That(field.ClrType, Is.EqualTo(typeof(ushort)), field.Name);
                    ushort[] values = new ushort[count];
                    await group.ReadAsync<ushort>(field, values.AsMemory());
                    for (int i = 0; i < count; i++) cells[i] = S(values[i]);
                }

                for (int i = 0; i < count; i++) rows[first + i][field.Name] = cells[i] ?? "<null>";
            }
        }

        return rows;
    }

    /// <summary>CSV: a header, then rows; JSONL: one object a line, 128-bit values as strings, the rest as numbers.</summary>
    private static List<Dictionary<string, string>> Parse(string text, string format)
    {
        string[] lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var rows = new List<Dictionary<string, string>>();
        if (format == "csv")
        {
            string[] header = lines[0].Split(',');
            Assert.That(header[1], Is.AnyOf("debits_pending", "debit_account_id"), "the protocol's order");
            foreach (string line in lines.Skip(1))
            {
                string[] cells = line.Split(',');
                Assert.That(cells, Has.Length.EqualTo(header.Length), line);
                rows.Add(header.Zip(cells).ToDictionary(p => p.First, p => p.Second));
            }

            return rows;
        }

        foreach (string line in lines)
        {
            using var json = JsonDocument.Parse(line);
            var row = new Dictionary<string, string>();
            foreach (JsonProperty property in json.RootElement.EnumerateObject())
            {
                row[property.Name] = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString()! : property.Value.GetRawText();
            }

            rows.Add(row);
        }

        return rows;
    }

    private Dictionary<string, string> Hashes() => ToolProcess.Hashes(_directory);
}
