using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text;

namespace LedgerCore.Cluster.Tests.Processes;

/// <summary>
/// A directory on tests/lazyfs (a FUSE file system that keeps every unsynced write in its daemon's
/// memory): <see cref="PowerLoss"/> unmounts it, which discards every byte not fsynced, and mounts it
/// again over the same backing directory. Disposing unmounts and deletes everything, whatever happened.
/// Needs root, /dev/fuse, fusermount3, gcc and libfuse3's headers (.ci/run installs them); without them
/// the constructor throws and says which step failed: the tests that use it fail, they do not skip.
/// </summary>
internal sealed class LazyMount : IDisposable
{
    private const string Prefix = "ledgercore-lazyfs-";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private static readonly Lazy<string> Binary = new(Build);
    private readonly string _root;
    private readonly StringBuilder _log = new();
    private Process? _daemon;

    public LazyMount()
    {
        RemoveLeftovers();
        _root = System.IO.Path.Combine(System.IO.Path.GetTempPath(), Prefix + Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "-" + Guid.NewGuid().ToString("N"));
        Backing = System.IO.Path.Combine(_root, "backing");
        Path = System.IO.Path.Combine(_root, "mnt");
        Directory.CreateDirectory(Backing);
        Directory.CreateDirectory(Path);
        try
        {
            Mount();
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>The mount point: what a replica uses as its data directory.</summary>
    public string Path { get; }

    /// <summary>Where the fsynced bytes live.</summary>
    public string Backing { get; }

    /// <summary>What the daemons of this mount wrote on stderr (each unmount reports what it discarded).</summary>
    public string Log
    {
        get
        {
            lock (_log) return _log.ToString();
        }
    }

    /// <summary>
    /// The power goes out and comes back: unmount (the kernel hands the daemon what it still holds, the
    /// daemon exits discarding everything not fsynced), then mount again. Every process using the mount
    /// must be gone first (killed), as after a real power cut.
    /// </summary>
    public void PowerLoss()
    {
        Unmount();
        Mount();
    }

    public void Dispose()
    {
        Unmount();
        for (int attempt = 0; attempt < 5 && Directory.Exists(_root); attempt++)
        {
            try
            {
                Directory.Delete(_root, recursive: true);
            }
            catch (IOException)
            {
                Thread.Sleep(200);
            }
        }
    }

    private void Mount()
    {
        var start = new ProcessStartInfo(Binary.Value) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (string argument in (string[])[Backing, Path, "-f"]) start.ArgumentList.Add(argument);
        var daemon = Process.Start(start)!;
        daemon.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (_log) _log.Append(e.Data).Append('\n');
        };
        daemon.BeginErrorReadLine();
        daemon.BeginOutputReadLine();
        _daemon = daemon;
        var clock = Stopwatch.StartNew();
        while (!IsMounted(Path))
        {
            if (daemon.HasExited) throw new InvalidOperationException($"lazyfs exited ({daemon.ExitCode}) without mounting {Path}: {Log} (needs root, /dev/fuse and fusermount3).");
            if (clock.Elapsed > Patience) throw new TimeoutException($"lazyfs did not mount {Path} within {Patience}: {Log}");
            Thread.Sleep(10);
        }
    }

    private void Unmount()
    {
        if (_daemon is not { } daemon) return;
        _daemon = null;
        // fusermount3 -u fails while something still uses the mount; the lazy unmount detaches it anyway.
        if (IsMounted(Path) && Run("fusermount3", "-u", Path) != 0) Run("umount", "-l", Path);
        if (!daemon.WaitForExit(Patience))
        {
            // SIGKILL drops the pending writes all the same; the kernel then has a dead connection to detach.
            daemon.Kill();
            daemon.WaitForExit(Patience);
            if (IsMounted(Path)) Run("umount", "-l", Path);
        }

        daemon.WaitForExit(); // the stderr reader drained
        daemon.Dispose();
    }

    private static bool IsMounted(string path)
    {
        // Field 5 of /proc/self/mountinfo is the mount point, field 9 (after "-") the type; our paths have no spaces to escape.
        foreach (string line in File.ReadLines("/proc/self/mountinfo"))
        {
            string[] f = line.Split(' ');
            if (f.Length > 4 && f[4] == path && line.Contains(" - fuse.lazyfs ", StringComparison.Ordinal)) return true;
        }

        return false;
    }

    /// <summary>Unmounts what a test process that no longer runs left behind (its daemons died with it or linger).</summary>
    private static void RemoveLeftovers()
    {
        string tmp = System.IO.Path.GetTempPath();
        foreach (string line in File.ReadLines("/proc/self/mountinfo"))
        {
            string[] f = line.Split(' ');
            if (f.Length < 5 || !f[4].StartsWith(tmp + Prefix, StringComparison.Ordinal)) continue;
            string pid = f[4][(tmp.Length + Prefix.Length)..].Split('-')[0];
            if (pid != Environment.ProcessId.ToString(CultureInfo.InvariantCulture) && !Directory.Exists("/proc/" + pid))
            {
                Run("umount", "-l", f[4]);
                try
                {
                    Directory.Delete(System.IO.Path.GetDirectoryName(f[4])!, recursive: true);
                }
                catch (IOException)
                {
                    // Best effort: a later run tries again.
                }
            }
        }
    }

    /// <summary>Compiles tests/lazyfs/lazyfs.c beside the test assembly, once per test run.</summary>
    private static string Build()
    {
        string source = typeof(LazyMount).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "LazyFsSource").Value!;
        string output = System.IO.Path.Combine(AppContext.BaseDirectory, "lazyfs", "lazyfs");
        var start = new ProcessStartInfo("bash") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (string argument in (string[])[System.IO.Path.Combine(source, "build"), output]) start.ArgumentList.Add(argument);
        using var build = Process.Start(start)!;
        Task<string> errors = build.StandardError.ReadToEndAsync();
        Task<string> text = build.StandardOutput.ReadToEndAsync();
        if (!build.WaitForExit(TimeSpan.FromMinutes(1)))
        {
            build.Kill();
            throw new TimeoutException("tests/lazyfs/build did not finish within a minute");
        }

        if (build.ExitCode != 0) throw new InvalidOperationException($"tests/lazyfs/build failed ({build.ExitCode}): {text.Result}{errors.Result} (needs gcc, pkg-config and libfuse3-dev).");
        return output;
    }

    private static int Run(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (string argument in arguments) start.ArgumentList.Add(argument);
        try
        {
            using var process = Process.Start(start)!;
            Task<string> errors = process.StandardError.ReadToEndAsync();
            Task<string> output = process.StandardOutput.ReadToEndAsync();
            if (!process.WaitForExit(Patience))
            {
                process.Kill();
                return -1;
            }

            _ = errors.Result + output.Result;
            return process.ExitCode;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return -1;
        }
    }
}
