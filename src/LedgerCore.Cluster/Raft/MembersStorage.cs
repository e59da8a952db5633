using System.Net;
using DotNext.Buffers;
using DotNext.IO;
using DotNext.Net;
using DotNext.Net.Cluster.Consensus.Raft.Membership;

namespace LedgerCore.Cluster.Raft;

/// <summary>The replica's membership, kept by DotNext in one file of the data directory (raft/members).</summary>
internal sealed class MembersStorage(string fileName) : PersistentClusterConfigurationStorage<EndPoint>(fileName)
{
    protected override void Encode(EndPoint address, ref BufferWriterSlim<byte> writer) => EndPointFormatter.WriteEndPoint(ref writer, address);

    protected override EndPoint Decode(ref SequenceReader reader) => EndPointFormatter.ReadEndPoint(ref reader);

    /// <summary>
    /// On first start only, stores the initial members in DotNext's own encoding (built through its
    /// in-memory storage, the only public way to serialize a configuration); later starts keep what Raft
    /// stored there.
    /// </summary>
    public static async Task SeedAsync(string fileName, IReadOnlyList<IPEndPoint> members, CancellationToken cancellationToken)
    {
        if (File.Exists(fileName) || members.Count == 0) return;
        using var seed = new Seed();
        InMemoryClusterConfigurationStorage<EndPoint>.Builder builder = seed.CreateInitialConfigurationBuilder();
        foreach (IPEndPoint member in members) builder.Add(member);
        builder.Build();
        (IDataTransferObject configuration, long version) = await ((IClusterConfigurationStorage)seed).LoadConfigurationAsync(cancellationToken).ConfigureAwait(false);
        using var storage = new MembersStorage(fileName);
        await ((IClusterConfigurationStorage)storage).SaveConfigurationAsync(configuration, version, cancellationToken).ConfigureAwait(false);
    }

    private sealed class Seed : InMemoryClusterConfigurationStorage<EndPoint>
    {
        protected override void Encode(EndPoint address, ref BufferWriterSlim<byte> writer) => EndPointFormatter.WriteEndPoint(ref writer, address);

        protected override EndPoint Decode(ref SequenceReader reader) => EndPointFormatter.ReadEndPoint(ref reader);
    }
}
