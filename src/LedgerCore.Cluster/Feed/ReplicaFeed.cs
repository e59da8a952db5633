using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using DotNext.Net.Cluster.Consensus.Raft.StateMachine;
using LedgerCore.Cluster.Replication;
using LedgerCore.Journal;

namespace LedgerCore.Cluster.Feed;

/// <summary>
/// The change feed on a replica: the batches it applied, read back from its own Raft log (no second
/// copy on disk), found through <see cref="AppliedBatchIndex"/>. Leader and followers serve it alike;
/// it follows the replica's applied position, so a follower's feed is as stale as its apply lag.
/// </summary>
internal sealed class ReplicaFeed(WriteAheadLog log, AppliedBatchIndex index)
{
    // Batches read per log read: the log's read lock is held only while they are copied out.
    private const int ReadChunk = 16;

    public async IAsyncEnumerable<CommittedBatch> ReadAsync(long fromSequence, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(fromSequence);
        long next = Math.Max(1, fromSequence);
        var wanted = new (long Sequence, long Index)[ReadChunk];
        var batches = new List<CommittedBatch>(ReadChunk);
        byte[] record = new byte[JournalFormat.RecordHeaderSize + JournalFormat.PayloadBytesMax];
        while (true)
        {
            int count = index.Read(next, wanted, out Task? added);
            if (count == 0)
            {
                if (added is null) yield break;
                await added.WaitAsync(cancellationToken).ConfigureAwait(false);
                continue;
            }

            batches.Clear();
            if (!await ReadLogAsync(wanted.AsMemory(0, count), batches, record, cancellationToken).ConfigureAwait(false)) yield break;
            foreach (CommittedBatch batch in batches)
            {
                yield return batch;
            }

            next = wanted[count - 1].Sequence + 1;
        }
    }

    /// <summary>Reads the wanted batches' entries; false when the replica closed meanwhile.</summary>
    private async Task<bool> ReadLogAsync(ReadOnlyMemory<(long Sequence, long Index)> wanted, List<CommittedBatch> output, byte[] record, CancellationToken cancellationToken)
    {
        WriteAheadLog.LogEntryReader entries;
        try
        {
            entries = await log.ReadAsync(wanted.Span[0].Index, wanted.Span[^1].Index, cancellationToken).ConfigureAwait(false);
        }
        catch (ObjectDisposedException)
        {
            return false;
        }

        using (entries)
        {
            ReadOnlySpan<(long Sequence, long Index)> batches = wanted.Span;
            int found = 0;
            for (int i = 0; i < entries.Count && found < batches.Length; i++)
            {
                LogEntry entry = entries[i];
                // The log hands out its snapshot instead of entries it covers: a snapshot was taken meanwhile.
                if (entry.IsSnapshot) throw AppliedBatchIndex.Compacted(batches[found].Sequence, index.Floor);
                if (entry.Index != batches[found].Index) continue;
                if (!entry.TryGetPayload(out ReadOnlySequence<byte> payload)) throw new LedgerCorruptedException($"Raft entry {entry.Index} of batch {batches[found].Sequence} has no payload.");
                JournalRecordInfo info = RecordCodec.Read(entry.Index, payload, record);
                if (info.Sequence != batches[found].Sequence) throw new LedgerCorruptedException($"Raft entry {entry.Index} holds batch {info.Sequence}, not the applied batch {batches[found].Sequence}.");
                ReadOnlySpan<byte> events = record.AsSpan(JournalFormat.RecordHeaderSize, info.EventCount * JournalFormat.EventSize);
                output.Add(info.Operation == LedgerOperation.CreateAccounts
                    ? new CommittedBatch(info.Sequence, info.Timestamp, info.FencingToken, info.Operation, MemoryMarshal.Cast<byte, Account>(events).ToArray(), ReadOnlyMemory<Transfer>.Empty)
                    : new CommittedBatch(info.Sequence, info.Timestamp, info.FencingToken, info.Operation, ReadOnlyMemory<Account>.Empty, MemoryMarshal.Cast<byte, Transfer>(events).ToArray()));
                found++;
            }

            if (found != batches.Length) throw new LedgerCorruptedException($"The Raft log lacks applied batch {batches[found].Sequence} at entry {batches[found].Index}.");
        }

        return true;
    }
}
