using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace LedgerCore.Storage;

/// <summary>The real <see cref="IStorage"/>: files in one directory, positional I/O, fsync.</summary>
internal sealed partial class FileStorage : IStorage
{
    private readonly string _directory;

    public FileStorage(string directory)
    {
        _directory = Path.GetFullPath(directory);
        Directory.CreateDirectory(_directory);
    }

    public string DirectoryPath => _directory;

    public IReadOnlyList<string> List()
    {
        var names = new List<string>();
        foreach (string path in Directory.EnumerateFiles(_directory))
        {
            names.Add(Path.GetFileName(path));
        }

        names.Sort(StringComparer.Ordinal);
        return names;
    }

    public bool Exists(string name) => File.Exists(PathOf(name));

    public IStorageFile Open(string name, bool create) =>
        new StorageFile(File.OpenHandle(PathOf(name), create ? FileMode.OpenOrCreate : FileMode.Open, FileAccess.ReadWrite, FileShare.Read | FileShare.Delete));

    public IStorageFile OpenRead(string name) =>
        new StorageFile(File.OpenHandle(PathOf(name), FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete));

    public void Delete(string name) => File.Delete(PathOf(name));

    public void Rename(string from, string to) => File.Move(PathOf(from), PathOf(to), overwrite: true);

    public void SyncDirectory()
    {
        // A new, renamed or deleted file is durable only once its directory entry is: fsync the
        // directory. Windows has no such call (NTFS journals its metadata), so only Unix does it.
        if (OperatingSystem.IsWindows()) return;
        int fd = Native.Open(_directory, Native.ReadOnlyDirectory);
        if (fd < 0) throw new IOException($"open of directory '{_directory}' failed (errno {Marshal.GetLastPInvokeError()}).");
        try
        {
            if (Native.FSync(fd) != 0)
            {
                throw new IOException($"fsync of directory '{_directory}' failed (errno {Marshal.GetLastPInvokeError()}).");
            }
        }
        finally
        {
            _ = Native.Close(fd);
        }
    }

    private string PathOf(string name)
    {
        if (name.Length == 0 || name.Contains('/', StringComparison.Ordinal) || name.Contains('\\', StringComparison.Ordinal))
        {
            throw new ArgumentException($"'{name}' is not a plain file name.", nameof(name));
        }

        return Path.Combine(_directory, name);
    }

    private sealed class StorageFile(SafeFileHandle handle) : IStorageFile
    {
        public long Length => RandomAccess.GetLength(handle);

        public void Write(long offset, ReadOnlySpan<byte> data) => RandomAccess.Write(handle, data, offset);

        public int Read(long offset, Span<byte> buffer)
        {
            int total = 0;
            while (total < buffer.Length)
            {
                int read = RandomAccess.Read(handle, buffer[total..], offset + total);
                if (read == 0) break;
                total += read;
            }

            return total;
        }

        public void Flush() => RandomAccess.FlushToDisk(handle);

        public void Truncate(long length) => RandomAccess.SetLength(handle, length);

        public void Dispose() => handle.Dispose();
    }

    private static partial class Native
    {
        // O_RDONLY | O_DIRECTORY on Linux; other Unix systems accept a directory opened read-only.
        public static readonly int ReadOnlyDirectory = OperatingSystem.IsLinux() ? 0x10000 : 0;

        [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
        public static partial int Open(string path, int flags);

        [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
        public static partial int FSync(int fd);

        [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
        public static partial int Close(int fd);
    }
}
