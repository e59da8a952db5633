using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace LedgerCore.StateMachine.Storage;

/// <summary>
/// An append-only array in fixed pages. Why not <c>List&lt;T&gt;</c>: growth never copies what is
/// stored (a 10M-transfer ledger would otherwise copy 1 GiB and hold twice its size while doing so),
/// and the slack is at most one page.
/// </summary>
internal sealed class PagedArray<T>
{
    private const int PageShift = 14;
    private const int PageSize = 1 << PageShift;
    private const int PageMask = PageSize - 1;

    private T[][] _pages = new T[4][];
    private long _count;

    public long Count => _count;

    public static int ItemsPerPage => PageSize;

    /// <summary>
    /// The pages holding items [0, <see cref="Count"/>), for a reader on another thread: items below
    /// the count at the time of the call must not be changed afterwards (append-only use).
    /// </summary>
    public T[][] BorrowPages() => (T[][])_pages.Clone();

    /// <summary>A copy of every item, page by page (the last page cut to what it holds): for a count that may pass an array's length.</summary>
    public T[][] CopyPages()
    {
        var pages = new T[(int)((_count + PageSize - 1) >> PageShift)][];
        for (int page = 0; page < pages.Length; page++)
        {
            pages[page] = _pages[page].AsSpan(0, (int)Math.Min(PageSize, _count - ((long)page << PageShift))).ToArray();
        }

        return pages;
    }

    /// <summary>Copies the first <paramref name="count"/> items into a new array.</summary>
    public T[] ToArray(int count)
    {
        var items = new T[count];
        for (int start = 0; start < count; start += PageSize)
        {
            _pages[start >> PageShift].AsSpan(0, Math.Min(PageSize, count - start)).CopyTo(items.AsSpan(start));
        }

        return items;
    }

    public ref T this[long index]
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            Debug.Assert((ulong)index < (ulong)_count);
            return ref _pages[(int)(index >> PageShift)][index & PageMask];
        }
    }

    /// <summary>Appends <paramref name="item"/> and returns its index.</summary>
    public long Add(in T item)
    {
        long index = _count;
        int page = (int)(index >> PageShift);
        if ((index & PageMask) == 0 && (page >= _pages.Length || _pages[page] is null))
        {
            AddPage(page);
        }

        _pages[page][index & PageMask] = item;
        _count = index + 1;
        return index;
    }

    /// <summary>
    /// Appends up to <paramref name="count"/> items in place and returns them for the caller to fill
    /// (bulk loads read straight into storage): at most what is left of the current page.
    /// </summary>
    public Span<T> AppendInPlace(int count)
    {
        long index = _count;
        int page = (int)(index >> PageShift);
        if ((index & PageMask) == 0 && (page >= _pages.Length || _pages[page] is null))
        {
            AddPage(page);
        }

        int n = Math.Min(count, PageSize - (int)(index & PageMask));
        _count = index + n;
        return _pages[page].AsSpan((int)(index & PageMask), n);
    }

    /// <summary>As <see cref="NativePagedArray{T}.StartAt"/>: an empty array starting at index <paramref name="first"/>, for tests at synthetic offsets.</summary>
    internal void StartAt(long first)
    {
        Debug.Assert(_count == 0);
        int page = checked((int)(first >> PageShift));
        _pages = new T[page + 4][];
        var hole = new T[PageSize];
        for (int p = 0; p < page; p++) _pages[p] = hole;
        AddPage(page);
        _count = first;
    }

    /// <summary>Allocates the pages for the first <paramref name="capacity"/> items now, so adding them allocates nothing.</summary>
    public void Reserve(long capacity)
    {
        for (int page = 0; page < (capacity + PageSize - 1) >> PageShift; page++)
        {
            if (page >= _pages.Length || _pages[page] is null) AddPage(page);
        }
    }

    /// <summary>Forgets the items at <paramref name="count"/> and after (pages stay allocated for reuse).</summary>
    public void Truncate(long count)
    {
        Debug.Assert(count >= 0 && count <= _count);
        for (long i = count; i < _count; i++)
        {
            this[i] = default!;
        }

        _count = count;
    }

    private void AddPage(int page)
    {
        if (page >= _pages.Length)
        {
            Array.Resize(ref _pages, Math.Max(_pages.Length * 2, page + 1));
        }

        _pages[page] = new T[PageSize];
    }
}
