using System.Buffers.Binary;
using System.IO.Hashing;

namespace LedgerCore.Storage;

/// <summary>
/// The data directory's identity and lease: the ledger id (fixed at creation, stamped into every
/// segment and snapshot so files of two ledgers never mix) and the fencing epoch, raised durably on
/// every open so that a writer that opened earlier is recognisably stale.
/// </summary>
internal static class DataDirectory
{
    public const string MetadataName = "ledger.meta";
    public const string LockName = "ledger.lock";
    private const string MetadataTemporaryName = "ledger.meta.tmp";
    private const ulong Magic = 0x4154_454D_5245_474C; // "LGRMETA" + 'A'
    private const int Size = 64;

    /// <summary>
    /// Takes the directory's exclusive lock: an OS file lock held by the returned handle for the
    /// engine's lifetime (flock on Unix, share-none on Windows), released by the OS if the process dies.
    /// </summary>
    /// <exception cref="LedgerLockedException">Another engine holds it.</exception>
    public static FileStream Lock(string directory)
    {
        string path = Path.Combine(directory, LockName);
        try
        {
            return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None);
        }
        catch (IOException e) when (e is not FileNotFoundException and not DirectoryNotFoundException && File.Exists(path))
        {
            throw new LedgerLockedException($"The ledger at '{directory}' is open in another engine (lock '{path}' is held).", e);
        }
    }

    /// <summary>Reads the metadata, or returns null for a new directory.</summary>
    /// <exception cref="LedgerCorruptedException">The metadata file fails verification.</exception>
    public static (UInt128 LedgerId, ulong Epoch)? Read(IStorage storage)
    {
        if (!storage.Exists(MetadataName)) return null;
        Span<byte> bytes = stackalloc byte[Size];
        using (IStorageFile file = storage.Open(MetadataName, create: false))
        {
            if (file.Read(0, bytes) != Size) throw new LedgerCorruptedException(MetadataName, 0, "metadata is truncated");
        }

        if (BinaryPrimitives.ReadUInt64LittleEndian(bytes) != Magic ||
            BinaryPrimitives.ReadUInt64LittleEndian(bytes[56..]) != XxHash3.HashToUInt64(bytes[..56]))
        {
            throw new LedgerCorruptedException(MetadataName, 0, "metadata fails verification");
        }

        return (BinaryPrimitives.ReadUInt128LittleEndian(bytes[8..]), BinaryPrimitives.ReadUInt64LittleEndian(bytes[24..]));
    }

    /// <summary>Writes the metadata atomically and durably (temporary file, fsync, rename, fsync directory).</summary>
    public static void Write(IStorage storage, UInt128 ledgerId, ulong epoch)
    {
        Span<byte> bytes = stackalloc byte[Size];
        bytes.Clear();
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, Magic);
        BinaryPrimitives.WriteUInt128LittleEndian(bytes[8..], ledgerId);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes[24..], epoch);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes[56..], XxHash3.HashToUInt64(bytes[..56]));
        using (IStorageFile file = storage.Open(MetadataTemporaryName, create: true))
        {
            file.Truncate(0);
            file.Write(0, bytes);
            file.Flush();
        }

        storage.Rename(MetadataTemporaryName, MetadataName);
        storage.SyncDirectory();
    }
}
