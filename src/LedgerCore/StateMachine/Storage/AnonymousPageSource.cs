using System.Runtime.InteropServices;

namespace LedgerCore.StateMachine.Storage;

/// <summary>
/// Pages of native process memory: the state machine's records in memory, as before, but outside the
/// managed heap, so megabytes of append-only records never trigger or lengthen garbage collections.
/// Released when the engine closes, or by the finalizer once the machine is unreachable. The GC is not
/// told of the memory (<c>AddMemoryPressure</c> made it run extra full collections under load): a page
/// costs resident memory only where it has been written.
/// </summary>
internal sealed unsafe class AnonymousPageSource(int pageBytes) : PageSource(pageBytes)
{
    private readonly List<nint> _pages = [];
    private readonly Lock _lock = new();

    public override byte* Allocate(int page)
    {
        var memory = (byte*)NativeMemory.AllocZeroed((nuint)PageBytes);
        lock (_lock) _pages.Add((nint)memory);
        AllocatedBytes += PageBytes;
        return memory;
    }

    protected override void Release(bool disposing)
    {
        lock (_lock)
        {
            foreach (nint memory in _pages)
            {
                NativeMemory.Free((void*)memory);
            }

            _pages.Clear();
        }
    }
}
