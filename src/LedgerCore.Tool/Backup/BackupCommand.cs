using System.CommandLine;
using System.Globalization;
using LedgerCore.Backup;
using LedgerCore.Storage;

namespace LedgerCore.Tool.Backup;

/// <summary>
/// <c>ledgercore backup &lt;dir&gt; &lt;dest&gt;</c>: backs up a directory no engine has open, through the
/// same writer as <see cref="LedgerEngine.BackupAsync"/>, so both produce the same layout (docs/backup.md).
/// </summary>
internal static class BackupCommand
{
    /// <summary>Exit code: another process holds the directory's lock (an engine has it open).</summary>
    public const int Locked = 4;

    private const string ExitCodes =
        "Exit codes: 0 backed up, 1 corrupt (recovery would refuse the directory), 2 usage error (bad arguments, not a ledger data directory, " +
        "or a destination that is a file or not empty), 3 the backup could not be written or was interrupted (nothing of it is left), " +
        "4 the directory is open in an engine (back a running ledger up with LedgerEngine.BackupAsync or --connect instead), " +
        "5 with --connect: the server could not be reached, refused the connection, or does not allow or support backups.";

    public static Command Create()
    {
        Argument<string[]> paths = new("dir> <dest")
        {
            Description = "The ledger's data directory (no engine may have it open) and the backup's directory (empty or not existing); " +
                "with --connect, only the backup's directory: a relative path inside the server's backup directory.",
            Arity = new ArgumentArity(1, 2),
        };
        Option<string> connect = new("--connect") { Description = "Back up a running server instead (host:port): the TCP Backup operation, which its BackupDirectory must allow." };
        Option<string> token = new("--token") { Description = "With --connect: the server's AuthToken." };
        Option<bool> tls = new("--tls") { Description = "With --connect: connect with TLS (the server's certificate must be trusted by this machine)." };
        Option<bool> json = new("--json") { Description = "Prints the completed backup as one JSON object (ledger_id, sequence, commit_timestamp, digest, directory, on_server, bytes, seconds)." };
        Command command = new("backup",
            "Takes the directory's writer lock, recovers its state read-only (the newest snapshot that verifies, then the journal after it; a torn tail " +
            "is left out, as recovery would cut it) and writes a backup: a snapshot at the last committed sequence, ledger.meta and backup.manifest " +
            "(every file's length and hash, the sequence and the digest), all fsynced, verified by reading the snapshot back before the manifest marks " +
            "it complete. Restore by opening the backup as a data directory. The source is not changed. With --connect, asks a running server to " +
            "back its ledger up under its backup directory instead (docs/protocol.md, Backup). " + ExitCodes)
        {
            paths, connect, token, tls, json,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            string[] given = result.GetValue(paths) ?? [];
            string? server = result.GetValue(connect);
            if (given.Length != (server is null ? 2 : 1))
            {
                Console.Error.WriteLine(server is null ? "backup needs <dir> and <dest>." : "backup --connect needs only <dest> (a path inside the server's backup directory).");
                return Program.UsageError;
            }

            return server is null
                ? Run(given[0], given[1], result.GetValue(json), cancellationToken)
                : await RemoteBackup.RunAsync(server, result.GetValue(token), result.GetValue(tls), given[0], result.GetValue(json), cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    private static int Run(string directory, string destination, bool json, CancellationToken cancellationToken)
    {
        if (!Program.IsLedgerDirectory(directory)) return Program.UsageError;
        FileStream directoryLock;
        try
        {
            directoryLock = DataDirectory.Lock(directory);
        }
        catch (LedgerLockedException e)
        {
            Console.Error.WriteLine(e.Message);
            return Locked;
        }

        using (directoryLock)
        {
            (UInt128 LedgerId, ulong Epoch, LedgerStateMachine Machine, long Sequence, ulong HighestFencingToken) recovered;
            try
            {
                recovered = ReadOnlyRecovery.Recover(directory);
            }
            catch (LedgerCorruptedException e)
            {
                Console.Error.WriteLine($"CORRUPT: {e.Message}");
                return Program.Corrupt;
            }

            BackupWriter writer;
            try
            {
                writer = BackupWriter.Begin(destination);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
            {
                Console.Error.WriteLine(e.Message);
                return Program.UsageError;
            }

            LedgerBackup backup;
            try
            {
                backup = writer.Write(recovered.LedgerId, recovered.Epoch, recovered.Sequence, recovered.HighestFencingToken, recovered.Machine.CaptureImage(), cancellationToken);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or OperationCanceledException)
            {
                Console.Error.WriteLine($"the backup could not be written: {e.Message}");
                return Program.OutputFailed;
            }

            BackupReport.Write(backup, recovered.LedgerId, onServer: false, json);
            return Program.Intact;
        }
    }
}
