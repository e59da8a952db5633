using System.CommandLine;
using System.Globalization;
using System.Runtime.InteropServices;
using LedgerCore.Journal;
using LedgerCore.Storage;
using LedgerCore.Tool.Export;

namespace LedgerCore.Tool.Inspect;

/// <summary>
/// <c>inspect &lt;dir&gt; transfer &lt;id&gt;</c>: the transfer as the recovered ledger holds it, and the journal
/// records that carry its id (where it was created, and any retry of the same id), read-only.
/// </summary>
internal static class TransferCommand
{
    /// <summary>The transfer id is not in the ledger.</summary>
    public const int NotFound = 4;

    public static Command Create(Argument<string> directory, Option<bool> json)
    {
        Argument<string> id = new("id") { Description = "The transfer id: decimal, or hexadecimal with a 0x prefix." };
        Command command = new("transfer",
            "Recovers the ledger as the engine would (read-only) and prints the transfer with this id as export's JSONL shows it, then every " +
            "journal record still on disk whose events carry the id (sequence, timestamp, segment). Exit codes: 0 found, 1 corrupt, 2 usage " +
            "error, 4 no such transfer.")
        {
            id,
        };
        command.SetAction(result => Run(result.GetValue(directory)!, result.GetValue(id)!, result.GetValue(json)));
        return command;
    }

    private static int Run(string directory, string text, bool json)
    {
        if (!Program.IsLedgerDirectory(directory)) return Program.UsageError;
        if (!TryParse(text, out UInt128 id))
        {
            Console.Error.WriteLine($"'{text}' is not a transfer id (a decimal number, or hexadecimal with 0x, up to 128 bits).");
            return Program.UsageError;
        }

        try
        {
            LedgerStateMachine machine = LedgerExport.Recover(directory);
            Transfer[] found = machine.LookupTransfers([id]);
            List<string> records = RecordsHolding(directory, id);
            if (found.Length == 0)
            {
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"transfer {id} is not in the ledger ({machine.TransferCount} transfers)."));
                return NotFound;
            }

            string transfer = EventJson.Of(in found[0]);
            if (json)
            {
                Console.Out.WriteLine($"{{\"transfer\":{transfer},\"records\":[{string.Join(',', records.ConvertAll(r => "\"" + r + "\""))}]}}");
            }
            else
            {
                Console.Out.WriteLine(transfer);
                Console.Out.WriteLine(records.Count == 0
                    ? "in no journal record still on disk (compacted into a snapshot)"
                    : "in journal records: " + string.Join("; ", records));
            }

            return Program.Intact;
        }
        catch (LedgerCorruptedException e)
        {
            Console.Error.WriteLine($"CORRUPT: {e.Message}");
            return Program.Corrupt;
        }
    }

    private static bool TryParse(string text, out UInt128 id) =>
        text.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? UInt128.TryParse(text.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out id)
            : UInt128.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out id);

    /// <summary>"sequence S (timestamp T, segment F)" for every create_transfers record whose events carry <paramref name="id"/>.</summary>
    private static List<string> RecordsHolding(string directory, UInt128 id)
    {
        var storage = new ReadOnlyStorage(directory);
        (UInt128 ledgerId, ulong _) = DataDirectory.Read(storage) ?? throw new LedgerCorruptedException(DataDirectory.MetadataName, 0, "metadata is missing");
        List<(long First, string Name)> segments = JournalReader.ListSegments(storage);
        var records = new List<string>();
        if (segments.Count == 0) return records;
        JournalReader.Read(storage, ledgerId, segments[0].First - 1, long.MaxValue, repairTail: false,
            (in JournalRecordInfo info, ReadOnlySpan<byte> payload) =>
            {
                if (info.Operation != LedgerOperation.CreateTransfers) return;
                foreach (ref readonly Transfer t in MemoryMarshal.Cast<byte, Transfer>(payload))
                {
                    if (t.Id != id) continue;
                    records.Add(string.Create(CultureInfo.InvariantCulture, $"sequence {info.Sequence} (batch timestamp {info.Timestamp}, {RecordsCommand.SegmentOf(segments, info.Sequence)})"));
                    break;
                }
            });
        return records;
    }
}
