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
    private int _count;

    public int Count => _count;

    public static int ItemsPerPage => PageSize;

    /// <summary>
    /// The pages holding items [0, <see cref="Count"/>), for a reader on another thread: items below
    /// the count at the time of the call must not be changed afterwards (append-only use).
    /// </summary>
    public T[][] BorrowPages() => (T[][])_pages.Clone();

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

    public ref T this[int index]
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get
        {
            Debug.Assert((uint)index < (uint)_count);
            return ref _pages[index >> PageShift][index & PageMask];
        }
    }

    /// <summary>Appends <paramref name="item"/> and returns its index.</summary>
    public int Add(in T item)
    {
        int index = _count;
        int page = index >> PageShift;
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
        int index = _count;
        int page = index >> PageShift;
        if ((index & PageMask) == 0 && (page >= _pages.Length || _pages[page] is null))
        {
            AddPage(page);
        }

        int n = Math.Min(count, PageSize - (index & PageMask));
        _count = index + n;
        return _pages[page].AsSpan(index & PageMask, n);
    }

    /// <summary>Allocates the pages for the first <paramref name="capacity"/> items now, so adding them allocates nothing.</summary>
    public void Reserve(int capacity)
    {
        for (int page = 0; page < (capacity + PageSize - 1) >> PageShift; page++)
        {
            if (page >= _pages.Length || _pages[page] is null) AddPage(page);
        }
    }

    /// <summary>Forgets the items at <paramref name="count"/> and after (pages stay allocated for reuse).</summary>
    public void Truncate(int count)
    {
        Debug.Assert(count >= 0 && count <= _count);
        for (int i = count; i < _count; i++)
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
