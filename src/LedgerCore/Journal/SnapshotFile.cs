using System.Buffers.Binary;
using System.IO.Hashing;
using System.Runtime.InteropServices;
using LedgerCore.StateMachine.Storage;
using LedgerCore.Storage;

namespace LedgerCore.Journal;

/// <summary>
/// Snapshot files (docs/journal-format.md): the whole ledger at one sequence, written to a temporary
/// file, fsynced and renamed into place, so a snapshot is either whole or absent. A trailing XxHash3
/// over every byte before it is verified before a restored machine is used.
/// </summary>
internal static partial class SnapshotFile
{
    /// <summary>
    /// 4: transfer indexes are 64-bit: each account's log keeps its entries' low halves as before and
    /// adds where the high half changes (none below 2^32 transfers). 3: adds what change events are computed from: the expiries (their stamps are state), each
    /// account's expiries and balance checkpoints, and the first transfer that is an event. 2 added each
    /// account's transfer log (restart reads it instead of rebuilding it). 1 and 2 are still read; a
    /// ledger restored from them has change events from then on only.
    /// </summary>
    public const int FormatVersion = 4;
    public const string Prefix = "snapshot-";
    public const string Suffix = ".snap";
    private const ulong Magic = 0x4853_5041_4E53_434C; // "LCSNAPSH"
    private const int HeaderSize = 64;
    private const int BufferSize = 1 << 20;

    private const int BalanceSize = 72;
    private static readonly int ExpirySize = System.Runtime.CompilerServices.Unsafe.SizeOf<ExpiryRecord>();
    private static readonly int CheckpointSize = System.Runtime.CompilerServices.Unsafe.SizeOf<BalanceCheckpoint>();

    public static string Name(long sequence) => $"{Prefix}{sequence:D20}{Suffix}";

    /// <summary>Snapshot files by sequence, newest first.</summary>
    public static List<(long Sequence, string Name)> List(IStorage storage)
    {
        var snapshots = new List<(long, string)>();
        foreach (string name in storage.List())
        {
            if (name.StartsWith(Prefix, StringComparison.Ordinal) && name.EndsWith(Suffix, StringComparison.Ordinal) &&
                name.Length == Prefix.Length + 20 + Suffix.Length &&
                long.TryParse(name.AsSpan(Prefix.Length, 20), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long sequence))
            {
                snapshots.Add((sequence, name));
            }
        }

        snapshots.Sort((a, b) => b.Item1.CompareTo(a.Item1));
        return snapshots;
    }

    /// <summary>Writes the image durably as the snapshot of <paramref name="sequence"/>; returns the bytes written.</summary>
    /// <exception cref="OperationCanceledException">Cancelled (checked every buffer): the temporary file is left for the caller to remove.</exception>
    public static long Write(IStorage storage, UInt128 ledgerId, long sequence, ulong highestFencingToken, SnapshotImage image, CancellationToken cancellationToken = default)
    {
        string name = Name(sequence);
        string temporary = name + ".tmp";
        long length;
        using (IStorageFile file = storage.Open(temporary, create: true))
        {
            file.Truncate(0);
            using var output = new Output(file, cancellationToken);
            Span<byte> header = stackalloc byte[HeaderSize];
            header.Clear();
            BinaryPrimitives.WriteUInt64LittleEndian(header, Magic);
            BinaryPrimitives.WriteInt32LittleEndian(header[8..], image.Store is null ? FormatVersion : CheckpointFormatVersion);
            BinaryPrimitives.WriteInt32LittleEndian(header[12..], HeaderSize);
            BinaryPrimitives.WriteUInt128LittleEndian(header[16..], ledgerId);
            BinaryPrimitives.WriteInt64LittleEndian(header[32..], sequence);
            BinaryPrimitives.WriteUInt64LittleEndian(header[40..], image.CommitTimestamp);
            BinaryPrimitives.WriteUInt64LittleEndian(header[48..], highestFencingToken);
            BinaryPrimitives.WriteUInt64LittleEndian(header[56..], (ulong)image.ChangeEventsFrom);
            output.Write(header);

            if (image.Store is null) WriteImage(output, image);
            else WriteCheckpoint(output, sequence, image, image.Store);

            output.WriteChecksum();
            output.Flush();
            file.Flush();
            length = output.Position;
        }

        storage.Rename(temporary, name);
        storage.SyncDirectory();
        return length;
    }

    // Format 4: the whole ledger, history included.
    private static void WriteImage(Output output, SnapshotImage image)
    {
        output.WriteInt64(image.Accounts.Length);
        output.Write(MemoryMarshal.AsBytes(image.Accounts.AsSpan()));

        output.WriteInt64(image.TransferCount);
        int pageSize = image.TransferPages.PageSize;
        for (long start = 0; start < image.TransferCount; start += pageSize)
        {
            int page = (int)(start / pageSize);
            output.Write(MemoryMarshal.AsBytes(image.TransferPages.Page(page, (int)Math.Min(pageSize, image.TransferCount - start))));
            image.TransferPages.Source.Done(page);
        }

        foreach (TransferState[] states in image.TransferStates!) output.Write(MemoryMarshal.AsBytes(states.AsSpan()));

        output.WriteInt64(image.OrphanedIds.Length);
        foreach (UInt128 id in image.OrphanedIds) output.WriteUInt128(id);

        WriteHistory(output, image);

        output.WriteInt64(image.Logs.Length);
        foreach (FrozenLog log in image.Logs)
        {
            output.WriteInt64(log.Count);
            for (int chunk = 0; chunk << LogChunks.Shift < log.Count; chunk++) output.Write(MemoryMarshal.AsBytes(log.Chunk(chunk)));
            output.WriteInt64(log.HighStartCount);
            if (log.HighStartCount > 0) output.Write(MemoryMarshal.AsBytes(log.HighStarts.AsSpan(0, log.HighStartCount)));
        }

        WriteExpiries(output, image);

        output.WriteInt64(image.Logs.Length);
        foreach (FrozenLog log in image.Logs)
        {
            output.WriteInt64(log.ExpiryCount);
            if (log.ExpiryCount > 0) output.Write(MemoryMarshal.AsBytes(log.Expiries.AsSpan(0, log.ExpiryCount)));
            output.WriteInt64(log.CheckpointCount);
            for (int k = 0; k < log.CheckpointCount; k++) output.Write(MemoryMarshal.AsBytes(new ReadOnlySpan<BalanceCheckpoint>(in image.Checkpoints[log.Checkpoints![k]])));
        }
    }

    private static void WriteHistory(Output output, SnapshotImage image)
    {
        output.WriteInt64(image.History.Length);
        foreach ((long accountIndex, AccountBalance[] balances) in image.History)
        {
            output.WriteInt64(accountIndex);
            output.WriteInt64(balances.Length);
            foreach (AccountBalance b in balances)
            {
                output.WriteUInt128(b.DebitsPending);
                output.WriteUInt128(b.DebitsPosted);
                output.WriteUInt128(b.CreditsPending);
                output.WriteUInt128(b.CreditsPosted);
                output.WriteInt64((long)b.Timestamp);
            }
        }
    }

    private static void WriteExpiries(Output output, SnapshotImage image)
    {
        output.WriteInt64(image.ExpiryCount);
        for (long start = 0; start < image.ExpiryCount; start += image.ExpiryPageSize)
        {
            int count = (int)Math.Min(image.ExpiryPageSize, image.ExpiryCount - start);
            output.Write(MemoryMarshal.AsBytes(image.ExpiryPages[(int)(start / image.ExpiryPageSize)].AsSpan(0, count)));
        }
    }

    /// <summary>Reads and verifies a snapshot into a new machine.</summary>
    /// <exception cref="LedgerCorruptedException">The file is truncated, of another ledger, or fails its checksum.</exception>
    /// <param name="storage">Where the snapshot is.</param>
    /// <param name="name">The snapshot's file name.</param>
    /// <param name="ledgerId">The ledger it must belong to.</param>
    /// <param name="accountCapacity">Accounts the machine makes room for up front.</param>
    /// <param name="transferCapacity">Transfers the machine makes room for up front.</param>
    /// <param name="store">
    /// The machine's store pages: called with false for a snapshot that holds the history (fresh pages),
    /// or true for a checkpoint (format 6: pages reopened on the files it names, id runs included).
    /// Null: process memory, and a checkpoint cannot be read.
    /// </param>
    /// <exception cref="NotSupportedException">A checkpoint, and no <paramref name="store"/> to reopen its files from.</exception>
    public static (LedgerStateMachine Machine, long Sequence, ulong HighestFencingToken) Read(IStorage storage, string name, UInt128 ledgerId,
        int accountCapacity = 0, long transferCapacity = 0, Func<bool, StorePages>? store = null)
    {
        using IStorageFile file = storage.OpenRead(name);
        var input = new Input(file, name);
        Span<byte> header = stackalloc byte[HeaderSize];
        input.Read(header);
        if (BinaryPrimitives.ReadUInt64LittleEndian(header) != Magic) throw new LedgerCorruptedException(name, 0, "not a snapshot (bad magic)");
        int version = BinaryPrimitives.ReadInt32LittleEndian(header[8..]);
        if (version is not (1 or 2 or 3 or FormatVersion or CheckpointFormatVersion)) throw new LedgerCorruptedException(name, 8, "unsupported snapshot format version");
        if (version == TableCheckpointFormatVersion) throw new LedgerCorruptedException(name, 8, "a checkpoint of format 5 (a development build's, which copied the id index's tables) is no longer read");
        if (BinaryPrimitives.ReadUInt128LittleEndian(header[16..]) != ledgerId) throw new LedgerCorruptedException(name, 16, "snapshot belongs to another ledger");
        long sequence = BinaryPrimitives.ReadInt64LittleEndian(header[32..]);
        ulong commitTimestamp = BinaryPrimitives.ReadUInt64LittleEndian(header[40..]);
        ulong highestToken = BinaryPrimitives.ReadUInt64LittleEndian(header[48..]);
        if (version == CheckpointFormatVersion)
        {
            if (store is null) throw new NotSupportedException($"'{name}' is a checkpoint that leaves the history in the ledger's store files: open the ledger with the engine to read it.");
            return (ReadCheckpoint(file, input, name, header, store), sequence, highestToken);
        }

        StorePages? pages = store?.Invoke(false);

        // The sections are decoded before the trailer is reached, so they are untrusted while they are
        // restored: a corrupt field can make restoring fail in ways no bound check foresees (an overflow
        // in an expiry, a negative timestamp). Such a failure is corruption when the checksum says so;
        // on a file that verifies it is a bug and propagates as it is.
        LedgerStateMachine machine;
        try
        {
            var accounts = new Account[input.ReadCount(JournalFormat.EventSize)];
            input.Read(MemoryMarshal.AsBytes(accounts.AsSpan()));
            machine = LedgerStateMachine.Restore(commitTimestamp, accounts, accountCapacity, transferCapacity, pages);

            long transferCount = input.ReadLongCount(JournalFormat.EventSize + 1);
            machine.ReserveTransfers(transferCount);
            long transfersOffset = input.Position;
            for (long done = 0; done < transferCount;)
            {
                // Straight from the file into the transfer store, a page at a time.
                Span<Transfer> transfers = machine.AppendRestoredTransfersInPlace(transferCount - done);
                input.Read(MemoryMarshal.AsBytes(transfers));
                done += transfers.Length;
            }

            // Their states follow them, read the same way.
            for (long done = 0; done < transferCount;)
            {
                Span<TransferState> states = machine.AppendRestoredStatesInPlace(transferCount - done);
                input.Read(MemoryMarshal.AsBytes(states));
                done += states.Length;
            }

            // The id index is derived from the stored transfers on the second core while the rest is
            // read (restart time is bounded by memory latency, not arithmetic). Format 1 has no account
            // logs, so they are derived too, on this core.
            Task indexing = Task.Run(machine.IndexRestoredTransfers);
            if (version == 1)
            {
                long orphaned = machine.LogRestoredTransfers();
                if (orphaned >= 0)
                {
                    indexing.GetAwaiter().GetResult();
                    throw new LedgerCorruptedException(name, transfersOffset + (orphaned * JournalFormat.EventSize), "a transfer names an account the snapshot lacks");
                }
            }

            int orphans = input.ReadCount(16);
            for (int i = 0; i < orphans; i++) machine.RestoreOrphan(input.ReadUInt128());

            ReadHistory(input, name, machine, accounts.Length);

            if (version >= 2)
            {
                if (input.ReadCount(8) != accounts.Length) throw new LedgerCorruptedException(name, input.Position - 8, "transfer logs do not match the accounts");
                uint[] logBuffer = [];
                for (int i = 0; i < accounts.Length; i++)
                {
                    int count = input.ReadCount(sizeof(int));
                    long logOffset = input.Position;

                    // One buffer for every log: restore copies the entries into the log's chunks.
                    uint[]? transfers = null;
                    if (count > 0)
                    {
                        if (logBuffer.Length < count) logBuffer = new uint[Math.Max(count, logBuffer.Length * 2)];
                        transfers = logBuffer;
                        input.Read(MemoryMarshal.AsBytes(transfers.AsSpan(0, count)));
                    }

                    int highStartCount = version >= 4 ? input.ReadCount(sizeof(ulong)) : 0;
                    ulong[]? highStarts = highStartCount == 0 ? null : new ulong[highStartCount + 2];
                    if (highStarts is not null) input.Read(MemoryMarshal.AsBytes(highStarts.AsSpan(0, highStartCount)));
                    if (transfers is null)
                    {
                        if (highStartCount != 0) throw new LedgerCorruptedException(name, logOffset, "an empty transfer log has high halves");
                        continue;
                    }

                    if (!machine.TryRestoreAccountLog(i, transfers, count, highStarts, highStartCount)) throw new LedgerCorruptedException(name, logOffset, "a transfer log names transfers out of order or missing");
                }

                machine.QueueRestoredExpiries();
            }

            if (version >= 3)
            {
                if (!machine.TryRestoreChangeEventsFrom(BinaryPrimitives.ReadUInt64LittleEndian(header[56..]))) throw new LedgerCorruptedException(name, 56, "change events start beyond the transfers");
                ReadExpiries(input, machine);

                if (input.ReadCount(16) != accounts.Length) throw new LedgerCorruptedException(name, input.Position - 8, "account events do not match the accounts");
                BalanceCheckpoint[] checkpointBuffer = [];
                for (int i = 0; i < accounts.Length; i++)
                {
                    long offset = input.Position;
                    int expiryCount = input.ReadCount(sizeof(int));
                    // Headroom, as grown arrays would have: replay appends right after restore.
                    int[]? positions = expiryCount == 0 ? null : new int[expiryCount + (expiryCount / 2) + 4];
                    if (positions is not null) input.Read(MemoryMarshal.AsBytes(positions.AsSpan(0, expiryCount)));
                    int checkpointCount = input.ReadCount(CheckpointSize);
                    // One buffer for every account: restore appends the checkpoints to the machine's store.
                    if (checkpointBuffer.Length < checkpointCount) checkpointBuffer = new BalanceCheckpoint[Math.Max(checkpointCount, checkpointBuffer.Length * 2)];
                    input.Read(MemoryMarshal.AsBytes(checkpointBuffer.AsSpan(0, checkpointCount)));
                    if (!machine.TryRestoreAccountEvents(i, positions, expiryCount, checkpointBuffer, checkpointCount)) throw new LedgerCorruptedException(name, offset, "an account's expiries or checkpoints do not fit its log");
                }
            }
            else
            {
                machine.StartChangeEventsHere();
            }

            indexing.GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is not LedgerCorruptedException && !ChecksumMatches(file))
        {
            throw new LedgerCorruptedException($"Ledger data is corrupted in '{name}': snapshot checksum mismatch (decoding failed with {e.GetType().Name}).", e);
        }

        input.VerifyChecksum();
        return (machine, sequence, highestToken);
    }

    private static void ReadHistory(Input input, string name, LedgerStateMachine machine, int accountCount)
    {
        int historyAccounts = input.ReadCount(16);
        for (int i = 0; i < historyAccounts; i++)
        {
            long accountIndex = input.ReadInt64();
            int count = input.ReadCount(BalanceSize);
            if (accountIndex < 0 || accountIndex >= accountCount) throw new LedgerCorruptedException(name, input.Position, "history names an account the snapshot lacks");
            for (int k = 0; k < count; k++)
            {
                var balance = new AccountBalance(input.ReadUInt128(), input.ReadUInt128(), input.ReadUInt128(), input.ReadUInt128(), unchecked((ulong)input.ReadInt64())); // a damaged sign bit must reach the checksum, not throw
                machine.RestoreBalance(accountIndex, in balance);
            }
        }
    }

    private static void ReadExpiries(Input input, LedgerStateMachine machine)
    {
        long expiries = input.ReadLongCount(ExpirySize);
        for (long done = 0; done < expiries;)
        {
            // Straight from the file into the expiry list, a page at a time (the checksum vouches for them).
            Span<ExpiryRecord> records = machine.AppendRestoredExpiriesInPlace(expiries - done);
            input.Read(MemoryMarshal.AsBytes(records));
            done += records.Length;
        }
    }

    /// <summary>Whether the file's trailer matches the hash of every byte before it (read afresh, in bounded chunks).</summary>
    private static bool ChecksumMatches(IStorageFile file)
    {
        long length = file.Length;
        if (length < HeaderSize + 8) return false;
        var hash = new XxHash3();
        byte[] buffer = new byte[BufferSize];
        for (long offset = 0; offset < length - 8;)
        {
            int read = file.Read(offset, buffer.AsSpan(0, (int)Math.Min(buffer.Length, length - 8 - offset)));
            if (read <= 0) return false;
            hash.Append(buffer.AsSpan(0, read));
            offset += read;
        }

        Span<byte> trailer = stackalloc byte[8];
        return file.Read(length - 8, trailer) == 8 && BinaryPrimitives.ReadUInt64LittleEndian(trailer) == hash.GetCurrentHashAsUInt64();
    }

    /// <summary>Buffered sequential writer that hashes everything it writes.</summary>
    private sealed class Output(IStorageFile file, CancellationToken cancellationToken) : IDisposable
    {
        private readonly byte[] _buffer = new byte[BufferSize];
        private readonly XxHash3 _hash = new();
        private int _used;

        public long Position { get; private set; }

        public void Write(ReadOnlySpan<byte> data)
        {
            _hash.Append(data);
            while (!data.IsEmpty)
            {
                int n = Math.Min(data.Length, _buffer.Length - _used);
                data[..n].CopyTo(_buffer.AsSpan(_used));
                _used += n;
                data = data[n..];
                if (_used == _buffer.Length) Flush();
            }
        }

        public void WriteInt64(long value)
        {
            Span<byte> bytes = stackalloc byte[8];
            BinaryPrimitives.WriteInt64LittleEndian(bytes, value);
            Write(bytes);
        }

        public void WriteUInt128(UInt128 value)
        {
            Span<byte> bytes = stackalloc byte[16];
            BinaryPrimitives.WriteUInt128LittleEndian(bytes, value);
            Write(bytes);
        }

        public void WriteChecksum()
        {
            Span<byte> bytes = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(bytes, _hash.GetCurrentHashAsUInt64());
            Write(bytes);
        }

        public void Flush()
        {
            if (_used == 0) return;
            cancellationToken.ThrowIfCancellationRequested();
            file.Write(Position, _buffer.AsSpan(0, _used));
            Position += _used;
            _used = 0;
        }

        public void Dispose() => Flush();
    }

    /// <summary>Sequential reader that bounds every count by the bytes left and hashes what it reads.</summary>
    private sealed class Input(IStorageFile file, string name)
    {
        private readonly long _length = file.Length;
        private readonly XxHash3 _hash = new();
        private readonly byte[] _buffer = new byte[BufferSize];
        private int _start;
        private int _end;
        private long _next;

        public long Position { get; private set; }

        public void Read(Span<byte> destination)
        {
            if (_length - Position < destination.Length) throw new LedgerCorruptedException(name, Position, "snapshot is truncated");
            Span<byte> target = destination;
            while (!target.IsEmpty)
            {
                if (_start == _end && target.Length >= _buffer.Length)
                {
                    // A large read goes straight into the destination: no copy through the buffer.
                    int direct = file.Read(_next, target);
                    if (direct <= 0) throw new LedgerCorruptedException(name, _next, "snapshot is truncated");
                    _next += direct;
                    target = target[direct..];
                    continue;
                }

                if (_start == _end) Fill();
                int n = Math.Min(target.Length, _end - _start);
                _buffer.AsSpan(_start, n).CopyTo(target);
                _start += n;
                target = target[n..];
            }

            _hash.Append(destination);
            Position += destination.Length;
        }

        private void Fill()
        {
            int read = file.Read(_next, _buffer.AsSpan(0, (int)Math.Min(_buffer.Length, _length - _next)));
            if (read <= 0) throw new LedgerCorruptedException(name, _next, "snapshot is truncated");
            _next += read;
            _start = 0;
            _end = read;
        }

        public long ReadInt64()
        {
            Span<byte> bytes = stackalloc byte[8];
            Read(bytes);
            return BinaryPrimitives.ReadInt64LittleEndian(bytes);
        }

        public UInt128 ReadUInt128()
        {
            Span<byte> bytes = stackalloc byte[16];
            Read(bytes);
            return BinaryPrimitives.ReadUInt128LittleEndian(bytes);
        }

        /// <summary>Reads a count of items that go into one array, and checks that that many items of <paramref name="itemSize"/> bytes can still follow.</summary>
        public int ReadCount(int itemSize)
        {
            long count = ReadLongCount(itemSize);
            if (count > Array.MaxLength) throw new LedgerCorruptedException(name, Position - 8, $"count {count} does not fit in one array");
            return (int)count;
        }

        /// <summary>Reads a count of items stored in pages (no array limit), checked as <see cref="ReadCount"/>.</summary>
        public long ReadLongCount(int itemSize)
        {
            long count = ReadInt64();
            if (count < 0 || count > (_length - Position) / itemSize)
            {
                throw new LedgerCorruptedException(name, Position - 8, $"count {count} does not fit in the file");
            }

            return count;
        }

        public void VerifyChecksum()
        {
            ulong expected = _hash.GetCurrentHashAsUInt64();
            Span<byte> bytes = stackalloc byte[8];
            if (_length - Position != 8) throw new LedgerCorruptedException(name, Position, "snapshot has bytes after its sections");
            Read(bytes);
            if (BinaryPrimitives.ReadUInt64LittleEndian(bytes) != expected)
            {
                throw new LedgerCorruptedException(name, Position, "snapshot checksum mismatch");
            }
        }
    }
}
