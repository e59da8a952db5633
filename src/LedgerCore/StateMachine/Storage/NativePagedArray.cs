using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace LedgerCore.StateMachine.Storage;

/// <summary>
/// <see cref="PagedArray{T}"/> for records without references, in pages of native memory from a
/// <see cref="PageSource"/> (in process memory, or mapped from files on disk): the same append-only
/// array with stable addresses, but its megabytes are not the garbage collector's to scan, and where
/// they live is the source's choice, not the state machine's.
/// </summary>
internal sealed unsafe class NativePagedArray<T>
    where T : unmanaged
{
    private const int PageShift = 14;
    private const int PageSize = 1 << PageShift;
    private const int PageMask = PageSize - 1;

    private readonly PageSource _source;
    private T*[] _pages = new T*[4];
    private int _pageCount;
    private long _count;

    public NativePagedArray(PageSource source)
    {
        Debug.Assert(source.PageBytes == PageBytes);
        _source = source;
    }

    /// <summary>The page size a <see cref="PageSource"/> for this array must have.</summary>
    public static int PageBytes => PageSize * sizeof(T);

    public static int ItemsPerPage => PageSize;

    public long Count => _count;

    /// <summary>Where the pages come from.</summary>
    public PageSource Source => _source;

    public ref T this[long index]
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            Debug.Assert((ulong)index < (ulong)_count);
            return ref _pages[(int)(index >> PageShift)][index & PageMask];
        }
    }

    /// <summary>
    /// The pages holding items [0, <see cref="Count"/>), for a reader on another thread: items below
    /// the count at the time of the call must not be changed afterwards (append-only use).
    /// </summary>
    public NativePages<T> BorrowPages() => new(_source, (T*[])_pages.Clone(), PageSize);

    /// <summary>The address of each page allocated so far, by page number.</summary>
    public nint[] PageAddresses()
    {
        var addresses = new nint[_pageCount];
        for (int page = 0; page < _pageCount; page++) addresses[page] = (nint)_pages[page];
        return addresses;
    }

    /// <summary>A copy of items [0, <see cref="Count"/>) in arrays of at most <see cref="ItemsPerPage"/>, for a reader on another thread while the items change.</summary>
    public T[][] CopyPages()
    {
        var pages = new T[(int)((_count + PageSize - 1) >> PageShift)][];
        for (int page = 0; page < pages.Length; page++)
        {
            pages[page] = new ReadOnlySpan<T>(_pages[page], (int)Math.Min(PageSize, _count - ((long)page << PageShift))).ToArray();
        }

        return pages;
    }

    /// <summary>
    /// For a scan in index order, called with each index it reads: at a page boundary the source is
    /// asked to read in the pages ahead (a no-op in memory; without it a scan of files mapped for random
    /// reads would fault in one 4 KiB page at a time).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void ScanAhead(long index)
    {
        if ((index & PageMask) == 0) _source.ScanFrom((int)(index >> PageShift));
    }

    /// <summary>Item <paramref name="index"/> will be read soon: where pages are files, its read starts now (reads of many items overlap).</summary>
    public void WillRead(long index) => _source.WillRead((byte*)(_pages[(int)(index >> PageShift)] + (index & PageMask)), sizeof(T));

    /// <summary>Appends <paramref name="item"/> and returns its index.</summary>
    public long Add(in T item)
    {
        long index = _count;
        if ((index & PageMask) == 0) Start((int)(index >> PageShift));
        _pages[(int)(index >> PageShift)][index & PageMask] = item;
        _count = index + 1;
        return index;
    }

    /// <summary>Appends up to <paramref name="count"/> items in place and returns them for the caller to fill: at most what is left of the current page.</summary>
    public Span<T> AppendInPlace(int count)
    {
        long index = _count;
        if ((index & PageMask) == 0) Start((int)(index >> PageShift));
        int n = Math.Min(count, PageSize - (int)(index & PageMask));
        _count = index + n;
        return new Span<T>(_pages[(int)(index >> PageShift)] + (index & PageMask), n);
    }

    /// <summary>
    /// Makes an empty array start at index <paramref name="first"/>: the items below it read as zeros
    /// from one shared page and are never written. For tests of 64-bit addressing at synthetic offsets
    /// (an index past 2^32 without 2^32 items before it).
    /// </summary>
    internal void StartAt(long first)
    {
        Debug.Assert(_count == 0 && _pageCount == 0);
        int page = checked((int)(first >> PageShift));
        _pages = new T*[page + 4];
        if (page > 0)
        {
            T* hole = (T*)_source.Allocate(0);
            for (int p = 0; p < page; p++) _pages[p] = hole;
        }

        _pageCount = page;
        AddPage();
        _count = first;
    }

    /// <summary>
    /// Makes an empty array hold the <paramref name="count"/> items its source's pages already have (a
    /// source reopened on files a checkpoint named): nothing is written; appends go on after them.
    /// </summary>
    public void Adopt(long count)
    {
        Debug.Assert(_count == 0 && _pageCount == 0);
        Reserve(count);
        _count = count;
        if (count > 0) _source.Started((int)((count - 1) >> PageShift));
    }

    /// <summary>Allocates the pages for the first <paramref name="capacity"/> items now, so adding them allocates nothing.</summary>
    public void Reserve(long capacity)
    {
        int pages = checked((int)((capacity + PageSize - 1) >> PageShift));
        while (_pageCount < pages) AddPage();
    }

    /// <summary>Forgets the items at <paramref name="count"/> and after (pages stay allocated for reuse).</summary>
    public void Truncate(long count)
    {
        Debug.Assert(count >= 0 && count <= _count);
        for (long i = count; i < _count; i++) this[i] = default;
        _count = count;
    }

    // Appends reach page `page`: allocate it unless reserved (or kept by a truncation), tell the source,
    // and have the page after it allocated and faulted in ahead of the appends.
    private void Start(int page)
    {
        while (_pageCount <= page) AddPage();
        _source.Started(page);
        if (_pageCount == page + 1)
        {
            AddPage();
            _source.Prefault((byte*)_pages[page + 1]);
        }
    }

    private void AddPage()
    {
        if (_pageCount == _pages.Length)
        {
            var pages = new T*[_pages.Length * 2];
            _pages.CopyTo(pages, 0);
            _pages = pages;
        }

        _pages[_pageCount] = (T*)_source.Allocate(_pageCount);
        _pageCount++;
    }
}
