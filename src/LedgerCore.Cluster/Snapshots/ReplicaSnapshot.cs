using DotNext.IO;
using DotNext.Net.Cluster.Consensus.Raft.StateMachine;

namespace LedgerCore.Cluster.Snapshots;

/// <summary>A durable snapshot as DotNext sees it: sent to lagging followers, and the point the log is compacted to.</summary>
internal sealed class ReplicaSnapshot(ReplicaSnapshotInfo info, IReplicaSnapshots store) : ISnapshot
{
    public ReplicaSnapshotInfo Info => info;

    public long Index => info.Index;

    public long Term => info.Term;

    long? IDataTransferObject.Length => info.Length;

    bool IDataTransferObject.IsReusable => true;

    ValueTask IDataTransferObject.WriteToAsync<TWriter>(TWriter writer, CancellationToken token) => store.ExportAsync(info, writer, token);
}
