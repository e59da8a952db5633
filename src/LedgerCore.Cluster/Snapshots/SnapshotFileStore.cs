using System.Buffers.Binary;
using System.IO.Hashing;
using DotNext.IO;
using DotNext.Net.Cluster.Consensus.Raft.StateMachine;
using LedgerCore.Journal;
using LedgerCore.StateMachine.Storage;
using LedgerCore.Storage;

namespace LedgerCore.Cluster.Snapshots;

/// <summary>
/// Replica snapshots as the single-node engine writes them (<see cref="SnapshotFile"/>, unchanged), each
/// with a 64-byte companion <c>snapshot-&lt;sequence&gt;.raft</c> naming the Raft entry it covers:
/// magic, index, term, sequence, zero, XxHash3-64 of bytes 0..55. The companion is written after the
/// snapshot is in place (temporary file, fsync, rename, directory fsync), so a snapshot without a valid
/// companion is incomplete and ignored. What travels to a follower is the snapshot file itself.
/// </summary>
internal sealed class SnapshotFileStore(string directory, UInt128 ledgerId, int accountCapacity, int transferCapacity) : IReplicaSnapshots
{
    private const string CompanionSuffix = ".raft";
    private const ulong Magic = 0x5446_4152_5043_4C; // "LCPRAFT"
    private const int CompanionSize = 64;
    private readonly FileStorage _storage = new(directory);

    public ReplicaSnapshotInfo? Newest()
    {
        ReplicaSnapshotInfo? newest = null;
        foreach (ReplicaSnapshotInfo snapshot in List())
        {
            if (newest is null || snapshot.Index > newest.Index) newest = snapshot;
        }

        return newest;
    }

    public (LedgerStateMachine Machine, ulong HighestFencingToken) Read(ReplicaSnapshotInfo snapshot)
    {
        (LedgerStateMachine machine, long sequence, ulong token) = SnapshotFile.Read(_storage, SnapshotFile.Name(snapshot.Sequence), ledgerId, accountCapacity, transferCapacity);
        if (sequence != snapshot.Sequence) throw new LedgerCorruptedException(SnapshotFile.Name(snapshot.Sequence), 32, "snapshot sequence does not match its name");
        return (machine, token);
    }

    public ReplicaSnapshotInfo Write(long index, long term, long sequence, ulong highestFencingToken, SnapshotImage image)
    {
        long length = SnapshotFile.Write(_storage, ledgerId, sequence, highestFencingToken, image);
        WriteCompanion(index, term, sequence);
        return new ReplicaSnapshotInfo(index, term, sequence, length);
    }

    public async ValueTask ExportAsync<TWriter>(ReplicaSnapshotInfo snapshot, TWriter writer, CancellationToken cancellationToken)
        where TWriter : IAsyncBinaryWriter
    {
        // Opened first: a snapshot deleted by compaction while it streams stays readable through the handle.
        FileStream stream = new(Path.Combine(directory, SnapshotFile.Name(snapshot.Sequence)), new FileStreamOptions
        {
            Mode = FileMode.Open,
            Access = FileAccess.Read,
            Share = FileShare.Read | FileShare.Delete,
            Options = FileOptions.Asynchronous | FileOptions.SequentialScan,
        });
        await using (stream.ConfigureAwait(false))
        {
            await writer.CopyFromAsync(stream, snapshot.Length, cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task<(ReplicaSnapshotInfo Snapshot, LedgerStateMachine Machine, ulong HighestFencingToken)> ImportAsync(LogEntry entry, CancellationToken cancellationToken)
    {
        const string temporary = "snapshot-received.snap.tmp";
        string path = Path.Combine(directory, temporary);
        long length;
        FileStream stream = new(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous);
        await using (stream.ConfigureAwait(false))
        {
            byte[] buffer = new byte[1 << 16];
            await entry.WriteToAsync(IAsyncBinaryWriter.Create(stream, buffer), cancellationToken).ConfigureAwait(false);
            await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
            stream.Flush(flushToDisk: true);
            length = stream.Length;
        }

        // Verified before it replaces anything: a damaged transfer is refused, and the leader sends it again.
        (LedgerStateMachine machine, long sequence, ulong token) = SnapshotFile.Read(_storage, temporary, ledgerId, accountCapacity, transferCapacity);
        _storage.Rename(temporary, SnapshotFile.Name(sequence));
        _storage.SyncDirectory();
        WriteCompanion(entry.Index, entry.Term, sequence);
        return (new ReplicaSnapshotInfo(entry.Index, entry.Term, sequence, length), machine, token);
    }

    public void DeleteBelow(long index)
    {
        bool deleted = false;
        foreach (ReplicaSnapshotInfo snapshot in List())
        {
            if (snapshot.Index >= index) continue;
            // Companion first: a crash in between leaves a snapshot file without one, which is ignored and deleted later.
            _storage.Delete(SnapshotFile.Name(snapshot.Sequence) + CompanionSuffix);
            if (_storage.Exists(SnapshotFile.Name(snapshot.Sequence))) _storage.Delete(SnapshotFile.Name(snapshot.Sequence));
            deleted = true;
        }

        foreach (string name in _storage.List())
        {
            // Snapshot files without a companion: interrupted writes or imports, and what the loop above half-deleted.
            bool orphan = name.StartsWith(SnapshotFile.Prefix, StringComparison.Ordinal) &&
                          (name.EndsWith(".tmp", StringComparison.Ordinal) ||
                           (name.EndsWith(SnapshotFile.Suffix, StringComparison.Ordinal) && !_storage.Exists(name + CompanionSuffix)));
            if (!orphan) continue;
            _storage.Delete(name);
            deleted = true;
        }

        if (deleted) _storage.SyncDirectory();
    }

    private List<ReplicaSnapshotInfo> List()
    {
        var snapshots = new List<ReplicaSnapshotInfo>();
        Span<byte> bytes = stackalloc byte[CompanionSize];
        foreach ((long sequence, string name) in SnapshotFile.List(_storage))
        {
            if (!_storage.Exists(name + CompanionSuffix)) continue;
            using (IStorageFile file = _storage.Open(name + CompanionSuffix, create: false))
            {
                if (file.Read(0, bytes) != CompanionSize) continue;
            }

            if (BinaryPrimitives.ReadUInt64LittleEndian(bytes) != Magic ||
                BinaryPrimitives.ReadUInt64LittleEndian(bytes[56..]) != XxHash3.HashToUInt64(bytes[..56]) ||
                BinaryPrimitives.ReadInt64LittleEndian(bytes[24..]) != sequence)
            {
                continue; // torn or foreign: as if the snapshot were never completed
            }

            long length;
            using (IStorageFile snap = _storage.OpenRead(name)) length = snap.Length;
            snapshots.Add(new ReplicaSnapshotInfo(BinaryPrimitives.ReadInt64LittleEndian(bytes[8..]), BinaryPrimitives.ReadInt64LittleEndian(bytes[16..]), sequence, length));
        }

        return snapshots;
    }

    private void WriteCompanion(long index, long term, long sequence)
    {
        string name = SnapshotFile.Name(sequence) + CompanionSuffix;
        Span<byte> bytes = stackalloc byte[CompanionSize];
        bytes.Clear();
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, Magic);
        BinaryPrimitives.WriteInt64LittleEndian(bytes[8..], index);
        BinaryPrimitives.WriteInt64LittleEndian(bytes[16..], term);
        BinaryPrimitives.WriteInt64LittleEndian(bytes[24..], sequence);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes[56..], XxHash3.HashToUInt64(bytes[..56]));
        using (IStorageFile file = _storage.Open(name + ".tmp", create: true))
        {
            file.Truncate(0);
            file.Write(0, bytes);
            file.Flush();
        }

        _storage.Rename(name + ".tmp", name);
        _storage.SyncDirectory();
    }
}
