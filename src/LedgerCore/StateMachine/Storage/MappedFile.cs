using System.IO.MemoryMappedFiles;

namespace LedgerCore.StateMachine.Storage;

/// <summary>
/// One file mapped shared into the process at a fixed address, with the handle kept open so it can be
/// fsynced (<see cref="Flush"/>): the unit both store segments and id-index tables are made of.
/// </summary>
internal sealed unsafe class MappedFile : IDisposable
{
    private readonly FileStream _stream;
    private readonly MemoryMappedFile _file;
    private readonly MemoryMappedViewAccessor _view;

    private MappedFile(FileStream stream, MemoryMappedFile file, MemoryMappedViewAccessor view, byte* address)
    {
        _stream = stream;
        _file = file;
        _view = view;
        Base = address;
    }

    public byte* Base { get; }

    /// <summary>
    /// Maps <paramref name="bytes"/> of the file at <paramref name="path"/>. A file this creates is
    /// preallocated (fallocate), so running out of disk surfaces here as an <see cref="IOException"/>
    /// rather than later as SIGBUS on a page.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="bytes">The length mapped (the file is extended to it).</param>
    /// <param name="mode">CreateNew, OpenOrCreate (a kept file is reused) or Open.</param>
    /// <param name="copyOnWrite">Map privately: writes make pages the process's own, and the file is never written.</param>
    public static MappedFile Create(string path, long bytes, FileMode mode, bool copyOnWrite = false)
    {
        // Preallocation is for new files only.
        if (mode == FileMode.OpenOrCreate) mode = File.Exists(path) ? FileMode.Open : FileMode.CreateNew;
        var stream = new FileStream(path, new FileStreamOptions
        {
            Mode = mode,
            Access = copyOnWrite ? FileAccess.Read : FileAccess.ReadWrite,
            Share = FileShare.Read,
            PreallocationSize = mode == FileMode.Open ? 0 : bytes,
        });
        MemoryMappedFile? file = null;
        try
        {
            if (stream.Length < bytes) stream.SetLength(bytes);
            MemoryMappedFileAccess access = copyOnWrite ? MemoryMappedFileAccess.CopyOnWrite : MemoryMappedFileAccess.ReadWrite;
            file = MemoryMappedFile.CreateFromFile(stream, null, bytes, access, HandleInheritability.None, leaveOpen: true);
            MemoryMappedViewAccessor view = file.CreateViewAccessor(0, bytes, access);
            byte* address = null;
            view.SafeMemoryMappedViewHandle.AcquirePointer(ref address);
            return new MappedFile(stream, file, view, address + view.PointerOffset);
        }
        catch
        {
            file?.Dispose();
            stream.Dispose();
            throw;
        }
    }

    /// <summary>fsync(2) of the file: the changes made through the mapping included.</summary>
    /// <exception cref="IOException">The sync failed.</exception>
    public void Flush() => _stream.Flush(flushToDisk: true);

    public void Dispose()
    {
        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
        _file.Dispose();
        _stream.Dispose();
    }
}
