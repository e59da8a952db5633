using System.Runtime.CompilerServices;

namespace LedgerCore.StateMachine.Storage;

/// <summary>
/// The transfer id index. In memory (the default) one <see cref="IdIndex{TSource}"/> holds every id.
/// With the stores in files, that hash table holds only the newest ids (at most
/// <see cref="IdRunFiles.TableEntries"/> and a batch): at a batch boundary once it is full, or when a checkpoint
/// is taken, it is frozen and written in the background as a sorted run on disk
/// (<see cref="IdRun"/>), and a fresh one takes the adds; four runs of a level are merged into one of
/// the next (a tiered merge in the background, like an LSM tree's). A lookup tries the table, the frozen
/// tables whose runs are not written yet, then the runs newest first: each run's filter rules out an
/// absent id with one memory access (prefetched with the rest of the batch), and only a match reads a
/// block. So memory holds two tables and about 2 B per older id, not 13-27 B per id, and a checkpoint
/// names immutable runs instead of copying a table of gigabytes (docs/storage.md).
/// </summary>
/// <remarks>
/// Results never depend on what is written or merged yet: a frozen table is searched until its run
/// replaces it at a batch boundary, and a merged run replaces its inputs, which hold the same entries.
/// A run write or merge that fails (a full disk) fails the next batch boundary with its
/// <see cref="IOException"/>, as a store append does.
/// </remarks>
internal sealed class LayeredIdIndex<TSource> where TSource : struct, IIdSource
{
    /// <summary>Runs of one level merged into one of the next.</summary>
    public const int Fanout = 4;

    private readonly TSource _source;
    private readonly IdRunFiles? _files;
    private readonly long _memtableEntries;
    private IdIndex<TSource> _memtable;

    // The first record the table holds; below it, every id is in a frozen table or a run.
    private long _memtableFirst;

    // With runs: the (hash, index) of record _memtableFirst + i at i, the run's entries once frozen.
    private IdRunEntry[]? _entries;

    // The entries of the last run installed, for the next table to take (32 MiB not allocated again).
    private IdRunEntry[]? _spare;
    private readonly List<Frozen> _frozen = [];
    private IdRun[] _runs = [];
    private (Task<IdRun> Task, IdRun[] Inputs)? _merge;

    /// <summary>An index in memory only (<paramref name="prints"/>: see <see cref="IdIndex{TSource}"/>).</summary>
    public LayeredIdIndex(TSource source, bool prints = false)
    {
        _source = source;
        _memtable = new IdIndex<TSource>(source, prints: prints);
    }

    /// <summary>An index whose older ids are runs in <paramref name="files"/> (<paramref name="runs"/>, reopened from a checkpoint, cover every record stored).</summary>
    public LayeredIdIndex(TSource source, IdRunFiles files, IdRun[]? runs = null, long memtableEntries = IdRunFiles.TableEntries)
    {
        _source = source;
        _files = files;
        _memtableEntries = memtableEntries;
        _memtable = NewMemtable();
        _entries = NewEntries();
        if (runs is not null)
        {
            _runs = [.. runs];
            Array.Reverse(_runs);
            _memtableFirst = runs.Length == 0 ? 0 : runs[^1].End;
            files.Adopt(runs);
        }
    }

    /// <summary>Ids indexed.</summary>
    public long Count => _memtableFirst + _memtable.Count;

    /// <summary>Runs on disk (for tests and metrics).</summary>
    internal int RunCount => _runs.Length;

    /// <summary>The runs' levels, newest first (for tests).</summary>
    internal int[] RunLevels
    {
        get
        {
            var levels = new int[_runs.Length];
            for (int i = 0; i < levels.Length; i++) levels[i] = _runs[i].Level;
            return levels;
        }
    }

    /// <summary>Whether a merge is under way (for tests).</summary>
    internal bool Merging => _merge is not null;

    /// <summary>The index of the record with <paramref name="id"/>, or -1.</summary>
    /// <exception cref="LedgerCorruptedException">A run's block read fails its checksum.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public long Find(UInt128 id)
    {
        long index = _memtable.Find(id);
        return index >= 0 || _files is null ? index : FindOlder(id);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private long FindOlder(UInt128 id)
    {
        for (int i = _frozen.Count - 1; i >= 0; i--)
        {
            long index = _frozen[i].Table.Find(id);
            if (index >= 0) return index;
        }

        ulong key = IdIndex<TSource>.Hash(id);
        foreach (IdRun run in _runs)
        {
            long index = run.Find(key, id, _source);
            if (index >= 0) return index;
        }

        return -1;
    }

    /// <summary>Prefetches what a <see cref="Find"/> of <paramref name="id"/> reads first: its table slot and each run's filter block.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Prefetch(UInt128 id)
    {
        _memtable.Prefetch(id);
        IdRun[] runs = _runs;
        if (runs.Length == 0) return;
        ulong key = IdIndex<TSource>.Hash(id);
        foreach (IdRun run in runs) run.Prefetch(key);
    }

    /// <summary>Adds <paramref name="index"/>, the newest record, whose id is not indexed yet.</summary>
    public void Add(long index)
    {
        ulong key = IdIndex<TSource>.Hash(_source.IdAt(index));
        _memtable.Add(index, key);
        if (_entries is null) return;
        long at = index - _memtableFirst;
        if ((ulong)at >= (ulong)_entries.Length) throw new InvalidOperationException($"The id index's table took {at} ids without a batch boundary to freeze it at.");
        _entries[at] = new IdRunEntry(key, index);
    }

    /// <summary>Removes the entry of <paramref name="id"/>, added in the batch being applied (a rolled-back chain).</summary>
    public void Remove(UInt128 id) => _memtable.Remove(id);

    /// <summary>Makes room for <paramref name="capacity"/> ids (in memory: the table; with runs the table's size is fixed).</summary>
    public void EnsureCapacity(long capacity)
    {
        if (_files is null) _memtable.EnsureCapacity(capacity);
    }

    /// <summary>
    /// Once per batch, at its boundary: moves a share of a table's growth, installs the runs written and
    /// merged since, starts the next merge, and freezes a full table.
    /// </summary>
    /// <exception cref="IOException">A run could not be written or merged.</exception>
    public void Step()
    {
        _memtable.Step();
        if (_files is null) return;
        Install();
        if (_memtable.Count >= _memtableEntries) Freeze();
    }

    /// <summary>
    /// For a checkpoint, at a batch boundary: freezes the table, and returns the runs that then hold every
    /// id, oldest first (some still being written: the checkpoint's writer waits for them).
    /// </summary>
    public Task<IdRun>[] Capture()
    {
        if (_files is null) throw new InvalidOperationException("An id index in memory has no runs to name.");
        Install();
        Freeze();
        var runs = new Task<IdRun>[_runs.Length + _frozen.Count];
        for (int i = 0; i < _runs.Length; i++) runs[i] = Task.FromResult(_runs[_runs.Length - 1 - i]);
        for (int i = 0; i < _frozen.Count; i++) runs[_runs.Length + i] = _frozen[i].Run;
        return runs;
    }

    /// <summary>Waits for the runs being written and the merge under way, and installs them (tests: a crash of a process stops its tasks; one in-process machine's go on).</summary>
    internal void WaitForRuns()
    {
        foreach (Frozen frozen in _frozen) frozen.Run.Wait();
        Install();

        // Each merge installed may start the next (cascading up the levels): bounded by the runs there are.
        for (int merges = 0; _merge is { } merge && merges <= _runs.Length; merges++)
        {
            merge.Task.Wait();
            Install();
        }
    }

    /// <summary>Freezes the table if it is full (restores, which have no batches).</summary>
    public void FreezeIfFull()
    {
        if (_files is not null && _memtable.Count >= _memtableEntries) Freeze();
    }

    private void Freeze()
    {
        long count = _memtable.Count;
        if (count == 0) return;
        _frozen.Add(new Frozen(_memtable, _files!.Write(_entries!, _memtableFirst, count), _entries!));
        _memtableFirst += count;
        _memtable = NewMemtable();
        _entries = NewEntries();
    }

    private void Install()
    {
        while (_frozen.Count > 0 && _frozen[0].Run.IsCompleted)
        {
            Frozen frozen = _frozen[0];
            IdRun run = frozen.Run.GetAwaiter().GetResult();
            _frozen.RemoveAt(0);
            frozen.Table.Free();
            _spare = frozen.Entries;
            _runs = [run, .. _runs];
        }

        if (_merge is { } merge && merge.Task.IsCompleted)
        {
            IdRun merged = merge.Task.GetAwaiter().GetResult();
            _merge = null;
            int at = Array.IndexOf(_runs, merge.Inputs[^1]);
            var runs = new IdRun[_runs.Length - merge.Inputs.Length + 1];
            _runs.AsSpan(0, at).CopyTo(runs);
            runs[at] = merged;
            _runs.AsSpan(at + merge.Inputs.Length).CopyTo(runs.AsSpan(at + 1));
            _runs = runs;
            _files!.Retire(merge.Inputs);
        }

        if (_merge is null) StartMerge();
    }

    // Levels fall from the oldest run to the newest, so the newest group of Fanout runs of one level is
    // the lowest level's: its oldest Fanout are merged (their place in the order is the merged run's).
    private void StartMerge()
    {
        for (int start = 0; start < _runs.Length;)
        {
            int end = start + 1;
            while (end < _runs.Length && _runs[end].Level == _runs[start].Level) end++;
            if (end - start >= Fanout)
            {
                var inputs = new IdRun[Fanout];
                for (int i = 0; i < Fanout; i++) inputs[i] = _runs[end - 1 - i];
                _merge = (_files!.Merge(inputs), inputs);
                return;
            }

            start = end;
        }
    }

    private long EntryCapacity => _memtableEntries + LedgerStateMachine.BatchEventsMax;

    private IdIndex<TSource> NewMemtable() => new(_source, EntryCapacity, prints: true);

    private IdRunEntry[] NewEntries()
    {
        IdRunEntry[] entries = _spare ?? GC.AllocateUninitializedArray<IdRunEntry>(checked((int)EntryCapacity));
        _spare = null;
        return entries;
    }

    private sealed record Frozen(IdIndex<TSource> Table, Task<IdRun> Run, IdRunEntry[] Entries);
}
