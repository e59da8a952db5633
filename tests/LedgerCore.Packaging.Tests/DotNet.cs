using System.Diagnostics;
using System.Text;

namespace LedgerCore.Packaging.Tests;

/// <summary>Runs the dotnet CLI as a child process and collects what it printed.</summary>
internal static class DotNet
{
    public static async Task<(int Exit, string Output)> RunAsync(string workingDirectory, TimeSpan timeout, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string argument in arguments) start.ArgumentList.Add(argument);

        // Under `dotnet test` the parent CLI leaves MSBuild variables pointing at its own build; a child
        // build must find its SDK afresh, as a user's shell would.
        foreach (string name in start.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(name);
        }
        // No reusable MSBuild nodes or MSBuild server: they would outlive the command while holding its
        // output pipes, and reading to the end would wait for them. (The compiler server is kept: it is fast.)
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        start.Environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";

        var output = new StringBuilder();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"dotnet {string.Join(' ', arguments)} took over {timeout}:\n{output}");
        }
        process.WaitForExit(); // flushes the redirected streams
        lock (output) return (process.ExitCode, output.ToString());
    }
}
