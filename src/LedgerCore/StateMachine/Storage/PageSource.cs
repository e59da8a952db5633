namespace LedgerCore.StateMachine.Storage;

/// <summary>
/// Where a <see cref="NativePagedArray{T}"/> gets its pages: fixed-size blocks of native memory that
/// stay at one address until the source is released, so a <c>ref</c> into a page is stable and another
/// thread (the snapshot writer) may read a page the processor no longer changes. Pages are zeroed.
/// </summary>
internal abstract unsafe class PageSource : IDisposable
{
    protected PageSource(int pageBytes) => PageBytes = pageBytes;

    /// <summary>The size of every page in bytes.</summary>
    public int PageBytes { get; }

    /// <summary>Bytes of pages handed out so far.</summary>
    public long AllocatedBytes { get; protected set; }

    /// <summary>Returns page <paramref name="page"/> (pages are requested in order 0, 1, 2, ...).</summary>
    /// <exception cref="IOException">A file-backed page could not be created (disk full, I/O error).</exception>
    public abstract byte* Allocate(int page);

    /// <summary>Told that appends have moved on to page <paramref name="page"/>: a source with a resident budget releases old pages here.</summary>
    public virtual void Started(int page)
    {
    }

    /// <summary>A scan will read page <paramref name="page"/> soon (if it exists): a file-backed source starts reading it in.</summary>
    public virtual void WillNeed(int page)
    {
    }

    /// <summary>
    /// A read of the <paramref name="length"/> bytes at <paramref name="address"/> (in one of this source's
    /// pages) follows soon: a file-backed source starts reading them in, so several such reads overlap.
    /// </summary>
    public virtual void WillRead(byte* address, int length)
    {
    }

    /// <summary>
    /// Told by a reader on another thread (the snapshot writer) that it is done with page
    /// <paramref name="page"/>: a source with a resident budget drops it unless it is among the newest.
    /// </summary>
    public virtual void Done(int page)
    {
    }

    public void Dispose()
    {
        Release(disposing: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Frees (or unmaps) every page; nothing may touch them afterwards. From the finalizer
    /// (<paramref name="disposing"/> false) only native memory is freed: mapped views are safe handles with finalizers of their own.</summary>
    protected abstract void Release(bool disposing);

    ~PageSource() => Release(disposing: false);
}
