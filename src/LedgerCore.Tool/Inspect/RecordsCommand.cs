using System.CommandLine;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using LedgerCore.Journal;
using LedgerCore.Storage;

namespace LedgerCore.Tool.Inspect;

/// <summary>
/// <c>inspect &lt;dir&gt; records --from-sequence N --count K [--events] [--json]</c>: the journal's records
/// from sequence N on, read and verified by the core's own reader (read-only, no torn tail cut), with
/// their header fields and, on request, every event they carry.
/// </summary>
internal static class RecordsCommand
{
    public static Command Create(Argument<string> directory, Option<bool> json)
    {
        Option<long> from = new("--from-sequence") { Description = "The first record's sequence (default 1).", DefaultValueFactory = _ => 1 };
        Option<int> count = new("--count") { Description = "How many records at most (default 10, at most 100000).", DefaultValueFactory = _ => 10 };
        Option<bool> events = new("--events") { Description = "Also prints every account or transfer of each record, as export's JSONL shows it." };
        Command command = new("records",
            "Prints journal records from --from-sequence on: sequence, batch timestamp, fencing token, operation, event count and segment; with " +
            "--events, their accounts or transfers as submitted (the journal holds events before the state machine stamps them: timestamp 0, and the " +
            "results are not in it). Records older than the oldest segment (compacted behind a snapshot) are gone: the tool says " +
            "at which sequence the journal starts. Exit codes: 0 read, 1 corrupt, 2 usage error.")
        {
            from, count, events,
        };
        command.SetAction(result => Run(result.GetValue(directory)!, result.GetValue(from), result.GetValue(count), result.GetValue(events), result.GetValue(json)));
        return command;
    }

    private static int Run(string directory, long from, int count, bool events, bool json)
    {
        if (!Program.IsLedgerDirectory(directory)) return Program.UsageError;
        if (from < 1 || count < 1 || count > 100_000)
        {
            Console.Error.WriteLine("--from-sequence must be at least 1 and --count between 1 and 100000.");
            return Program.UsageError;
        }

        var storage = new ReadOnlyStorage(directory);
        try
        {
            (UInt128 ledgerId, ulong _) = DataDirectory.Read(storage) ?? throw new LedgerCorruptedException(DataDirectory.MetadataName, 0, "metadata is missing");
            List<(long First, string Name)> segments = JournalReader.ListSegments(storage);
            if (segments.Count == 0 || segments[0].First > from)
            {
                string oldest = segments.Count == 0 ? "the journal is empty" : string.Create(CultureInfo.InvariantCulture, $"the oldest segment starts at sequence {segments[0].First}");
                Console.Error.WriteLine($"no record at sequence {from}: {oldest} (older records are compacted into a snapshot).");
                return Program.Intact;
            }

            using Stream stdout = Console.OpenStandardOutput();
            using var output = new StreamWriter(stdout) { NewLine = "\n" };
            long printed = 0;
            JournalReader.Read(storage, ledgerId, from - 1, from + count - 1, repairTail: false,
                (in JournalRecordInfo info, ReadOnlySpan<byte> payload) =>
                {
                    string segment = SegmentOf(segments, info.Sequence);
                    if (json) WriteJson(output, in info, segment, events ? payload : default, events);
                    else WriteText(output, in info, segment, events ? payload : default);
                    printed++;
                });
            output.Flush();
            if (printed < count) Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{printed} records (the journal ends there)"));
            return Program.Intact;
        }
        catch (LedgerCorruptedException e)
        {
            Console.Error.WriteLine($"CORRUPT: {e.Message}");
            return Program.Corrupt;
        }
    }

    /// <summary>The segment holding <paramref name="sequence"/>: the last one that starts at or before it.</summary>
    public static string SegmentOf(List<(long First, string Name)> segments, long sequence)
    {
        int i = segments.Count - 1;
        while (i > 0 && segments[i].First > sequence) i--;
        return segments[i].Name;
    }

    private static string Operation(LedgerOperation operation) => operation switch
    {
        LedgerOperation.CreateAccounts => "create_accounts",
        LedgerOperation.CreateTransfers => "create_transfers",
        _ => ((byte)operation).ToString(CultureInfo.InvariantCulture),
    };

    private static void WriteText(StreamWriter output, in JournalRecordInfo info, string segment, ReadOnlySpan<byte> payload)
    {
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"sequence {info.Sequence}  timestamp {info.Timestamp}  token {info.FencingToken}  {Operation(info.Operation)}  {info.EventCount} events  {segment}"));
        foreach (string line in Events(info.Operation, payload)) output.WriteLine("  " + line);
    }

    private static void WriteJson(StreamWriter output, in JournalRecordInfo info, string segment, ReadOnlySpan<byte> payload, bool events)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteNumber("sequence", info.Sequence);
            json.WriteNumber("timestamp", info.Timestamp);
            json.WriteNumber("fencing_token", info.FencingToken);
            json.WriteString("operation", Operation(info.Operation));
            json.WriteNumber("event_count", info.EventCount);
            json.WriteString("segment", segment);
            if (events)
            {
                json.WriteStartArray("events");
                foreach (string line in Events(info.Operation, payload)) json.WriteRawValue(line, skipInputValidation: true);
                json.WriteEndArray();
            }

            json.WriteEndObject();
        }

        output.WriteLine(System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
    }

    private static List<string> Events(LedgerOperation operation, ReadOnlySpan<byte> payload)
    {
        var lines = new List<string>();
        if (payload.IsEmpty) return lines;
        if (operation == LedgerOperation.CreateAccounts)
        {
            foreach (ref readonly Account a in MemoryMarshal.Cast<byte, Account>(payload)) lines.Add(EventJson.Of(in a));
        }
        else
        {
            foreach (ref readonly Transfer t in MemoryMarshal.Cast<byte, Transfer>(payload)) lines.Add(EventJson.Of(in t));
        }

        return lines;
    }
}
