namespace LedgerCore.StateMachine.Storage;

/// <summary>
/// A reader's view of a <see cref="NativePagedArray{T}"/>'s pages, taken on the processor and read on
/// another thread (the snapshot writer). It holds the page source, so the pages outlive the machine
/// for as long as the view is in use.
/// </summary>
internal readonly unsafe struct NativePages<T>(PageSource source, T*[] pages, int pageSize)
    where T : unmanaged
{
    public PageSource Source => source;

    public int PageSize => pageSize;

    /// <summary>The first <paramref name="count"/> items of page <paramref name="page"/>, the pages after it asked for (a scan reads on).</summary>
    public ReadOnlySpan<T> Page(int page, int count)
    {
        source.ScanFrom(page);
        return new(pages[page], count);
    }

    public ref readonly T this[long index] => ref pages[index / pageSize][index % pageSize];
}
