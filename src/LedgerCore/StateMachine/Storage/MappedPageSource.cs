namespace LedgerCore.StateMachine.Storage;

/// <summary>
/// Pages in files on disk (docs/storage.md, "transfer segments"): each segment file holds a fixed
/// number of pages, is allocated in full when created (so a full disk fails here, as an
/// <see cref="IOException"/>, never later as a fault on a page) and is mapped shared into the process.
/// The kernel writes dirty pages back on its own; the process keeps about <c>residentBytes</c> of the
/// newest pages mapped in: as appends move to a new page, the page leaving that window is dropped
/// from the process (its bytes stay in the file and the page cache, and a later read maps them back),
/// and once a second a timer drops everything older again, so pages read back by lookups, queries or
/// a digest leave the resident set within a second, appends or not.
/// The files are durable state only from the checkpoint that flushed them (<see cref="Flush"/>) and
/// named their lengths (snapshot format 5, docs/storage.md): a source opened to resume from such a
/// checkpoint keeps them; one opened afresh empties the directory of them first.
/// </summary>
internal sealed unsafe class MappedPageSource : PageSource
{
    /// <summary>Pages per segment file.</summary>
    public const int SegmentPages = 64;

    private static readonly TimeSpan SweepPeriod = TimeSpan.FromSeconds(1);

    private readonly string _directory;
    private readonly string _prefix;
    private readonly int _residentPages;
    private readonly List<MappedFile> _segments = [];
    private readonly Lock _lock = new();
    private bool _released;
    private int _newest = -1;
    private readonly Timer? _sweeper;

    /// <param name="directory">Created if missing; files in it named like this source's segments are deleted unless <paramref name="resume"/>.</param>
    /// <param name="prefix">What the segment files are named after (<c>&lt;prefix&gt;-&lt;first page&gt;.seg</c>): sources of different arrays share a directory.</param>
    /// <param name="pageBytes">A multiple of the OS page size.</param>
    /// <param name="residentBytes">How many bytes of the newest pages stay mapped in (at least two pages are).</param>
    /// <param name="resume">Keep the segment files there: a checkpoint names their contents (<see cref="RequireExisting"/>).</param>
    /// <exception cref="IOException">The directory cannot be created or emptied.</exception>
    public MappedPageSource(string directory, string prefix, int pageBytes, long residentBytes, bool resume = false)
        : base(pageBytes)
    {
        _directory = directory;
        _prefix = prefix;
        _residentPages = (int)Math.Clamp(residentBytes / pageBytes, 2, int.MaxValue);
        Directory.CreateDirectory(directory);
        if (!resume)
        {
            foreach (string stale in Directory.EnumerateFiles(directory, $"{prefix}-*.seg")) File.Delete(stale);
        }

        if (OperatingSystem.IsLinux()) _sweeper = new Timer(static state => ((MappedPageSource)state!).Sweep(), this, SweepPeriod, SweepPeriod);
    }

    public override byte* Allocate(int page)
    {
        int segment = page / SegmentPages;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_released, this);
            while (_segments.Count <= segment) _segments.Add(NewSegment(SegmentPath(_segments.Count), (long)SegmentPages * PageBytes));
        }

        AllocatedBytes += PageBytes;
        return _segments[segment].Base + ((long)(page % SegmentPages) * PageBytes);
    }

    /// <summary>
    /// Checks that the segment files holding pages [0, <paramref name="pages"/>) are there at their full
    /// length, before a restore maps them: a missing one would otherwise be created afresh, as zeros.
    /// </summary>
    /// <exception cref="LedgerCorruptedException">A segment file is missing or short.</exception>
    public void RequireExisting(int pages)
    {
        long bytes = (long)SegmentPages * PageBytes;
        for (int segment = 0; (long)segment * SegmentPages < pages; segment++)
        {
            var file = new FileInfo(SegmentPath(segment));
            if (!file.Exists || file.Length < bytes)
            {
                throw new LedgerCorruptedException($"Ledger data is corrupted in '{file.FullName}': the checkpoint names {pages} pages of {_prefix}, and this file is {(file.Exists ? "short" : "missing")}.");
            }
        }
    }

    /// <summary>
    /// Makes every page written so far durable (fsync of each segment file; the kernel writes the
    /// mapped pages' changes with it). A checkpoint calls this before it names the files.
    /// </summary>
    /// <exception cref="IOException">A file could not be synced.</exception>
    public void Flush()
    {
        MappedFile[] segments;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_released, this);
            segments = [.. _segments];
        }

        foreach (MappedFile segment in segments) segment.Flush();
    }

    // An existing file is one a resumed source kept (the directory is emptied otherwise). Reads of old
    // transfers are random (lookups, posts of old pendings): no readahead around them. Scans (digest,
    // snapshot) ask for their next pages instead (WillNeed).
    private static MappedFile NewSegment(string path, long bytes)
    {
        MappedFile segment = MappedFile.Create(path, bytes, FileMode.OpenOrCreate);
        if (OperatingSystem.IsLinux()) _ = Madvise((nint)segment.Base, (nuint)bytes, MadviseRandom);
        return segment;
    }

    private string SegmentPath(int segment) => Path.Combine(_directory, $"{_prefix}-{segment * SegmentPages:D10}.seg");

    public override void Started(int page)
    {
        Volatile.Write(ref _newest, page);
        if (!OperatingSystem.IsLinux()) return;
        int leaving = page - _residentPages;
        if (leaving >= 0) Drop(leaving, 1);
    }

    public override void WillNeed(int page)
    {
        if (OperatingSystem.IsLinux() && page >= 0 && page <= Volatile.Read(ref _newest)) Advise(page, 1, MadviseWillNeed);
    }

    public override void WillRead(byte* address, int length)
    {
        if (!OperatingSystem.IsLinux()) return;
        long start = (long)address & ~(OsPageBytes - 1);
        long end = ((long)address + length + OsPageBytes - 1) & ~(OsPageBytes - 1);
        _ = Madvise((nint)start, (nuint)(end - start), MadviseWillNeed);
    }

    public override void Done(int page)
    {
        if (OperatingSystem.IsLinux() && page <= Volatile.Read(ref _newest) - _residentPages) Drop(page, 1);
    }

    protected override void Release(bool disposing)
    {
        if (!disposing) return;
        _sweeper?.Dispose();
        lock (_lock)
        {
            if (_released) return;
            _released = true;
            foreach (MappedFile segment in _segments) segment.Dispose();
            _segments.Clear();
        }
    }

    // On the timer's thread: everything below the window, whatever reads mapped back since the last sweep.
    private void Sweep()
    {
        int below = Volatile.Read(ref _newest) - _residentPages + 1;
        if (below > 0) Drop(0, below);
    }

    // Unmaps pages [first, first + count) from the process; shared file pages keep their contents.
    private void Drop(int first, int count) => Advise(first, count, MadviseDontNeed);

    private void Advise(int first, int count, int advice)
    {
        // Under the lock: the snapshot writer drops pages from its own thread while segments are added.
        using Lock.Scope scope = _lock.EnterScope();
        if (_released) return;
        int end = first + count;
        for (int page = first; page < end;)
        {
            int segment = page / SegmentPages;
            int inSegment = Math.Min(end - page, SegmentPages - (page % SegmentPages));
            byte* start = _segments[segment].Base + ((long)(page % SegmentPages) * PageBytes);
            _ = Madvise((nint)start, (nuint)((long)inSegment * PageBytes), advice);
            page += inSegment;
        }
    }

    private const int MadviseRandom = 1;
    private const long OsPageBytes = 4096;
    private const int MadviseWillNeed = 3;
    private const int MadviseDontNeed = 4;
}
