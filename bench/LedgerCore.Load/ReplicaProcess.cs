using System.Diagnostics;
using System.Globalization;
using System.Net;

namespace LedgerCore.Load;

/// <summary>
/// The parent's handle on one replica: this executable re-launched in <see cref="ReplicaHost"/> mode, its
/// Raft and TCP ports on loopback, its stdin/stdout control lines (one request at a time), SIGKILL and restart.
/// </summary>
internal sealed class ReplicaProcess : IAsyncDisposable
{
    private static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(30);
    private readonly string[] _arguments;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Queue<string> _stderr = new();
    private Process _process;

    private ReplicaProcess(int index, IPEndPoint raft, int tcpPort, string[] arguments)
    {
        Index = index;
        Raft = raft;
        TcpPort = tcpPort;
        _arguments = arguments;
        _process = Launch();
    }

    public int Index { get; }

    public IPEndPoint Raft { get; }

    public int TcpPort { get; }

    public bool HasExited => _process.HasExited;

    public static ReplicaProcess Start(int index, IPEndPoint raft, IReadOnlyList<IPEndPoint> members, string directory, int tcpPort, long snapshotInterval) =>
        new(index, raft, tcpPort, ReplicaHost.Arguments(raft, members, directory, tcpPort, snapshotInterval));

    /// <summary>Waits for the replica's <c>ready</c> line (its ports are bound).</summary>
    /// <exception cref="InvalidOperationException">It exited or said something else; the message carries its stderr.</exception>
    public async Task WaitReadyAsync()
    {
        string? line = await ReadLineAsync();
        if (line != "ready") throw Failed($"replica {Index} did not start (said '{line}')");
    }

    public async Task<ReplicaStatus> StatusAsync()
    {
        string[] w = await AskAsync("status", "status", 8);
        return new ReplicaStatus(w[1] == "leader", Long(w[2]), Long(w[3]), Double(w[4]), Double(w[5]), Long(w[6]), (int)Long(w[7]));
    }

    public async Task<(UInt128 Digest, long AppliedSequence)> DigestAsync()
    {
        string[] w = await AskAsync("digest", "digest", 3);
        return (UInt128.Parse(w[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture), Long(w[2]));
    }

    /// <summary>SIGKILL: no shutdown, no flush; what the replica acknowledged must already be on disk.</summary>
    public void Kill()
    {
        _process.Kill();
        _process.WaitForExit(10_000);
    }

    /// <summary>Starts the replica again on the same directory and ports (after <see cref="Kill"/>).</summary>
    public Task RestartAsync()
    {
        _process.Dispose();
        _process = Launch();
        return WaitReadyAsync();
    }

    /// <summary>Closes stdin (the replica disposes itself and exits); kills it if it is still there after 10 s.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.StandardInput.Close();
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                try
                {
                    await _process.WaitForExitAsync(timeout.Token);
                }
                catch (OperationCanceledException)
                {
                    _process.Kill();
                    _process.WaitForExit(10_000);
                }
            }
        }
        catch (Exception e) when (e is InvalidOperationException or IOException)
        {
            // Already gone.
        }
        finally
        {
            _process.Dispose();
            _gate.Dispose();
        }
    }

    private Process Launch()
    {
        string self = Environment.ProcessPath ?? throw new InvalidOperationException("the process path is unknown: cannot start replicas");
        var start = new ProcessStartInfo(self)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };

        // Under `dotnet LedgerCore.Load.dll` the process is the host: pass the assembly first.
        if (Path.GetFileNameWithoutExtension(self) == "dotnet") start.ArgumentList.Add(typeof(ReplicaHost).Assembly.Location);
        foreach (string argument in _arguments) start.ArgumentList.Add(argument);
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start a replica process");
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (_stderr)
            {
                _stderr.Enqueue(e.Data);
                if (_stderr.Count > 20) _stderr.Dequeue();
            }
        };
        process.BeginErrorReadLine();
        return process;
    }

    private async Task<string[]> AskAsync(string request, string answer, int words)
    {
        await _gate.WaitAsync();
        try
        {
            if (_process.HasExited) throw Failed($"replica {Index} has exited");
            await _process.StandardInput.WriteLineAsync(request);
            await _process.StandardInput.FlushAsync();
            string? line = await ReadLineAsync();
            string[] w = line?.Split(' ') ?? [];
            if (w.Length != words || w[0] != answer) throw Failed($"replica {Index} answered '{line}' to {request}");
            return w;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<string?> ReadLineAsync()
    {
        using var timeout = new CancellationTokenSource(AnswerTimeout);
        try
        {
            return await _process.StandardOutput.ReadLineAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            throw Failed($"replica {Index} did not answer within {AnswerTimeout.TotalSeconds} s");
        }
    }

    private InvalidOperationException Failed(string message)
    {
        lock (_stderr) return new InvalidOperationException($"{message}; its stderr ends with:\n{string.Join('\n', _stderr)}");
    }

    private static long Long(string text) => long.Parse(text, CultureInfo.InvariantCulture);

    private static double Double(string text) => double.Parse(text, CultureInfo.InvariantCulture);
}
