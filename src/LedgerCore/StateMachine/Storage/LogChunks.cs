using System.Runtime.CompilerServices;

namespace LedgerCore.StateMachine.Storage;

/// <summary>
/// Where account logs (<see cref="AccountLog"/>) keep their entries: 256-byte chunks of 64 entries
/// from native pages (a <see cref="NativePagedArray{T}"/> of chunks on a <see cref="PageSource"/>).
/// Why not an array per account, grown by doubling: a log that outgrows its array copied it and left
/// the old one to the garbage collector, a quarter of the arrays' room was empty on average, and the
/// arrays were most of the managed heap a full collection scans (two entries per transfer). A chunk is
/// never moved, so a chunk's address is stable and a snapshot's frozen view may read it on another
/// thread while appends go on past it; chunks are taken in time order, so the chunks appends still
/// write are the newest ones.
/// </summary>
internal sealed unsafe class LogChunks(PageSource source)
{
    /// <summary>Entries per chunk; a power of two, so a position's chunk and slot are a shift and a mask.</summary>
    public const int Entries = 64;

    public const int Shift = 6;

    private readonly NativePagedArray<LogChunk> _chunks = new(source);

    /// <summary>The pages the chunks live in (released by the engine when it closes).</summary>
    public PageSource Source => _chunks.Source;

    /// <summary>Chunks handed out so far.</summary>
    public long Count => _chunks.Count;

    /// <summary>The page size a <see cref="PageSource"/> for chunks must have (16,384 chunks, 4 MiB).</summary>
    public static int PageBytes => NativePagedArray<LogChunk>.PageBytes;

    /// <summary>Pages of process memory for chunks: the default.</summary>
    public static PageSource InMemory() => new AnonymousPageSource(PageBytes);

    /// <summary>Allocates the pages for <paramref name="chunks"/> chunks now, so taking them allocates nothing.</summary>
    public void Reserve(long chunks) => _chunks.Reserve(chunks);

    /// <summary>A new chunk (zeroed, never moved, never handed out again).</summary>
    public uint* Take()
    {
        ref LogChunk chunk = ref _chunks.AppendInPlace(1)[0];
        // Zeroed anew: past an adopted count, the pages hold what was written after the checkpoint.
        chunk = default;
        return (uint*)Unsafe.AsPointer(ref chunk);
    }

    /// <summary>Takes over the <paramref name="count"/> chunks the source's pages already have (reopened files a checkpoint named).</summary>
    public void Adopt(long count) => _chunks.Adopt(count);

    /// <summary>The chunk numbered <paramref name="number"/> (in the order taken).</summary>
    public uint* At(long number) => (uint*)Unsafe.AsPointer(ref _chunks[number]);

    /// <summary>The chunks' pages, for a reader on another thread that numbers chunks by address (<see cref="ChunkNumbers"/>).</summary>
    public ChunkNumbers Numbers() => new(_chunks.PageAddresses(), NativePagedArray<LogChunk>.ItemsPerPage, sizeof(LogChunk));

    [InlineArray(Entries)]
    private struct LogChunk
    {
        private uint _entry;
    }
}
