using System.Buffers.Binary;
using System.Runtime.InteropServices;
using LedgerCore.StateMachine.Storage;
using LedgerCore.Storage;

namespace LedgerCore.Journal;

/// <summary>
/// Format 5 (docs/storage.md, "Checkpoints"): the snapshot of a ledger whose history lives in the store's
/// files. The files are flushed first (<see cref="StorePages.Flush"/>); the snapshot then names how far
/// each store reaches and writes only what changes in place: accounts, the logs' lists (chunks by
/// number, expiries and balance checkpoints by position), the open pending transfers, the id index's
/// runs by range, reserved ids, history balances and expiries. No transfer, state, log entry or
/// balance checkpoint is written again, so its size follows the accounts and the logs' lists, not the
/// transfers' bytes.
/// </summary>
internal static partial class SnapshotFile
{
    /// <summary>The format of a checkpoint that leaves the history in the store's files.</summary>
    public const int CheckpointFormatVersion = 6;

    /// <summary>The checkpoint format of development builds before id runs (the id index's tables copied whole): no longer read.</summary>
    private const int TableCheckpointFormatVersion = 5;

    /// <summary>Whether <paramref name="name"/> is a checkpoint naming store files (false when it cannot be read).</summary>
    public static bool IsCheckpoint(IStorage storage, string name)
    {
        try
        {
            using IStorageFile file = storage.OpenRead(name);
            Span<byte> header = stackalloc byte[HeaderSize];
            return file.Read(0, header) == header.Length && BinaryPrimitives.ReadInt32LittleEndian(header[8..]) is CheckpointFormatVersion or TableCheckpointFormatVersion;
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static void WriteCheckpoint(Output output, long sequence, SnapshotImage image, StoreImage store)
    {
        // Everything the checkpoint names must be durable before the checkpoint is: the id runs (each
        // synced when written; the newest are being written from the tables frozen at the capture), the
        // stores' files synced.
        var runs = new IdRun[store.TransferRuns.Length];
        for (int i = 0; i < runs.Length; i++) runs[i] = store.TransferRuns[i].GetAwaiter().GetResult();
        image.Pages.Runs!.Named(sequence, Array.ConvertAll(runs, run => run.Name));
        image.Pages.Flush();

        output.WriteInt64(image.Accounts.Length);
        output.Write(MemoryMarshal.AsBytes(image.Accounts.AsSpan()));
        output.WriteInt64(image.TransferCount);
        output.WriteInt64(store.ChunkCount);
        output.WriteInt64(store.CheckpointCount);
        output.WriteInt64(runs.Length);
        foreach (IdRun run in runs)
        {
            output.WriteInt64(run.First);
            output.WriteInt64(run.End);
        }

        output.WriteInt64(store.OpenPendings.Length);
        output.Write(MemoryMarshal.AsBytes(store.OpenPendings.AsSpan()));
        output.WriteInt64(image.OrphanedIds.Length);
        foreach (UInt128 id in image.OrphanedIds) output.WriteUInt128(id);
        WriteHistory(output, image);
        WriteExpiries(output, image);

        output.WriteInt64(image.Logs.Length);
        long[] numbers = [];
        foreach (FrozenLog log in image.Logs)
        {
            output.WriteInt64(log.Count);
            int chunks = (log.Count + LogChunks.Entries - 1) >> LogChunks.Shift;
            if (numbers.Length < chunks) numbers = new long[Math.Max(chunks, numbers.Length * 2)];
            for (int k = 0; k < chunks; k++) numbers[k] = store.Chunks.NumberOf(log.Chunks![k]);
            output.WriteInt64(chunks);
            output.Write(MemoryMarshal.AsBytes(numbers.AsSpan(0, chunks)));
            output.WriteInt64(log.HighStartCount);
            if (log.HighStartCount > 0) output.Write(MemoryMarshal.AsBytes(log.HighStarts.AsSpan(0, log.HighStartCount)));
            output.WriteInt64(log.ExpiryCount);
            if (log.ExpiryCount > 0) output.Write(MemoryMarshal.AsBytes(log.Expiries.AsSpan(0, log.ExpiryCount)));
            output.WriteInt64(log.CheckpointCount);
            if (log.CheckpointCount > 0) output.Write(MemoryMarshal.AsBytes(log.Checkpoints.AsSpan(0, log.CheckpointCount)));
        }
    }

    private static LedgerStateMachine ReadCheckpoint(IStorageFile file, Input input, string name, ReadOnlySpan<byte> header, Func<bool, StorePages> store)
    {
        ulong commitTimestamp = BinaryPrimitives.ReadUInt64LittleEndian(header[40..]);
        ulong changeEventsFrom = BinaryPrimitives.ReadUInt64LittleEndian(header[56..]);
        StorePages? pages = null;
        var runs = new List<IdRun>();
        LedgerStateMachine machine;
        try
        {
            var accounts = new Account[input.ReadCount(JournalFormat.EventSize)];
            input.Read(MemoryMarshal.AsBytes(accounts.AsSpan()));
            long transferCount = NonNegative(input, name);
            long chunkCount = NonNegative(input, name);
            long checkpointCount = NonNegative(input, name);
            long stateOffset = input.Position;
            var ranges = new (long First, long End)[input.ReadCount(16)];
            for (int i = 0; i < ranges.Length; i++)
            {
                ranges[i] = (input.ReadInt64(), input.ReadInt64());
                if (ranges[i].First != (i == 0 ? 0 : ranges[i - 1].End) || ranges[i].End <= ranges[i].First)
                {
                    throw new LedgerCorruptedException(name, stateOffset, "the id runs do not follow one another");
                }
            }

            if ((ranges.Length == 0 ? 0 : ranges[^1].End) != transferCount) throw new LedgerCorruptedException(name, stateOffset, "the id runs do not cover the transfers");
            pages = store(true);
            if (!pages.InFilesMode) throw new LedgerCorruptedException(name, stateOffset, "a checkpoint names store files, and the store is not in files");
            foreach ((long first, long end) in ranges) runs.Add(IdRun.Open(pages.Runs!.Directory, first, end));
            pages.Runs!.Named(BinaryPrimitives.ReadInt64LittleEndian(header[32..]), [.. runs.ConvertAll(run => run.Name)]);
            machine = LedgerStateMachine.Reopen(commitTimestamp, accounts, pages, [.. runs], transferCount, chunkCount, checkpointCount);

            long openOffset = input.Position;
            int open = input.ReadCount(sizeof(long));
            for (int i = 0; i < open; i++)
            {
                if (!machine.TryReopenPending(input.ReadInt64())) throw new LedgerCorruptedException(name, openOffset, "an open pending transfer is not a stored pending transfer");
            }

            int orphans = input.ReadCount(16);
            for (int i = 0; i < orphans; i++) machine.RestoreOrphan(input.ReadUInt128());
            ReadHistory(input, name, machine, accounts.Length);
            ReadExpiries(input, machine);

            if (input.ReadCount(8) != accounts.Length) throw new LedgerCorruptedException(name, input.Position - 8, "account logs do not match the accounts");
            for (int i = 0; i < accounts.Length; i++)
            {
                long offset = input.Position;
                long count = NonNegative(input, name);
                var chunks = new long[input.ReadCount(sizeof(long))];
                if (count > int.MaxValue || chunks.Length != (count + LogChunks.Entries - 1) >> LogChunks.Shift)
                {
                    throw new LedgerCorruptedException(name, offset, "an account's log count does not match its chunks");
                }

                input.Read(MemoryMarshal.AsBytes(chunks.AsSpan()));
                int highStartCount = input.ReadCount(sizeof(ulong));
                ulong[]? highStarts = highStartCount == 0 ? null : new ulong[highStartCount + 2];
                if (highStarts is not null) input.Read(MemoryMarshal.AsBytes(highStarts.AsSpan(0, highStartCount)));
                int expiryCount = input.ReadCount(sizeof(int));
                // Headroom, as grown arrays would have: replay appends right after restore.
                int[]? expiries = expiryCount == 0 ? null : new int[expiryCount + (expiryCount / 2) + 4];
                if (expiries is not null) input.Read(MemoryMarshal.AsBytes(expiries.AsSpan(0, expiryCount)));
                int checkpoints = input.ReadCount(sizeof(long));
                long[]? positions = checkpoints == 0 ? null : new long[checkpoints + (checkpoints >> 2) + 2];
                if (positions is not null) input.Read(MemoryMarshal.AsBytes(positions.AsSpan(0, checkpoints)));
                if (!machine.TryReopenAccountLog(i, chunks, (int)count, highStarts, highStartCount, expiries, expiryCount, positions, checkpoints))
                {
                    throw new LedgerCorruptedException(name, offset, "an account's log names chunks, expiries or checkpoints beyond the stores");
                }
            }

            if (changeEventsFrom > (ulong)transferCount) throw new LedgerCorruptedException(name, 56, "change events start beyond the transfers");
            machine.RestoreChangeEventsFrom((long)changeEventsFrom);
            if (!machine.StoreMatches()) throw new LedgerCorruptedException(name, stateOffset, "the store files do not hold what the checkpoint names (its newest transfer is not found at its index)");
            input.VerifyChecksum();
            return machine;
        }
        catch (Exception e)
        {
            foreach (IdRun run in runs) run.Dispose();
            pages?.Dispose();
            if (e is LedgerCorruptedException || ChecksumMatches(file)) throw;
            throw new LedgerCorruptedException($"Ledger data is corrupted in '{name}': snapshot checksum mismatch (decoding failed with {e.GetType().Name}).", e);
        }
    }

    private static long NonNegative(Input input, string name)
    {
        long value = input.ReadInt64();
        return value >= 0 ? value : throw new LedgerCorruptedException(name, input.Position - 8, "a negative count");
    }
}
