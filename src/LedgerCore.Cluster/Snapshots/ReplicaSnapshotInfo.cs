namespace LedgerCore.Cluster.Snapshots;

/// <summary>
/// What a replica's snapshot covers: the ledger after batch <paramref name="Sequence"/>, which is the
/// state after Raft entry <paramref name="Index"/> (of term <paramref name="Term"/>). The two positions
/// differ because the Raft log also holds no-ops and configuration entries.
/// </summary>
internal sealed record ReplicaSnapshotInfo(long Index, long Term, long Sequence, long Length);
