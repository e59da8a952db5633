using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text;

namespace LedgerCore.Cluster.Tests.Processes;

/// <summary>
/// One replica in its own process (tests/LedgerCore.ClusterNode), driven over its stdin/stdout: a
/// request is a line with a number, its answer a line with the same number. A killed process fails
/// every request in flight and every later one with <see cref="ReplicaUnavailableException"/>.
/// </summary>
internal sealed class ReplicaProcess : IDisposable
{
    private static readonly TimeSpan ExitPatience = TimeSpan.FromSeconds(10);
    private readonly Process _process;
    private readonly ConcurrentDictionary<long, TaskCompletionSource<string>> _pending = new();
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _stdinLock = new();
    private readonly StringBuilder _stderr = new();
    private readonly Task _reader;
    private long _next;
    private volatile bool _closed;

    private ReplicaProcess(Process process)
    {
        _process = process;
        _reader = Task.Run(ReadAnswersAsync);
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (_stderr) _stderr.Append(e.Data).Append('\n');
        };
        process.BeginErrorReadLine();
    }

    /// <summary>The built node (LedgerCore.ClusterNode.dll), beside the tests in the same configuration.</summary>
    public static string NodePath { get; } = typeof(ReplicaProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "ClusterNodePath").Value!;

    public int Id => _process.Id;

    public bool HasExited => _closed || _process.HasExited;

    /// <summary>What the node wrote on stderr (leadership changes, crashes).</summary>
    public string Errors
    {
        get
        {
            lock (_stderr) return _stderr.ToString();
        }
    }

    /// <summary>
    /// Starts the node and waits (bounded) until its replica has started. A <paramref name="launcher"/>
    /// (e.g. <c>ip netns exec ns</c>) runs the dotnet host; it must exec it, so the process is the node.
    /// </summary>
    public static async Task<ReplicaProcess> StartAsync(IEnumerable<string> arguments, TimeSpan patience, IReadOnlyList<string>? launcher = null)
    {
        var start = new ProcessStartInfo(launcher is { Count: > 0 } ? launcher[0] : DotnetHost())
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (launcher is { Count: > 0 })
        {
            for (int i = 1; i < launcher.Count; i++) start.ArgumentList.Add(launcher[i]);
            start.ArgumentList.Add(DotnetHost());
        }

        start.ArgumentList.Add(NodePath);
        foreach (string argument in arguments) start.ArgumentList.Add(argument);
        var replica = new ReplicaProcess(Process.Start(start)!);
        try
        {
            await replica._ready.Task.WaitAsync(patience);
            return replica;
        }
        catch
        {
            replica.Kill();
            replica.Dispose();
            throw;
        }
    }

    /// <summary>Sends one request; returns the answer after its number.</summary>
    /// <exception cref="ReplicaUnavailableException">The process is gone, or did not answer in time (the outcome is unknown).</exception>
    public async Task<string> RequestAsync(string request, TimeSpan timeout)
    {
        long n = Interlocked.Increment(ref _next);
        var answer = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[n] = answer;
        try
        {
            if (_closed) throw new ReplicaUnavailableException("the process has exited");
            try
            {
                lock (_stdinLock)
                {
                    _process.StandardInput.Write(n.ToString(CultureInfo.InvariantCulture) + " " + request + "\n");
                    _process.StandardInput.Flush();
                }
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException)
            {
                throw new ReplicaUnavailableException("the process has exited", e);
            }

            try
            {
                return await answer.Task.WaitAsync(timeout);
            }
            catch (TimeoutException e)
            {
                throw new ReplicaUnavailableException($"no answer within {timeout.TotalMilliseconds} ms", e);
            }
        }
        finally
        {
            _pending.TryRemove(n, out _);
        }
    }

    /// <summary>SIGKILL (Process.Kill on Linux), then waits (bounded) for the exit.</summary>
    public void Kill()
    {
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        if (!_process.WaitForExit(ExitPatience)) throw new TimeoutException($"process {_process.Id} did not exit within {ExitPatience}");
        _reader.Wait(ExitPatience);
    }

    /// <summary>Sends a signal by name (STOP pauses the process, CONT resumes it) through kill(1).</summary>
    public void Signal(string name)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-" + name, _process.Id.ToString(CultureInfo.InvariantCulture) }, UseShellExecute = false })!;
        if (!kill.WaitForExit(ExitPatience) || kill.ExitCode != 0) throw new InvalidOperationException($"kill -{name} {_process.Id} failed");
    }

    public void Dispose()
    {
        if (!_process.HasExited) Kill();
        _process.Dispose();
    }

    /// <summary>Reads answers to the end of stdout, only complete lines (a kill may cut the last one).</summary>
    private async Task ReadAnswersAsync()
    {
        var pending = new StringBuilder();
        char[] buffer = new char[64 * 1024];
        try
        {
            int read;
            while ((read = await _process.StandardOutput.ReadAsync(buffer)) > 0)
            {
                pending.Append(buffer, 0, read);
                int end;
                while ((end = IndexOf(pending, '\n')) >= 0)
                {
                    string line = pending.ToString(0, end);
                    pending.Remove(0, end + 1);
                    Dispatch(line);
                }
            }
        }
        catch (IOException)
        {
            // The pipe broke with the process.
        }
        finally
        {
            _closed = true;
            _ready.TrySetException(new ReplicaUnavailableException("the node exited before it was ready: " + Errors));
            foreach (TaskCompletionSource<string> answer in _pending.Values) answer.TrySetException(new ReplicaUnavailableException("the process has exited"));
        }
    }

    private void Dispatch(string line)
    {
        if (line == "ready")
        {
            _ready.TrySetResult();
            return;
        }

        int space = line.IndexOf(' ', StringComparison.Ordinal);
        if (space > 0 && long.TryParse(line.AsSpan(0, space), NumberStyles.None, CultureInfo.InvariantCulture, out long n) && _pending.TryGetValue(n, out TaskCompletionSource<string>? answer))
        {
            answer.TrySetResult(line[(space + 1)..]);
        }
    }

    private static int IndexOf(StringBuilder text, char c)
    {
        for (int i = 0; i < text.Length; i++)
        {
            if (text[i] == c) return i;
        }

        return -1;
    }

    private static string DotnetHost()
    {
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host)) return host;
        if (Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet") return self;
        return "dotnet";
    }
}
