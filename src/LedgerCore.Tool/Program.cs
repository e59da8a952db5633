using System.CommandLine;
using LedgerCore.Storage;
using LedgerCore.Tool.Export;
using LedgerCore.Tool.Repl;

namespace LedgerCore.Tool;

/// <summary>The <c>ledgercore</c> command line: <c>inspect</c>, <c>verify</c> and <c>export</c> a data directory.</summary>
internal static class Program
{
    public const int Intact = 0;
    public const int Corrupt = 1;
    public const int UsageError = 2;
    public const int OutputFailed = 3;

    private const string ExitCodes =
        "Exit codes: 0 intact (a torn tail is a warning: recovery cuts it), 1 corrupt, 2 usage error (bad arguments, or not a ledger data directory), 3 the output could not be written (export).";

    private const string ReadOnly =
        "Read-only: it does not take the writer lock, so it is safe beside a running engine, and it never repairs or changes a file.";

    private static int Main(string[] args)
    {
        RootCommand root = new("Inspects, verifies, exports and backs up LedgerCore data directories, and talks to a running server (repl). " +
            "inspect, verify and export: " + ReadOnly + " " + ExitCodes +
            " 'backup' takes the writer lock (see 'ledgercore backup --help'); 'repl' writes through a server (see 'ledgercore repl --help').");
        root.Subcommands.Add(Command("inspect",
            "Shows the ledger id, epoch, journal segments (sequences, sizes), snapshots (sequence, size, format version), the last committed " +
            "sequence and timestamp, and what recovery would do (the torn tail it would cut, the snapshot it would load).",
            verify: false));
        root.Subcommands.Add(Command("verify",
            "Verifies every checksum (metadata, segments, records, snapshots), replays the journal into a fresh state machine and compares it with " +
            "the snapshots' digests; prints the first corruption with its file and offset.",
            verify: true));
        root.Subcommands.Add(ExportCommand());
        root.Subcommands.Add(ReplCommand.Create());
        root.Subcommands.Add(Backup.BackupCommand.Create());

        ParseResult parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (System.CommandLine.Parsing.ParseError error in parsed.Errors) Console.Error.WriteLine(error.Message);
            Console.Error.WriteLine("Run 'ledgercore --help' for usage.");
            return UsageError;
        }

        return parsed.Invoke();
    }

    private static Command Command(string name, string description, bool verify)
    {
        Argument<string> directory = new("dir") { Description = "The ledger's data directory (LedgerOptions.DataDirectory)." };
        Option<bool> json = new("--json") { Description = "Writes the report as JSON on standard output." };
        Command command = new(name, description + " " + ReadOnly + " " + ExitCodes) { directory, json };
        command.SetAction(result => Run(result.GetValue(directory)!, result.GetValue(json), verify));
        if (!verify)
        {
            json.Recursive = true; // inspect's subcommands take --json too
            command.Subcommands.Add(Inspect.RecordsCommand.Create(directory, json));
            command.Subcommands.Add(Inspect.TransferCommand.Create(directory, json));
        }

        return command;
    }

    private static Command ExportCommand()
    {
        Argument<string> directory = new("dir") { Description = "The ledger's data directory (LedgerOptions.DataDirectory)." };
        Option<string> what = new("--what") { Description = "What to export.", Required = true };
        what.AcceptOnlyFromAmong("accounts", "transfers");
        Option<string> format = new("--format")
        {
            Description = "csv (with a header line), jsonl (one JSON object per line) or parquet (row groups of 131072 rows; 128-bit values as " +
                "decimal strings, the rest unsigned integers of their width; needs --output: Parquet's footer is written last).",
            Required = true,
        };
        format.AcceptOnlyFromAmong("csv", "jsonl", "parquet");
        Option<ulong> from = new("--from") { Description = "Only rows whose timestamp is at least this (inclusive; default: no bound)." };
        Option<ulong> to = new("--to") { Description = "Only rows whose timestamp is at most this (inclusive; default: no bound)." };
        Option<string> output = new("--output") { Description = "Write to this file (replaced if it exists) instead of standard output." };
        Command command = new("export",
            "Recovers the state as the engine would (newest snapshot that verifies, then the journal after it) and writes every account or " +
            "transfer in timestamp order, streamed; 128-bit values as decimal strings, flags as integers, columns named as in docs/protocol.md. " +
            "Progress goes to standard error. " + ReadOnly + " " +
            "Exit codes: 0 exported (a torn tail is left out, as recovery would cut it), 1 corrupt (recovery would refuse the directory), 2 usage error, " +
            "3 the output could not be written.")
        {
            directory, what, format, from, to, output,
        };
        command.SetAction(result => Export(result.GetValue(directory)!, result.GetValue(what) == "transfers",
            result.GetValue(format)!, result.GetValue(from), result.GetValue(to), result.GetValue(output)));
        return command;
    }

    private static int Export(string directory, bool transfers, string format, ulong from, ulong to, string? output)
    {
        if (!IsLedgerDirectory(directory)) return UsageError;
        if (format == "parquet" && output is null)
        {
            Console.Error.WriteLine("--format parquet needs --output: a Parquet file is readable only once its footer, written last, is there.");
            return UsageError;
        }

        if (from > LedgerStateMachine.TimestampMax || to > LedgerStateMachine.TimestampMax || (to != 0 && from > to))
        {
            Console.Error.WriteLine($"--from and --to must be at most {LedgerStateMachine.TimestampMax}, and --from at most --to.");
            return UsageError;
        }

        LedgerStateMachine machine;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            machine = LedgerExport.Recover(directory);
        }
        catch (LedgerCorruptedException e)
        {
            Console.Error.WriteLine($"CORRUPT: {e.Message}");
            return Corrupt;
        }

        Console.Error.WriteLine($"recovered {machine.AccountCount} accounts and {machine.TransferCount} transfers in {clock.Elapsed.TotalSeconds:F2} s");
        clock.Restart();
        // A file is written beside its name and renamed when complete, so a failed export never leaves a
        // partial file that looks whole; on standard output a failure (a closed pipe, a full disk) is exit 3.
        string? temporary = output is null ? null : output + ".tmp";
        long rows;
        try
        {
            using (Stream stream = temporary is null ? Console.OpenStandardOutput() : new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.Read))
            using (RowWriter writer = format switch { "jsonl" => new JsonlRowWriter(stream), "parquet" => new ParquetRowWriter(stream), _ => new CsvRowWriter(stream) })
            {
                var progress = new ExportProgress(Console.Error, transfers ? machine.TransferCount : machine.AccountCount, terminal: !Console.IsErrorRedirected);
                rows = LedgerExport.Write(machine, transfers, from, to, writer, progress);
            }

            if (temporary is not null) File.Move(temporary, output!, overwrite: true);
        }
        catch (IOException e)
        {
            Console.Error.WriteLine($"the output could not be written: {e.Message}");
            if (temporary is not null) TryDelete(temporary);
            return OutputFailed;
        }
        catch (UnauthorizedAccessException e)
        {
            Console.Error.WriteLine($"the output could not be written: {e.Message}");
            if (temporary is not null) TryDelete(temporary);
            return OutputFailed;
        }

        Console.Error.WriteLine($"exported {rows} rows in {clock.Elapsed.TotalSeconds:F2} s");
        return Intact;
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Best effort: the exit code already says the export failed.
        }
    }

    internal static bool IsLedgerDirectory(string directory)
    {
        if (Directory.Exists(directory) && File.Exists(Path.Combine(directory, DataDirectory.MetadataName))) return true;
        Console.Error.WriteLine($"'{directory}' is not a ledger data directory (no {DataDirectory.MetadataName}).");
        return false;
    }

    private static int Run(string directory, bool json, bool verify)
    {
        if (!IsLedgerDirectory(directory)) return UsageError;

        DirectoryReport report = DirectoryAnalysis.Run(directory, verify);
        if (json)
        {
            ReportWriter.WriteJson(report, Console.Out);
        }
        else
        {
            ReportWriter.WriteText(report, Console.Out);
        }

        return report.Corruption is null ? Intact : Corrupt;
    }
}
