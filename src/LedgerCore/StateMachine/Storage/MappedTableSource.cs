using System.Globalization;
using System.Runtime.InteropServices;

namespace LedgerCore.StateMachine.Storage;

/// <summary>
/// Id-index tables for a ledger whose checkpoints name files (docs/storage.md, "Checkpoints"). A table in
/// use is process memory, as in memory mode: a table mapped shared from a file was written back by the
/// kernel again and again, each write to a cleaned page faulted, and the 200M run fell to 0.36M
/// transfers/s. Instead a checkpoint copies each table the index uses into a file of its own,
/// <c>ids-&lt;checkpoint sequence&gt;-&lt;generation&gt;.tbl</c>, from its writer's thread while the
/// processor goes on: an entry never moves within a table and a growth copies entries without erasing
/// them (<see cref="IdIndex{TSource}"/>), so the copy holds every entry the checkpoint knew, plus perhaps
/// some added after it, which the replay adds again. Tables the copy reads are not freed until it ends.
/// A restart maps the checkpoint's copies copy-on-write: nothing is read up front, and the file is never
/// written (a write makes the page the process's own).
/// </summary>
internal sealed unsafe class MappedTableSource : TableSource
{
    private const string Prefix = "ids-";
    private const string Suffix = ".tbl";
    private const int CopyChunkBytes = 4 << 20;
    private const int MadviseRandom = 1;

    private readonly string _directory;
    private readonly long _resumeSequence;
    private readonly Lock _lock = new();
    // Every table handed out and not yet released: restored ones are mapped files, the rest process memory.
    private readonly Dictionary<nint, MappedFile?> _tables = [];
    private readonly List<nint> _deferred = [];
    private int _lastGeneration;
    private bool _copying;
    private bool _released;

    /// <param name="directory">The store directory (created if missing).</param>
    /// <param name="resume">
    /// The checkpoint being resumed (its sequence, and the newest table generation it names): its table
    /// files are opened by <see cref="Open"/>, and new tables are numbered after it. Null: a fresh ledger,
    /// and every table file is deleted.
    /// </param>
    /// <exception cref="IOException">The directory cannot be created or cleaned.</exception>
    public MappedTableSource(string directory, (long Sequence, int Generation)? resume = null)
    {
        _directory = directory;
        Directory.CreateDirectory(directory);
        if (resume is null)
        {
            foreach ((long _, int _, string path) in List()) File.Delete(path);
        }

        _resumeSequence = resume?.Sequence ?? 0;
        _lastGeneration = resume?.Generation ?? 0;
    }

    public override byte* Allocate(long bytes, out int generation)
    {
        generation = Interlocked.Increment(ref _lastGeneration);
        var table = (byte*)NativeMemory.AllocZeroed((nuint)bytes);
        lock (_lock) _tables.Add((nint)table, null);
        return table;
    }

    public override void Free(byte* table)
    {
        lock (_lock)
        {
            if (_copying)
            {
                _deferred.Add((nint)table);
                return;
            }

            Release((nint)table);
        }
    }

    public override byte* Open(int generation, long bytes)
    {
        string path = PathOf(_resumeSequence, generation);
        var file = new FileInfo(path);
        if (!file.Exists || file.Length != bytes)
        {
            throw new LedgerCorruptedException($"Ledger data is corrupted in '{path}': a checkpoint names this id-index table of {bytes} bytes, and the file is {(file.Exists ? $"{file.Length} bytes" : "missing")}.");
        }

        // Copy-on-write: the replay's and later adds make pages the process's own; the file stays as written.
        MappedFile mapped = MappedFile.Create(path, bytes, FileMode.Open, copyOnWrite: true);
        // Lookups read one slot's page at random: no read-around (the kernel's default read 128 KiB per
        // fault, and cold lookups after a restart waited for it).
        if (OperatingSystem.IsLinux()) _ = PageSource.Madvise((nint)mapped.Base, (nuint)bytes, MadviseRandom);
        lock (_lock)
        {
            if (_released)
            {
                mapped.Dispose();
                throw new ObjectDisposedException(nameof(MappedTableSource));
            }

            _tables.Add((nint)mapped.Base, mapped);
        }

        return mapped.Base;
    }

    /// <summary>
    /// On the processor, at the batch boundary a checkpoint is taken: until <see cref="EndCopy"/>, tables
    /// the index frees stay allocated, so the checkpoint's writer can copy the ones it was given.
    /// </summary>
    public void BeginCopy()
    {
        lock (_lock) _copying = true;
    }

    /// <summary>
    /// On the checkpoint's writer: copies a table (read while the processor goes on adding) to the
    /// checkpoint's file for it and fsyncs it.
    /// </summary>
    /// <exception cref="IOException">The file could not be written (disk full, I/O error).</exception>
    public void Copy(long sequence, int generation, nint table, long bytes)
    {
        string path = PathOf(sequence, generation);
        File.Delete(path);
        using (var stream = new FileStream(path, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, PreallocationSize = bytes }))
        {
            for (long offset = 0; offset < bytes; offset += CopyChunkBytes)
            {
                int length = (int)Math.Min(CopyChunkBytes, bytes - offset);
                stream.Write(new ReadOnlySpan<byte>((byte*)table + offset, length));
            }

            stream.Flush(flushToDisk: true);
        }
    }

    /// <summary>The checkpoint's copies are done (or abandoned): frees the tables the processor let go of meanwhile.</summary>
    public void EndCopy()
    {
        lock (_lock)
        {
            _copying = false;
            foreach (nint table in _deferred) Release(table);
            _deferred.Clear();
        }
    }

    /// <summary>Deletes the table files of checkpoints other than <paramref name="kept"/> (a mapped one stays readable until unmapped).</summary>
    public void DeleteExcept(IReadOnlyCollection<long> kept)
    {
        foreach ((long sequence, int _, string path) in List())
        {
            if (!kept.Contains(sequence)) File.Delete(path);
        }
    }

    protected override void Release()
    {
        lock (_lock)
        {
            if (_released) return;
            _released = true;
            foreach (nint table in _tables.Keys.ToArray()) Release(table);
        }
    }

    // Under the lock: unmaps a restored table, or frees one of process memory.
    private void Release(nint table)
    {
        if (!_tables.Remove(table, out MappedFile? mapped)) return;
        if (mapped is not null) mapped.Dispose();
        else NativeMemory.Free((void*)table);
    }

    private IEnumerable<(long Sequence, int Generation, string Path)> List()
    {
        foreach (string path in Directory.EnumerateFiles(_directory, Prefix + "*" + Suffix))
        {
            string[] parts = Path.GetFileNameWithoutExtension(path)[Prefix.Length..].Split('-');
            if (parts.Length == 2 &&
                long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out long sequence) &&
                int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int generation))
            {
                yield return (sequence, generation, path);
            }
        }
    }

    private string PathOf(long sequence, int generation) =>
        Path.Combine(_directory, string.Create(CultureInfo.InvariantCulture, $"{Prefix}{sequence:D20}-{generation:D6}{Suffix}"));
}
