using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace LedgerCore.StateMachine.Storage;

/// <summary>
/// A split-block Bloom filter over an id run's keys: 16 bits per key in blocks of 32 bytes (one cache
/// line's half), eight bits a key, one in each 32-bit word of the key's block, so a probe is one
/// memory access that the apply path prefetches. About 0.1% of absent keys pass it; each costs one
/// block read of the run. Why a filter at all: nearly every id a batch brings is new, and without one
/// each would read a block of every run.
/// </summary>
/// <remarks>
/// The block is chosen by the key's top bits (keys are hashes already), so a run written in key order
/// fills its filter front to back instead of at random, which made building the filters of large
/// merges a cache miss per key. The bits within the block come from a second hash of the key
/// (<see cref="Bits"/>). Filters of 2 MiB and more ask for huge pages: probes of a dozen filters per
/// new id otherwise miss the TLB on each.
/// </remarks>
internal readonly unsafe struct IdFilter
{
    /// <summary>Bits of filter per key.</summary>
    public const int BitsPerKey = 16;

    /// <summary>Bytes of one block.</summary>
    public const int BlockBytes = 32;

    // Odd constants that spread a key's low 32 bits over the eight words (those of Parquet's filter).
    private static ReadOnlySpan<uint> Salts => [0x47b6137bU, 0x44974d91U, 0x8824ad5bU, 0xa2b7289dU, 0x705495c7U, 0x2df1424bU, 0x9efc4947U, 0x5c6bfb31U];

    private readonly uint* _words;

    private IdFilter(byte* bytes, long blocks)
    {
        _words = (uint*)bytes;
        Blocks = blocks;
    }

    /// <summary>Where the filter's bytes are.</summary>
    public byte* Address => (byte*)_words;

    /// <summary>Blocks in the filter.</summary>
    public long Blocks { get; }

    /// <summary>Bytes of the filter.</summary>
    public long Bytes => Blocks * BlockBytes;

    /// <summary>The blocks a filter over <paramref name="keys"/> keys takes.</summary>
    public static long BlocksFor(long keys) => Math.Max(1, ((keys * BitsPerKey) + (BlockBytes * 8) - 1) / (BlockBytes * 8));

    // The bits within a key's block: from a second hash of the key, independent of the top bits that
    // choose the block (and of the id index's low bits, weak for sequential ids).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Bits(ulong key)
    {
        key ^= key >> 33;
        key = unchecked(key * 0xff51afd7ed558ccdUL);
        return unchecked((uint)(key ^ (key >> 33)));
    }

    /// <summary>Zeroed memory for a filter of <paramref name="blocks"/> blocks (cache-line aligned; huge pages asked for from 2 MiB); free with <see cref="Free"/>.</summary>
    private static byte* Allocate(long blocks)
    {
        const int HugePage = 2 << 20;
        const int MadviseHugePage = 14;
        nuint bytes = (nuint)(blocks * BlockBytes);
        bool huge = bytes >= HugePage;
        var memory = (byte*)NativeMemory.AlignedAlloc(bytes, huge ? (nuint)HugePage : 64);
        if (huge && OperatingSystem.IsLinux()) _ = PageSource.Madvise((nint)memory, bytes & ~(nuint)(HugePage - 1), MadviseHugePage);
        NativeMemory.Clear(memory, bytes);
        return memory;
    }

    /// <summary>An empty filter for <paramref name="keys"/> keys, in memory of its own (<see cref="Free"/> returns it).</summary>
    public static IdFilter ForKeys(long keys)
    {
        long blocks = BlocksFor(keys);
        return new IdFilter(Allocate(blocks), blocks);
    }

    public void Free() => NativeMemory.AlignedFree(_words);

    public void Add(ulong key) => Set(Block(key), key);

    /// <summary>The block of a filter of <paramref name="blocks"/> blocks that <paramref name="key"/> sets and probes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long BlockOf(ulong key, long blocks) => (long)(((key >> 32) * (ulong)blocks) >> 32);

    /// <summary>Sets <paramref name="key"/>'s bits in its block (8 words at <paramref name="block"/>).</summary>
    public static void Set(uint* block, ulong key)
    {
        uint low = Bits(key);
        ReadOnlySpan<uint> salts = Salts;
        for (int i = 0; i < 8; i++) block[i] |= 1U << (int)(unchecked(low * salts[i]) >> 27);
    }

    /// <summary>False: <paramref name="key"/> was not added. True: perhaps it was.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool MayContain(ulong key)
    {
        uint* block = Block(key);
        uint low = Bits(key);
        ReadOnlySpan<uint> salts = Salts;
        for (int i = 0; i < 8; i++)
        {
            if ((block[i] & (1U << (int)(unchecked(low * salts[i]) >> 27))) == 0) return false;
        }

        return true;
    }

    /// <summary>Prefetches the block a probe of <paramref name="key"/> reads.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Prefetch(ulong key) => Prefetcher.Line(ref *Block(key));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private uint* Block(ulong key) => _words + (BlockOf(key, Blocks) * (BlockBytes / sizeof(uint)));
}
