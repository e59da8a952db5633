using LedgerCore.Load;
using Spectre.Console;

// The load run: the state machine alone, then the durable pipeline end to end, then a restart that
// must reproduce the digest; with --cluster N, then the same on N replica processes, failover and their
// digests. Exit codes: 0 ok, 1 digest differs or transfers failed, 2 bad options.
// The cluster run re-launches this executable as each replica (hidden mode, ReplicaHost).
if (args.Length > 0 && args[0] == ReplicaHost.Flag) return await ReplicaHost.RunAsync(args);

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
string clusterDirectory = directory.TrimEnd(Path.DirectorySeparatorChar) + "-cluster";
var report = new LoadReport { Options = options };
try
{
    AnsiConsole.MarkupLine($"[bold]LedgerCore load run[/] in {Markup.Escape(directory)}");
    AnsiConsole.MarkupLine("state machine alone (no journal) ...");
    (report.StateMachineTransfersPerSecond, report.StateMachineTransfersPerCpuSecond) = StateMachinePhase.Run(options);
    AnsiConsole.MarkupLine($"  {report.StateMachineTransfersPerSecond:N0} transfers/s ({report.StateMachineTransfersPerCpuSecond:N0} per CPU-second)");
    GC.Collect();

    await new DurablePhase(options, directory, report).RunAsync();
    if (options.Cluster > 0)
    {
        if (options.Directory is null && Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        GC.Collect();
        AnsiConsole.MarkupLine($"cluster run in {Markup.Escape(clusterDirectory)}");
        await new ClusterPhase(options, clusterDirectory, report).RunAsync();
    }
}
finally
{
    if (options.Directory is null && Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
    if (options.Directory is null && Directory.Exists(clusterDirectory)) Directory.Delete(clusterDirectory, recursive: true);
    if (options.Directory is null && Directory.Exists(DurablePhase.BackupDirectoryFor(directory))) Directory.Delete(DurablePhase.BackupDirectoryFor(directory), recursive: true);
}

report.PrintTable();
if (options.Json) Console.WriteLine(report.ToJson());
return report.AllDigestsOk && report.NoFailures ? 0 : 1;
