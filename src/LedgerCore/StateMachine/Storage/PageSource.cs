using System.Runtime.InteropServices;

namespace LedgerCore.StateMachine.Storage;

/// <summary>
/// Where a <see cref="NativePagedArray{T}"/> gets its pages: fixed-size blocks of native memory that
/// stay at one address until the source is released, so a <c>ref</c> into a page is stable and another
/// thread (the snapshot writer) may read a page the processor no longer changes. Pages are zeroed.
/// </summary>
internal abstract unsafe partial class PageSource : IDisposable
{
    private const int MadvisePopulateWrite = 23; // Linux 5.14+; older kernels answer EINVAL, and the page faults in when written
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

    /// <summary>
    /// Appends will reach the page at <paramref name="address"/> next: its memory is faulted in on a
    /// pool thread now (fresh pages cost a kernel fault and zeroing per 4 KiB), so the processor, which
    /// appends alone, writes into pages that are already there.
    /// </summary>
    public void Prefault(byte* address)
    {
        if (!OperatingSystem.IsLinux()) return;
        ThreadPool.UnsafeQueueUserWorkItem(static state => _ = Madvise(state.Address, state.Length, MadvisePopulateWrite), (Address: (nint)address, Length: (nuint)PageBytes), preferLocal: false);
    }

    /// <summary>madvise(2): advice on a range of this process's memory (Linux).</summary>
    [LibraryImport("libc", EntryPoint = "madvise")]
    internal static partial int Madvise(nint address, nuint length, int advice);

    /// <summary>A scan in page order is at page <paramref name="page"/>: ask for the two pages after it (and for page 0 at the start).</summary>
    public void ScanFrom(int page)
    {
        if (page == 0) WillNeed(0);
        WillNeed(page + 1);
        WillNeed(page + 2);
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
