using System.Runtime.InteropServices;

namespace LedgerCore.StateMachine.Storage;

/// <summary>
/// The directory of the transfer id index's runs (<see cref="IdRun"/>): writes them (a frozen part of
/// the index, sorted; a merge of runs) in the background, and deletes those that nothing needs: not in
/// use by the index (live, or being written) and not named by a checkpoint still kept.
/// </summary>
internal sealed class IdRunFiles
{
    private readonly Lock _lock = new();
    private readonly HashSet<string> _inUse = new(StringComparer.Ordinal);
    private readonly Dictionary<long, string[]> _named = [];

    // Writes and merges started and perhaps not ended: a closing engine waits for them (see WaitForWrites).
    private readonly List<Task> _running = [];

    // The array a level-0 run is sorted into, kept for the next (32 MiB, not allocated again).
    private IdRunEntry[]? _scratch;

    /// <param name="directory">Created if missing. Runs being written when a process stopped are deleted.</param>
    /// <param name="resume">Keep the runs there (a checkpoint names some); otherwise they are deleted too.</param>
    /// <exception cref="IOException">The directory cannot be created or emptied.</exception>
    public IdRunFiles(string directory, bool resume)
    {
        Directory = directory;
        System.IO.Directory.CreateDirectory(directory);
        foreach (string path in System.IO.Directory.EnumerateFiles(directory, IdRun.Prefix + "*"))
        {
            string name = Path.GetFileName(path);
            if (IdRun.IsRunName(name, temporary: true) || (!resume && IdRun.IsRunName(name))) File.Delete(path);
        }
    }

    public string Directory { get; }

    /// <summary>Ids the id index's table takes before it is frozen into a run: 2M (the table takes 2^22 slots, 40 MiB, and its entries 32 MiB).</summary>
    public const long TableEntries = 1 << 21;

    /// <summary>
    /// Sorts the first <paramref name="count"/> of <paramref name="entries"/> (the records from
    /// <paramref name="first"/> on, one each) in place and writes them as a run of level 0; the caller
    /// leaves them alone until the task ends.
    /// </summary>
    public Task<IdRun> Write(IdRunEntry[] entries, long first, long count)
    {
        Use(IdRun.NameOf(first, first + count));
        return Track(Task.Run(() =>
        {
            IdRunEntry[] scratch = Interlocked.Exchange(ref _scratch, null) is { } spare && spare.Length >= count
                ? spare
                : GC.AllocateUninitializedArray<IdRunEntry>(entries.Length);
            try
            {
                Span<IdRunEntry> sorted = scratch.AsSpan(0, checked((int)count));
                Sort(entries.AsSpan(0, sorted.Length), sorted);
                using var writer = new IdRun.Writer(Directory, first, count, level: 0);
                foreach (IdRunEntry entry in sorted) writer.Add(entry);
                return writer.Finish();
            }
            finally
            {
                _scratch = scratch;
            }
        }));
    }

    /// <summary>
    /// Sorts <paramref name="entries"/> into <paramref name="sorted"/> by key, then index: a counting
    /// sort on the keys' top 16 bits (keys are hashes, so ~32 entries a bucket for 2M), then insertion
    /// sorts of the buckets (a comparison sort for a crowded one). The scatter keeps index order within a bucket. A comparison sort took a
    /// quarter of a core at 1M transfers/s.
    /// </summary>
    internal static void Sort(ReadOnlySpan<IdRunEntry> entries, Span<IdRunEntry> sorted)
    {
        const int Buckets = 1 << 16;
        var starts = new int[Buckets + 1];
        foreach (ref readonly IdRunEntry entry in entries) starts[(int)(entry.Key >> 48) + 1]++;
        for (int b = 0; b < Buckets; b++) starts[b + 1] += starts[b];
        var next = (int[])starts.Clone();
        foreach (ref readonly IdRunEntry entry in entries) sorted[next[(int)(entry.Key >> 48)]++] = entry;
        for (int b = 0; b < Buckets; b++)
        {
            Span<IdRunEntry> bucket = sorted[starts[b]..starts[b + 1]];
            if (bucket.Length > 64)
            {
                // Ids whose hashes crowd one bucket (many equal hashes, say) must not make this quadratic.
                bucket.Sort();
                continue;
            }

            for (int i = 1; i < bucket.Length; i++)
            {
                IdRunEntry entry = bucket[i];
                int j = i - 1;
                for (; j >= 0 && bucket[j].CompareTo(entry) > 0; j--) bucket[j + 1] = bucket[j];
                bucket[j + 1] = entry;
            }
        }
    }

    /// <summary>Merges consecutive runs (oldest first) into one run of their range, a level above theirs.</summary>
    public Task<IdRun> Merge(IdRun[] runs)
    {
        long first = runs[0].First;
        long end = runs[^1].End;
        Use(IdRun.NameOf(first, end));
        return Track(Task.Run(() =>
        {
            using var writer = new IdRun.Writer(Directory, first, end - first, runs[0].Level + 1);
            var cursors = new Cursor[runs.Length];
            for (int i = 0; i < runs.Length; i++) cursors[i] = new Cursor(runs[i]);
            while (true)
            {
                // The smallest entry heads the output; on equal hashes the older run's (lower indexes) first.
                int next = -1;
                for (int i = 0; i < cursors.Length; i++)
                {
                    if (cursors[i].Done) continue;
                    if (next < 0 || cursors[i].Current.CompareTo(cursors[next].Current) < 0) next = i;
                }

                if (next < 0) break;
                writer.Add(cursors[next].Current);
                cursors[next].Advance();
            }

            return writer.Finish();
        }));
    }

    /// <summary>
    /// Waits for every write and merge started here to end (their failures are the index's to report):
    /// a closing engine does, so no task of a closed ledger writes into its directory, where the next
    /// open (of this process or another, once the lock is released) may be writing the same run.
    /// </summary>
    public void WaitForWrites()
    {
        Task[] running;
        lock (_lock) running = [.. _running];
        foreach (Task task in running)
        {
            try
            {
                task.Wait();
            }
            catch (AggregateException)
            {
                // Reported by the index at its next batch boundary, or moot: the ledger is closing.
            }
        }
    }

    private Task<IdRun> Track(Task<IdRun> task)
    {
        lock (_lock)
        {
            _running.RemoveAll(static t => t.IsCompleted);
            _running.Add(task);
        }

        return task;
    }

    /// <summary>Runs the index no longer reads: closed now, their files deleted once no kept checkpoint names them.</summary>
    public void Retire(IdRun[] runs)
    {
        lock (_lock)
        {
            foreach (IdRun run in runs) _inUse.Remove(run.Name);
        }

        foreach (IdRun run in runs) run.Dispose();
    }

    /// <summary>Runs reopened from a checkpoint: in use.</summary>
    public void Adopt(IEnumerable<IdRun> runs)
    {
        foreach (IdRun run in runs) Use(run.Name);
    }

    /// <summary>Records which runs the checkpoint of <paramref name="sequence"/> names (written, or reopened).</summary>
    public void Named(long sequence, string[] names)
    {
        lock (_lock) _named[sequence] = names;
    }

    /// <summary>
    /// Deletes the runs neither in use nor named by the checkpoints of <paramref name="kept"/> (a
    /// checkpoint this process neither wrote nor reopened names none it knows of: its runs go).
    /// </summary>
    /// <exception cref="IOException">A file could not be deleted.</exception>
    public void DeleteExcept(IReadOnlyCollection<long> kept)
    {
        var keep = new HashSet<string>(StringComparer.Ordinal);
        lock (_lock)
        {
            foreach (long sequence in _named.Keys.ToArray())
            {
                if (!kept.Contains(sequence)) _named.Remove(sequence);
            }

            keep.UnionWith(_inUse);
            foreach (string[] names in _named.Values) keep.UnionWith(names);
            bool deleted = false;
            foreach (string path in System.IO.Directory.EnumerateFiles(Directory, IdRun.Prefix + "*" + IdRun.Suffix))
            {
                if (keep.Contains(Path.GetFileName(path))) continue;
                File.Delete(path);
                deleted = true;
            }

            if (deleted) new LedgerCore.Storage.FileStorage(Directory).SyncDirectory();
        }
    }

    private void Use(string name)
    {
        lock (_lock) _inUse.Add(name);
    }

    // Reads a run's entries in order, a block at a time, each verified.
    private sealed class Cursor
    {
        private readonly IdRun _run;
        private readonly byte[] _block = new byte[IdRun.BlockBytes];
        private long _blockNumber = -1;
        private int _at;
        private int _count;

        public Cursor(IdRun run)
        {
            _run = run;
            Advance();
        }

        public bool Done { get; private set; }

        public IdRunEntry Current { get; private set; }

        public void Advance()
        {
            if (++_at < _count)
            {
                Current = MemoryMarshal.Cast<byte, IdRunEntry>(_block)[_at];
                return;
            }

            if (++_blockNumber >= _run.Blocks)
            {
                Done = true;
                return;
            }

            _run.ReadBlock(_blockNumber, _block);
            _count = _run.EntriesIn(_blockNumber);
            _at = 0;
            Current = MemoryMarshal.Cast<byte, IdRunEntry>(_block)[0];
        }
    }
}
