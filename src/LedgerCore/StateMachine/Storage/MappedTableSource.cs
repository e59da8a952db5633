using System.Globalization;

namespace LedgerCore.StateMachine.Storage;

/// <summary>
/// Id-index tables in files (<c>ids-&lt;generation&gt;.tbl</c> in the store directory), mapped shared, so
/// a restart maps the table a checkpoint named instead of rebuilding it from every stored transfer.
/// A table is never rewritten in place by a growth (the entries move to the next generation's file),
/// and an entry never moves within a table (<see cref="IdIndex{TSource}"/>), so once a checkpoint has
/// flushed a table, the file holds every entry the checkpoint knew whatever the kernel writes back
/// later; entries added after it are either there too or added again by the journal's replay.
/// A freed table's file stays until no kept checkpoint names it (<see cref="DeleteBelow"/>).
/// </summary>
internal sealed unsafe class MappedTableSource : TableSource
{
    private const string Prefix = "ids-";
    private const string Suffix = ".tbl";

    private readonly string _directory;
    private readonly Dictionary<int, MappedFile> _mapped = [];
    private readonly Lock _lock = new();
    private int _lastGeneration;
    private bool _released;

    /// <param name="directory">The store directory (created if missing).</param>
    /// <param name="resumeAt">
    /// The newest generation a checkpoint being resumed names: files up to it are kept, newer ones (made
    /// after that checkpoint) deleted, and new tables numbered after it. Null: every table file is deleted.
    /// </param>
    /// <exception cref="IOException">The directory cannot be created or cleaned.</exception>
    public MappedTableSource(string directory, int? resumeAt = null)
    {
        _directory = directory;
        Directory.CreateDirectory(directory);
        foreach ((int generation, string path) in List())
        {
            if (resumeAt is not { } kept || generation > kept) File.Delete(path);
        }

        _lastGeneration = resumeAt ?? 0;
    }

    /// <summary>The generations whose files are in the directory.</summary>
    public IEnumerable<(int Generation, string Path)> List()
    {
        foreach (string path in Directory.EnumerateFiles(_directory, Prefix + "*" + Suffix))
        {
            string name = Path.GetFileName(path);
            if (int.TryParse(name.AsSpan(Prefix.Length, name.Length - Prefix.Length - Suffix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out int generation))
            {
                yield return (generation, path);
            }
        }
    }

    public override byte* Allocate(long bytes, out int generation)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_released, this);
            generation = ++_lastGeneration;
            string path = PathOf(generation);
            File.Delete(path);
            MappedFile mapping = MappedFile.Create(path, bytes, FileMode.CreateNew);
            _mapped.Add(generation, mapping);
            return mapping.Base;
        }
    }

    public override void Free(byte* table, int generation)
    {
        lock (_lock)
        {
            if (_mapped.Remove(generation, out MappedFile? mapping)) mapping.Dispose();
        }
    }

    public override byte* Open(int generation, long bytes)
    {
        string path = PathOf(generation);
        var file = new FileInfo(path);
        if (!file.Exists || file.Length != bytes)
        {
            throw new LedgerCorruptedException($"Ledger data is corrupted in '{path}': a checkpoint names this id-index table of {bytes} bytes, and the file is {(file.Exists ? $"{file.Length} bytes" : "missing")}.");
        }

        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_released, this);
            MappedFile mapping = MappedFile.Create(path, bytes, FileMode.Open);
            _mapped.Add(generation, mapping);
            return mapping.Base;
        }
    }

    /// <summary>Makes every table file durable: the mapped ones and those freed since (their pages may not be written back yet).</summary>
    /// <exception cref="IOException">A file could not be synced.</exception>
    public void Flush()
    {
        foreach ((int generation, string path) in List())
        {
            MappedFile? mapping;
            lock (_lock)
            {
                ObjectDisposedException.ThrowIf(_released, this);
                _mapped.TryGetValue(generation, out mapping);
            }

            if (mapping is not null)
            {
                try
                {
                    mapping.Flush();
                    continue;
                }
                catch (ObjectDisposedException)
                {
                    // Freed by the processor meanwhile (a growth ended): synced by its path below.
                }
            }

            using var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite);
            stream.Flush(flushToDisk: true);
        }
    }

    /// <summary>Deletes the files of tables older than <paramref name="generation"/> that are no longer mapped: no kept checkpoint names them.</summary>
    public void DeleteBelow(int generation)
    {
        foreach ((int old, string path) in List())
        {
            bool mapped;
            lock (_lock) mapped = _mapped.ContainsKey(old);
            if (old < generation && !mapped) File.Delete(path);
        }
    }

    protected override void Release()
    {
        lock (_lock)
        {
            if (_released) return;
            _released = true;
            foreach (MappedFile mapping in _mapped.Values) mapping.Dispose();
            _mapped.Clear();
        }
    }

    private string PathOf(int generation) => Path.Combine(_directory, string.Create(CultureInfo.InvariantCulture, $"{Prefix}{generation:D6}{Suffix}"));
}
