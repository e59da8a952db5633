namespace LedgerCore.Load;

/// <summary>One replica's answer to <c>status</c> (see <see cref="ReplicaHost"/>).</summary>
internal readonly record struct ReplicaStatus(bool IsLeader, long Term, long AppliedSequence, double CpuSeconds, double GcPauseSeconds, long DiskWriteBytes, int Gen2Collections);
