using System.Globalization;
using System.Text;

namespace LedgerCore.Simulation;

/// <summary>Totals over many seeds, and the one-line summary the console prints last.</summary>
public sealed class SimulationSummary
{
    private readonly SortedDictionary<string, long> _faults = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, long> _coverage = new(StringComparer.Ordinal);
    private readonly List<int> _failedSeeds = [];

    public int Seeds { get; private set; }

    public long Restarts { get; private set; }

    public long BatchesAcknowledged { get; private set; }

    public long Violations { get; private set; }

    public IReadOnlyList<int> FailedSeeds => _failedSeeds;

    public IReadOnlyDictionary<string, long> Faults => _faults;

    public IReadOnlyDictionary<string, long> Coverage => _coverage;

    public void Add(SeedResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        Seeds++;
        Restarts += result.Restarts;
        BatchesAcknowledged += result.BatchesAcknowledged;
        Violations += result.Violations.Count;
        if (result.Violations.Count > 0) _failedSeeds.Add(result.Seed);
        foreach ((string kind, int count) in result.Faults)
        {
            _faults[kind] = _faults.GetValueOrDefault(kind) + count;
        }

        foreach ((string what, int count) in result.Coverage)
        {
            _coverage[what] = _coverage.GetValueOrDefault(what) + count;
        }
    }

    public override string ToString()
    {
        var line = new StringBuilder();
        line.Append(CultureInfo.InvariantCulture, $"seeds {Seeds}, crashes/restarts {Restarts}, faults injected {_faults.Values.Sum()} (");
        line.AppendJoin(", ", _faults.Select(f => string.Create(CultureInfo.InvariantCulture, $"{f.Key} {f.Value}")));
        line.Append("), coverage (");
        line.AppendJoin(", ", _coverage.Select(f => string.Create(CultureInfo.InvariantCulture, $"{f.Key} {f.Value}")));
        line.Append(CultureInfo.InvariantCulture, $"), batches acknowledged {BatchesAcknowledged}, violations {Violations}");
        if (_failedSeeds.Count > 0) line.Append(CultureInfo.InvariantCulture, $" (failing seeds: {string.Join(' ', _failedSeeds.Take(20))})");
        return line.ToString();
    }
}
