using System.Globalization;

namespace LedgerCore.Cluster.Tests.Processes;

/// <summary>A replica's answer to <c>status</c>.</summary>
internal sealed record ReplicaStatus(bool IsLeader, long Term, string Leader, long AppliedSequence, string Fault)
{
    public static ReplicaStatus Parse(string answer)
    {
        string[] f = answer.Split(' ');
        if (f.Length != 6 || f[0] != "status") throw new FormatException($"not a status answer: {answer}");
        return new ReplicaStatus(f[1] == "leader", long.Parse(f[2], CultureInfo.InvariantCulture), f[3], long.Parse(f[4], CultureInfo.InvariantCulture), f[5]);
    }
}
