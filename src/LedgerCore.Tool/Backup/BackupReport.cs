using System.Globalization;
using System.Text;
using System.Text.Json;

namespace LedgerCore.Tool.Backup;

/// <summary>What a completed backup prints on standard output: a sentence, or with <c>--json</c> one object for scripts.</summary>
internal static class BackupReport
{
    public static void Write(LedgerBackup backup, UInt128 ledgerId, bool onServer, bool json)
    {
        if (!json)
        {
            Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"backup of ledger {ledgerId:x32} at sequence {backup.Sequence} written {(onServer ? "on the server " : "")}to {backup.Directory}: {backup.Bytes} bytes, digest {backup.Digest:x32}, {backup.Duration.TotalSeconds:F2} s"));
            return;
        }

        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("ledger_id", ledgerId.ToString("x32", CultureInfo.InvariantCulture));
            writer.WriteNumber("sequence", backup.Sequence);
            writer.WriteNumber("commit_timestamp", backup.CommitTimestamp);
            writer.WriteString("digest", backup.Digest.ToString("x32", CultureInfo.InvariantCulture));
            writer.WriteString("directory", backup.Directory);
            writer.WriteBoolean("on_server", onServer);
            writer.WriteNumber("bytes", backup.Bytes);
            writer.WriteNumber("seconds", Math.Round(backup.Duration.TotalSeconds, 3));
            writer.WriteEndObject();
        }

        Console.Out.WriteLine(Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
    }
}
