using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace LedgerCore.StateMachine.Storage;

/// <summary>
/// Software prefetch of one cache line. In a ledger larger than the CPU caches, applying a transfer
/// is bound by a handful of random memory loads (id index, accounts, account logs); issuing them a few
/// events early lets those misses overlap instead of queueing. A prefetch is only a hint: it never
/// faults, changes no state, and a stale address (the GC moved an array) just wastes it.
/// </summary>
internal static class Prefetcher
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Line<T>(ref T location)
    {
        if (Sse.IsSupported)
        {
            Sse.Prefetch0(Unsafe.AsPointer(ref location));
        }
    }

    /// <summary>
    /// Every line of a 128-byte record. Array elements are not cache-line aligned, so a record spans
    /// two or three lines, and the balances sit on both sides of the first boundary.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Record<T>(ref T location) where T : unmanaged
    {
        if (Sse.IsSupported)
        {
            byte* start = (byte*)Unsafe.AsPointer(ref location);
            Sse.Prefetch0(start);
            Sse.Prefetch0(start + 64);
            Sse.Prefetch0(start + sizeof(T) - 1);
        }
    }
}
