using System.Diagnostics;
using System.Globalization;

namespace LedgerCore.Tool.Export;

/// <summary>
/// Progress of a long export on standard error, about once a second: a bar redrawn in place when standard
/// error is a terminal, a plain line (<c>exported N rows</c>) otherwise, so logs and scripts get whole lines.
/// The share is of every row in the ledger; with a timestamp range the export ends early and the bar with it.
/// </summary>
internal sealed class ExportProgress(TextWriter output, long total, bool terminal)
{
    private const int BarWidth = 30;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private TimeSpan _next = TimeSpan.FromSeconds(1);
    private bool _drawn;

    /// <summary>A sink for tests and quiet runs.</summary>
    public static ExportProgress None { get; } = new(TextWriter.Null, 0, terminal: false);

    /// <summary>Reports <paramref name="rows"/> so far if a second has passed since the last report.</summary>
    public void Report(long rows)
    {
        if (_clock.Elapsed < _next) return;
        _next = _clock.Elapsed + TimeSpan.FromSeconds(1);
        if (!terminal)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"exported {rows} rows"));
            return;
        }

        double share = total > 0 ? Math.Min(1, (double)rows / total) : 0;
        int filled = (int)(share * BarWidth);
        double rate = rows / Math.Max(_clock.Elapsed.TotalSeconds, 1e-3);
        output.Write(string.Create(CultureInfo.InvariantCulture,
            $"\r[{new string('#', filled)}{new string('.', BarWidth - filled)}] {share,4:P0}  {rows:N0} / {total:N0} rows  {rate:N0} rows/s "));
        _drawn = true;
    }

    /// <summary>Ends the bar's line, so what follows starts on a line of its own.</summary>
    public void Done()
    {
        if (_drawn) output.WriteLine();
    }
}
