using BenchmarkDotNet.Running;

namespace LedgerCore.Benchmarks;

/// <summary>Runs the suites: <c>dotnet run -c Release --project bench/LedgerCore.Benchmarks -- --filter '*'</c>.</summary>
public static class Program
{
    public static void Main(string[] args) =>
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
