using System.Diagnostics;
using NUnit.Framework;

namespace LedgerCore.Amqp.Tests;

/// <summary>
/// A RabbitMQ for the tests. <see cref="SharedAsync"/>: the one <c>.ci/run</c> started (its URI in
/// <see cref="EnvironmentVariable"/>; under CI=true a missing URI fails the test), or locally one started
/// with <c>.ci/rabbitmq</c>. <see cref="OwnAsync"/>: always a private one, which a test may kill (SIGKILL)
/// and restart on the same port with the same data. No broker means failure, never a skip.
/// </summary>
internal sealed class TestBroker : IAsyncDisposable
{
    public const string EnvironmentVariable = "LEDGERCORE_TEST_AMQP";

    private readonly string? _directory;

    private TestBroker(Uri uri, string? directory)
    {
        Uri = uri;
        _directory = directory;
    }

    public Uri Uri { get; }

    public int Port => Uri.Port;

    public static async Task<TestBroker> SharedAsync()
    {
        string? given = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(given)) return new TestBroker(new Uri(given), null);
        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Assert.Fail($"{EnvironmentVariable} is not set under CI=true: .ci/run starts a broker and sets it; these tests need a real RabbitMQ.");
        }

        return await OwnAsync();
    }

    public static async Task<TestBroker> OwnAsync()
    {
        string directory = Path.Combine(Path.GetTempPath(), $"ledgercore-rabbitmq-{Guid.NewGuid():N}");
        var broker = new TestBroker(new Uri(await StartAsync(directory)), directory);
        return broker;
    }

    /// <summary>SIGKILLs the broker: a crash, nothing flushed beyond what it had fsynced.</summary>
    public Task KillAsync() => RunOrFailAsync("kill", _directory ?? throw new InvalidOperationException("Only an own broker can be killed."));

    /// <summary>Starts the killed broker again: same port, same data.</summary>
    public async Task RestartAsync()
    {
        string uri = await StartAsync(_directory ?? throw new InvalidOperationException("Only an own broker can be restarted."));
        Assert.That(new Uri(uri).Port, Is.EqualTo(Port), "restarted on its port");
    }

    public async ValueTask DisposeAsync()
    {
        if (_directory is not null) await RunOrFailAsync("stop", _directory);
    }

    private static async Task<string> StartAsync(string directory)
    {
        (int exit, string stdout, string stderr) = await RunAsync("start", directory);
        if (exit != 0 || string.IsNullOrWhiteSpace(stdout))
        {
            Assert.Fail($"'.ci/rabbitmq start' failed (exit {exit}); these tests need a real RabbitMQ.\n{stderr}");
        }

        return stdout.Trim().Split('\n')[^1];
    }

    private static async Task RunOrFailAsync(string command, string directory)
    {
        (int exit, _, string stderr) = await RunAsync(command, directory);
        Assert.That(exit, Is.Zero, $"'.ci/rabbitmq {command}' failed: {stderr}");
    }

    private static async Task<(int Exit, string Stdout, string Stderr)> RunAsync(string command, string directory)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(RepositoryRoot(), ".ci", "rabbitmq"));
        start.ArgumentList.Add(command);
        start.ArgumentList.Add(directory);
        using Process process = Process.Start(start)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        // Installing the Debian package on a bare machine takes a while; starting the broker, seconds.
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }

    private static string RepositoryRoot()
    {
        for (DirectoryInfo? d = new(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            if (File.Exists(Path.Combine(d.FullName, ".ci", "rabbitmq"))) return d.FullName;
        }

        throw new InvalidOperationException($"No .ci/rabbitmq above {AppContext.BaseDirectory}: run the tests from the repository.");
    }
}
