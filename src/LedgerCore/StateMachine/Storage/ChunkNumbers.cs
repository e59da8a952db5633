namespace LedgerCore.StateMachine.Storage;

/// <summary>
/// Tells a log chunk's number from its address (a log keeps its chunks' addresses; a checkpoint names
/// them by number, which a restart turns back into addresses in the reopened files). Taken on the
/// processor (a copy of the page addresses), used on the checkpoint writer's thread: the pages sorted
/// by address, then a binary search per chunk.
/// </summary>
internal sealed class ChunkNumbers
{
    private readonly nint[] _bases;
    private readonly int[] _pages;
    private readonly int _perPage;
    private readonly int _chunkBytes;

    /// <param name="pageAddresses">Each page's address, by page number.</param>
    /// <param name="perPage">Chunks per page.</param>
    /// <param name="chunkBytes">Bytes per chunk.</param>
    public ChunkNumbers(nint[] pageAddresses, int perPage, int chunkBytes)
    {
        _bases = (nint[])pageAddresses.Clone();
        _pages = new int[_bases.Length];
        for (int i = 0; i < _pages.Length; i++) _pages[i] = i;
        Array.Sort(_bases, _pages);
        _perPage = perPage;
        _chunkBytes = chunkBytes;
    }

    /// <summary>The number of the chunk at <paramref name="address"/>.</summary>
    /// <exception cref="InvalidOperationException">The address is in none of the pages (a bug, not data).</exception>
    public long NumberOf(nint address)
    {
        int at = Array.BinarySearch(_bases, address);
        if (at < 0) at = ~at - 1;
        long offset = at < 0 ? -1 : address - _bases[at];
        if (offset < 0 || offset >= (long)_perPage * _chunkBytes || offset % _chunkBytes != 0)
        {
            throw new InvalidOperationException("A log names a chunk outside the chunk store.");
        }

        return ((long)_pages[at] * _perPage) + (offset / _chunkBytes);
    }
}
