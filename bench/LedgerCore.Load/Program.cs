using LedgerCore.Load;
using Spectre.Console;

// The load run: the state machine alone, then the durable pipeline end to end, then a restart that
// must reproduce the digest. Exit codes: 0 ok, 1 digest differs or transfers failed, 2 bad options.
LoadOptions options;
try
{
    options = LoadOptions.Parse(args);
}
catch (ArgumentException e)
{
    await Console.Error.WriteLineAsync($"{e.Message}\n{LoadOptions.Usage}");
    return 2;
}

if (options.Help)
{
    Console.WriteLine(LoadOptions.Usage);
    return 0;
}

string directory = options.Directory ?? Path.Combine(Path.GetTempPath(), $"ledgercore-load-{Guid.NewGuid():N}");
var report = new LoadReport { Options = options };
try
{
    AnsiConsole.MarkupLine($"[bold]LedgerCore load run[/] in {Markup.Escape(directory)}");
    AnsiConsole.MarkupLine("state machine alone (no journal) ...");
    (report.StateMachineTransfersPerSecond, report.StateMachineTransfersPerCpuSecond) = StateMachinePhase.Run(options);
    AnsiConsole.MarkupLine($"  {report.StateMachineTransfersPerSecond:N0} transfers/s ({report.StateMachineTransfersPerCpuSecond:N0} per CPU-second)");
    GC.Collect();

    await new DurablePhase(options, directory, report).RunAsync();
}
finally
{
    if (options.Directory is null && Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
}

report.PrintTable();
if (options.Json) Console.WriteLine(report.ToJson());
return report.DigestOk && report.FailedTransfers == 0 ? 0 : 1;
