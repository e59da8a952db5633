using System.Diagnostics;
using System.Reflection;
using System.Security.Cryptography;
using NUnit.Framework;

namespace LedgerCore.Tool.Tests;

/// <summary>Runs the built <c>ledgercore</c> tool as a process, and hashes a data directory to show the tool changed nothing.</summary>
internal static class ToolProcess
{
    /// <summary>SHA-256 of every file but ledger.lock (a running engine holds it exclusively; it holds no data).</summary>
    public static Dictionary<string, string> Hashes(string directory)
    {
        var hashes = new Dictionary<string, string>();
        foreach (string path in Directory.GetFiles(directory))
        {
            if (Path.GetFileName(path) == "ledger.lock") continue;
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            hashes[Path.GetFileName(path)] = Convert.ToHexString(SHA256.HashData(file));
        }

        return hashes;
    }

    /// <summary>The built tool's assembly, to run with <c>dotnet</c>.</summary>
    public static string ToolPath => typeof(ToolProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "ToolPath").Value!;

    /// <summary>Runs the tool (at most 60 s) and returns its exit code and both streams.</summary>
    public static (int Code, string Output, string Error) Run(params string[] arguments) => RunWithInput(null, arguments);

    /// <summary>Runs the tool (at most 60 s) with <paramref name="input"/> piped to its standard input (then closed), or none when null.</summary>
    public static (int Code, string Output, string Error) RunWithInput(string? input, params string[] arguments)
    {
        string tool = ToolPath;
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = input is not null };
        start.ArgumentList.Add(tool);
        foreach (string argument in arguments) start.ArgumentList.Add(argument);
        using Process process = Process.Start(start)!;
        if (input is not null)
        {
            process.StandardInput.Write(input);
            process.StandardInput.Close();
        }

        Task<string> error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"ledgercore {string.Join(' ', arguments)} did not finish in 60 s");
        }

        return (process.ExitCode, output, error.GetAwaiter().GetResult());
    }
}
