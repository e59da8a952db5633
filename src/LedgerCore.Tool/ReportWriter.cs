using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace LedgerCore.Tool;

/// <summary>Writes a <see cref="DirectoryReport"/> as text for people or JSON for scripts.</summary>
internal static class ReportWriter
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public static void WriteJson(DirectoryReport report, TextWriter output) =>
        output.WriteLine(JsonSerializer.Serialize(report, Json));

    public static void WriteText(DirectoryReport report, TextWriter output)
    {
        CultureInfo c = CultureInfo.InvariantCulture;
        output.WriteLine(string.Create(c, $"directory:      {report.Directory}"));
        output.WriteLine(string.Create(c, $"ledger id:      {report.LedgerId}"));
        output.WriteLine(string.Create(c, $"epoch:          {report.Epoch}"));
        output.WriteLine(string.Create(c, $"last committed: sequence {report.LastCommittedSequence}, timestamp {report.LastCommittedTimestamp}"));
        output.WriteLine(string.Create(c, $"segments ({report.Segments.Count}, {report.Records} records):"));
        foreach (SegmentReport s in report.Segments)
        {
            output.WriteLine(string.Create(c, $"  {s.File}  sequences {s.FirstSequence}..{s.LastSequence?.ToString(c) ?? "-"}  {s.Records} records  {s.Bytes} bytes"));
        }

        output.WriteLine(string.Create(c, $"snapshots ({report.Snapshots.Count}):"));
        foreach (SnapshotReport s in report.Snapshots)
        {
            output.WriteLine(string.Create(c, $"  {s.File}  sequence {s.Sequence}  {s.Bytes} bytes  format {s.FormatVersion}  {(s.Verified == true ? "verified" : "FAILS: " + s.Problem)}"));
        }

        string cut = report.TornTail is { } t ? string.Create(c, $"cuts a torn tail of {t.Bytes} bytes in {t.File} at offset {t.Offset} ({t.Reason})") : "no torn tail to cut";
        output.WriteLine(string.Create(c, $"recovery:       loads {report.RecoveryLoadsSnapshot ?? "no snapshot (starts from zero)"}; {cut}"));
        if (report.ReplayedFrom is not null)
        {
            output.WriteLine(string.Create(c, $"replay:         from {report.ReplayedFrom}, {report.ReplayedRecords ?? 0} records"));
        }

        foreach (DigestCheck d in report.DigestChecks)
        {
            output.WriteLine(string.Create(c, $"digest:         {d.Snapshot} at sequence {d.Sequence}: {(d.Matches ? "matches the replay" : $"MISMATCH (snapshot {d.Expected}, replay {d.Replayed})")}"));
        }

        foreach (string warning in report.Warnings) output.WriteLine(string.Create(c, $"warning:        {warning}"));
        output.WriteLine(report.Corruption is { } k
            ? string.Create(c, $"CORRUPT:        {k.File ?? "-"} at offset {k.Offset}: {k.Message}")
            : "result:         no corruption found");
    }
}
