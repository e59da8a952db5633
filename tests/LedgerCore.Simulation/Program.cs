using System.Globalization;
using LedgerCore.Simulation;

// dotnet run --project tests/LedgerCore.Simulation -- --seed N            one seed, with its trace tail on failure
// dotnet run --project tests/LedgerCore.Simulation -- --seeds K [--first-seed S] [--parallel P] [--print-hashes]
// The last line is the summary; the exit code is 1 if any seed broke an invariant.
int? single = null;
int count = 1;
int first = 1;
int parallel = 1;
bool printHashes = false;
for (int i = 0; i < args.Length; i++)
{
    string value = i + 1 < args.Length ? args[i + 1] : "";
    switch (args[i])
    {
        case "--seed": single = int.Parse(value, CultureInfo.InvariantCulture); i++; break;
        case "--seeds": count = int.Parse(value, CultureInfo.InvariantCulture); i++; break;
        case "--first-seed": first = int.Parse(value, CultureInfo.InvariantCulture); i++; break;
        case "--parallel": parallel = int.Parse(value, CultureInfo.InvariantCulture); i++; break;
        case "--print-hashes": printHashes = true; break; // one line per seed: compare two runs to check determinism
        default:
            Console.Error.WriteLine($"unknown argument '{args[i]}'; use --seed N, or --seeds K [--first-seed S] [--parallel P]");
            return 2;
    }
}

if (single is { } seed)
{
    first = seed;
    count = 1;
}

var summary = new SimulationSummary();
var gate = new Lock();
// Seeds are independent (each has its own storage, clock and engine), so running several at once changes no seed's trace.
Parallel.For(first, first + count, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, parallel) }, s =>
{
    SeedResult result = Simulator.Run(s);
    lock (gate)
    {
        summary.Add(result);
        if (result.Violations.Count > 0)
        {
            Console.WriteLine($"seed {result.Seed}: FAILED: {result.Violations[0]}  (reproduce: --seed {result.Seed})");
            if (single is not null)
            {
                foreach (string line in result.TraceTail) Console.WriteLine("  " + line);
            }
        }
        else if (single is not null || printHashes)
        {
            Console.WriteLine($"seed {result.Seed}: ok, {result.Steps} requests, trace {result.TraceHash}");
        }

        if (summary.Seeds % 500 == 0) Console.WriteLine($"progress: {summary}");
    }
});

Console.WriteLine(summary.ToString());
return summary.Violations > 0 ? 1 : 0;
