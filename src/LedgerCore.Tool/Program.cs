using System.CommandLine;
using LedgerCore.Storage;

namespace LedgerCore.Tool;

/// <summary>The <c>ledgercore</c> command line: <c>inspect</c> and <c>verify</c> a data directory.</summary>
internal static class Program
{
    public const int Intact = 0;
    public const int Corrupt = 1;
    public const int UsageError = 2;

    private const string ExitCodes =
        "Exit codes: 0 intact (a torn tail is a warning: recovery cuts it), 1 corrupt, 2 usage error (bad arguments, or not a ledger data directory).";

    private const string ReadOnly =
        "Read-only: it does not take the writer lock, so it is safe beside a running engine, and it never repairs or changes a file.";

    private static int Main(string[] args)
    {
        RootCommand root = new("Inspects and verifies LedgerCore data directories. " + ReadOnly + " " + ExitCodes);
        root.Subcommands.Add(Command("inspect",
            "Shows the ledger id, epoch, journal segments (sequences, sizes), snapshots (sequence, size, format version), the last committed " +
            "sequence and timestamp, and what recovery would do (the torn tail it would cut, the snapshot it would load).",
            verify: false));
        root.Subcommands.Add(Command("verify",
            "Verifies every checksum (metadata, segments, records, snapshots), replays the journal into a fresh state machine and compares it with " +
            "the snapshots' digests; prints the first corruption with its file and offset.",
            verify: true));

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
        return command;
    }

    private static int Run(string directory, bool json, bool verify)
    {
        if (!Directory.Exists(directory) || !File.Exists(Path.Combine(directory, DataDirectory.MetadataName)))
        {
            Console.Error.WriteLine($"'{directory}' is not a ledger data directory (no {DataDirectory.MetadataName}).");
            return UsageError;
        }

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
