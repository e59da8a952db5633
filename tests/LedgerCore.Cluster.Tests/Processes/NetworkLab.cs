using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;

namespace LedgerCore.Cluster.Tests.Processes;

/// <summary>
/// A private network for replica processes (needs root and iproute2's <c>ip</c>): a bridge in the root
/// namespace with no address, and per replica a network namespace joined to it by a veth pair, its end
/// in the namespace addressed 198.18.77.(10+i)/24 (the RFC 2544 benchmark range, used only inside these
/// namespaces). <see cref="Isolate"/> takes the replica's root-side veth down, which cuts it off from
/// every other replica at once; <see cref="Heal"/> brings it back. Names carry the test process id, so
/// runs side by side do not meet; <see cref="Dispose"/> deletes everything, also after a partial setup,
/// and the constructor first removes what a crashed run (a process id no longer alive) left behind.
/// </summary>
internal sealed partial class NetworkLab : IDisposable
{
    /// <summary>The port each replica listens on inside its own namespace (namespaces do not share ports).</summary>
    public const int Port = 5400;
    private static readonly TimeSpan CommandPatience = TimeSpan.FromSeconds(10);
    private readonly string _prefix = "lc" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
    private readonly int _count;

    /// <summary>Builds the network for <paramref name="count"/> replicas.</summary>
    /// <exception cref="InvalidOperationException">An <c>ip</c> command failed (not root, no iproute2): the message says which.</exception>
    public NetworkLab(int count)
    {
        _count = count;
        RemoveLeftovers();
        try
        {
            Ip("link", "add", Bridge, "type", "bridge");
            Ip("link", "set", Bridge, "up");
            for (int i = 0; i < count; i++)
            {
                Ip("netns", "add", Namespace(i));
                Ip("link", "add", RootEnd(i), "type", "veth", "peer", "name", InnerEnd(i));
                Ip("link", "set", InnerEnd(i), "netns", Namespace(i));
                Ip("link", "set", RootEnd(i), "master", Bridge);
                Ip("link", "set", RootEnd(i), "up");
                Ip("-n", Namespace(i), "link", "set", "lo", "up");
                Ip("-n", Namespace(i), "addr", "add", Address(i) + "/24", "dev", InnerEnd(i));
                Ip("-n", Namespace(i), "link", "set", InnerEnd(i), "up");
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>Replica <paramref name="i"/>'s Raft endpoint, inside its namespace.</summary>
    public static IPEndPoint EndPoint(int i) => new(IPAddress.Parse(Address(i)), Port);

    /// <summary>The command that runs a program inside replica <paramref name="i"/>'s namespace.</summary>
    public string[] Launcher(int i) => [IpPath(), "netns", "exec", Namespace(i)];

    /// <summary>Cuts replica <paramref name="i"/> off from the others (its link down; packets to and from it are dropped).</summary>
    public void Isolate(int i) => Ip("link", "set", RootEnd(i), "down");

    /// <summary>Joins replica <paramref name="i"/> to the others again.</summary>
    public void Heal(int i) => Ip("link", "set", RootEnd(i), "up");

    /// <summary>Deletes the namespaces, veth pairs and the bridge; each step is tried whatever the others did.</summary>
    public void Dispose() => Remove(_prefix, _count);

    private string Bridge => _prefix + "b";

    private static string Address(int i) => FormattableString.Invariant($"198.18.77.{10 + i}");

    private string Namespace(int i) => FormattableString.Invariant($"{_prefix}r{i}");

    private string RootEnd(int i) => FormattableString.Invariant($"{_prefix}h{i}");

    private string InnerEnd(int i) => FormattableString.Invariant($"{_prefix}n{i}");

    private static void Remove(string prefix, int count)
    {
        // Deleting a namespace destroys the veth end in it and so its peer; the explicit delete covers a pair never moved.
        for (int i = 0; i < count; i++)
        {
            TryIp("netns", "del", FormattableString.Invariant($"{prefix}r{i}"));
            TryIp("link", "del", FormattableString.Invariant($"{prefix}h{i}"));
        }

        TryIp("link", "del", prefix + "b");
    }

    /// <summary>Removes namespaces and bridges named by this class for a process that no longer runs.</summary>
    private static void RemoveLeftovers()
    {
        var prefixes = new HashSet<string>();
        foreach (Match m in LeftoverName().Matches(TryIp("netns", "list") + "\n" + TryIp("-o", "link", "show", "type", "bridge")))
        {
            int pid = int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
            if (pid != Environment.ProcessId && !Directory.Exists(FormattableString.Invariant($"/proc/{pid}"))) prefixes.Add("lc" + m.Groups[1].Value);
        }

        foreach (string prefix in prefixes) Remove(prefix, 9);
    }

    private static void Ip(params string[] arguments)
    {
        (int exit, string output) = Run(arguments);
        if (exit != 0) throw new InvalidOperationException($"`ip {string.Join(' ', arguments)}` failed ({exit}): {output.Trim()}. The partition test needs root and iproute2 (ip) with network namespace and veth support.");
    }

    private static string TryIp(params string[] arguments) => Run(arguments).Output;

    private static (int Exit, string Output) Run(string[] arguments)
    {
        var start = new ProcessStartInfo(IpPath()) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in arguments) start.ArgumentList.Add(argument);
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"cannot run {IpPath()} ({e.Message}): the partition test needs iproute2 (ip) and root.", e);
        }

        using (process)
        {
            Task<string> output = process.StandardOutput.ReadToEndAsync();
            Task<string> errors = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(CommandPatience))
            {
                process.Kill();
                throw new TimeoutException($"`ip {string.Join(' ', arguments)}` did not end within {CommandPatience}");
            }

            return (process.ExitCode, output.Result + errors.Result);
        }
    }

    private static string IpPath()
    {
        foreach (string candidate in (string[])["/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"])
        {
            if (File.Exists(candidate)) return candidate;
        }

        return "ip";
    }

    [GeneratedRegex(@"\blc(\d+)(?:r\d|b)\b")]
    private static partial Regex LeftoverName();
}
