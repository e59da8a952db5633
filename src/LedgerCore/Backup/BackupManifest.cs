using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;
using LedgerCore.Storage;

namespace LedgerCore.Backup;

/// <summary>
/// <c>backup.manifest</c> (docs/journal-format.md): what a backup directory holds and what opening it
/// must recover. A backup writes it twice: first "in progress", before any other file, so that a backup
/// killed midway is a directory recovery refuses rather than an empty ledger it would create; last
/// "complete" (temporary name, fsync, rename over the first, directory fsync), so a backup is marked
/// complete only once every file it lists is durable and was verified.
/// </summary>
internal sealed record BackupManifest(bool Complete, UInt128 LedgerId, long Sequence, ulong CommitTimestamp, UInt128 Digest, IReadOnlyList<BackupFile> Files)
{
    public const string Name = "backup.manifest";
    public const string TemporaryName = "backup.manifest.tmp";
    private const ulong Magic = 0x5055_4B43_4142_434C; // "LCBACKUP"
    private const int FormatVersion = 1;
    private const int HeaderSize = 72;
    private const int SizeMax = 64 * 1024;
    private const int BufferSize = 1 << 20;

    /// <summary>The manifest a backup writes first: nothing is verified yet.</summary>
    public static BackupManifest InProgress { get; } = new(false, 0, 0, 0, 0, []);

    /// <summary>Writes the manifest to <paramref name="name"/> and fsyncs it (the caller renames and fsyncs the directory).</summary>
    public long Write(IStorage storage, string name)
    {
        byte[] bytes = Encode();
        using IStorageFile file = storage.Open(name, create: true);
        file.Truncate(0);
        file.Write(0, bytes);
        file.Flush();
        return bytes.Length;
    }

    /// <summary>The directory's manifest, or null when it has none (a live data directory).</summary>
    /// <exception cref="LedgerCorruptedException">The manifest fails verification, or says the backup never completed.</exception>
    public static BackupManifest? Read(IStorage storage)
    {
        if (!storage.Exists(Name)) return null;
        byte[] bytes;
        using (IStorageFile file = storage.OpenRead(Name))
        {
            long length = file.Length;
            if (length < HeaderSize + 8 || length > SizeMax) throw new LedgerCorruptedException(Name, 0, $"backup manifest has an impossible length ({length} bytes)");
            bytes = new byte[length];
            if (file.Read(0, bytes) != length) throw new LedgerCorruptedException(Name, 0, "backup manifest is truncated");
        }

        ReadOnlySpan<byte> span = bytes;
        if (BinaryPrimitives.ReadUInt64LittleEndian(span[^8..]) != XxHash3.HashToUInt64(span[..^8])) throw new LedgerCorruptedException(Name, span.Length - 8, "backup manifest checksum mismatch");
        if (BinaryPrimitives.ReadUInt64LittleEndian(span) != Magic) throw new LedgerCorruptedException(Name, 0, "not a backup manifest (bad magic)");
        if (BinaryPrimitives.ReadInt32LittleEndian(span[8..]) != FormatVersion) throw new LedgerCorruptedException(Name, 8, "unsupported backup manifest format version");
        if (BinaryPrimitives.ReadInt32LittleEndian(span[12..]) != 1)
        {
            throw new LedgerCorruptedException(Name, 12, "the backup did not complete (it was interrupted or failed); this directory is not a usable copy: delete it and back up again");
        }

        int count = BinaryPrimitives.ReadInt32LittleEndian(span[64..]);
        var files = new List<BackupFile>();
        int offset = HeaderSize;
        for (int i = 0; i < count; i++)
        {
            if (span.Length - 8 - offset < 2) throw new LedgerCorruptedException(Name, offset, "backup manifest is truncated");
            int nameLength = BinaryPrimitives.ReadUInt16LittleEndian(span[offset..]);
            if (span.Length - 8 - offset < 2 + nameLength + 16) throw new LedgerCorruptedException(Name, offset, "backup manifest is truncated");
            string name = Encoding.UTF8.GetString(span.Slice(offset + 2, nameLength));
            offset += 2 + nameLength;
            files.Add(new BackupFile(name, BinaryPrimitives.ReadInt64LittleEndian(span[offset..]), BinaryPrimitives.ReadUInt64LittleEndian(span[(offset + 8)..])));
            offset += 16;
        }

        if (offset != span.Length - 8) throw new LedgerCorruptedException(Name, offset, "backup manifest has bytes after its files");
        return new BackupManifest(true, BinaryPrimitives.ReadUInt128LittleEndian(span[16..]), BinaryPrimitives.ReadInt64LittleEndian(span[32..]),
            BinaryPrimitives.ReadUInt64LittleEndian(span[40..]), BinaryPrimitives.ReadUInt128LittleEndian(span[48..]), files);
    }

    /// <summary>
    /// Checks that the directory holds exactly the listed files (besides the manifest and the lock) with
    /// their lengths and hashes. Recovery alone could not tell: a damaged snapshot would be passed over
    /// for an empty ledger, a damaged last journal record taken for a torn tail and cut.
    /// </summary>
    /// <exception cref="LedgerCorruptedException">A file is missing, extra, of another length or hash.</exception>
    public void VerifyFiles(IStorage storage)
    {
        foreach (string name in storage.List())
        {
            if (name is Name or DataDirectory.LockName) continue;
            bool listed = false;
            foreach (BackupFile f in Files) listed |= f.Name == name;
            if (!listed) throw new LedgerCorruptedException(name, 0, "the file is not part of the backup its manifest describes");
        }

        foreach (BackupFile expected in Files)
        {
            if (!storage.Exists(expected.Name)) throw new LedgerCorruptedException(expected.Name, 0, "a file of the backup is missing");
            BackupFile actual = Describe(storage, expected.Name);
            if (actual.Length != expected.Length) throw new LedgerCorruptedException(expected.Name, Math.Min(actual.Length, expected.Length), $"the file has {actual.Length} bytes but the backup manifest lists {expected.Length}");
            if (actual.Hash != expected.Hash) throw new LedgerCorruptedException(expected.Name, 0, "the file's hash does not match the backup manifest");
        }
    }

    /// <summary>Checks that recovery of the backup landed exactly where the backup was taken.</summary>
    /// <exception cref="LedgerCorruptedException">It did not.</exception>
    public void VerifyRecovered(UInt128 ledgerId, long snapshotSequence, long lastSequence, LedgerStateMachine machine)
    {
        if (ledgerId != LedgerId) throw new LedgerCorruptedException(Name, 16, "the backup manifest names another ledger than ledger.meta");
        if (snapshotSequence != Sequence || lastSequence != Sequence)
        {
            throw new LedgerCorruptedException(Name, 32, $"recovery of the backup reached sequence {lastSequence} (snapshot {snapshotSequence}) but the backup was taken at {Sequence}");
        }

        if (machine.ComputeDigest() != Digest) throw new LedgerCorruptedException(Name, 48, "the recovered state's digest does not match the backup manifest");
    }

    /// <summary>A file's length and XxHash3-64, read in bounded chunks.</summary>
    public static BackupFile Describe(IStorage storage, string name)
    {
        using IStorageFile file = storage.OpenRead(name);
        long length = file.Length;
        var hash = new XxHash3();
        byte[] buffer = new byte[(int)Math.Min(BufferSize, Math.Max(length, 1))];
        long offset = 0;
        while (offset < length)
        {
            int read = file.Read(offset, buffer.AsSpan(0, (int)Math.Min(buffer.Length, length - offset)));
            if (read <= 0) break;
            hash.Append(buffer.AsSpan(0, read));
            offset += read;
        }

        return new BackupFile(name, offset, hash.GetCurrentHashAsUInt64());
    }

    private byte[] Encode()
    {
        int size = HeaderSize + 8;
        foreach (BackupFile f in Files) size += 2 + Encoding.UTF8.GetByteCount(f.Name) + 16;
        byte[] bytes = new byte[size];
        Span<byte> span = bytes;
        BinaryPrimitives.WriteUInt64LittleEndian(span, Magic);
        BinaryPrimitives.WriteInt32LittleEndian(span[8..], FormatVersion);
        BinaryPrimitives.WriteInt32LittleEndian(span[12..], Complete ? 1 : 0);
        BinaryPrimitives.WriteUInt128LittleEndian(span[16..], LedgerId);
        BinaryPrimitives.WriteInt64LittleEndian(span[32..], Sequence);
        BinaryPrimitives.WriteUInt64LittleEndian(span[40..], CommitTimestamp);
        BinaryPrimitives.WriteUInt128LittleEndian(span[48..], Digest);
        BinaryPrimitives.WriteInt32LittleEndian(span[64..], Files.Count);
        int offset = HeaderSize;
        foreach (BackupFile f in Files)
        {
            int nameLength = Encoding.UTF8.GetBytes(f.Name, span[(offset + 2)..]);
            BinaryPrimitives.WriteUInt16LittleEndian(span[offset..], (ushort)nameLength);
            offset += 2 + nameLength;
            BinaryPrimitives.WriteInt64LittleEndian(span[offset..], f.Length);
            BinaryPrimitives.WriteUInt64LittleEndian(span[(offset + 8)..], f.Hash);
            offset += 16;
        }

        BinaryPrimitives.WriteUInt64LittleEndian(span[offset..], XxHash3.HashToUInt64(span[..offset]));
        return bytes;
    }
}
