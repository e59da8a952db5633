namespace LedgerCore.StateMachine.Storage;

/// <summary>
/// Tells a log chunk's number from its address (a log keeps its chunks' addresses; a checkpoint names
/// them by number, which a restart turns back into addresses in the reopened files). Taken on the
/// processor (a copy of the page addresses), used on the checkpoint writer's thread: the pages sorted
/// by address and joined where they follow one another, then a binary search per chunk.
/// </summary>
internal sealed class ChunkNumbers
{
    // Runs of pages that lie one after another both in memory and in number (a store file's pages are
    // one mapping: at 200M transfers ~750 pages make a dozen runs), sorted by address.
    private readonly nint[] _bases;
    private readonly long[] _ends;
    private readonly int[] _firstPages;
    private readonly int _perPage;
    private readonly int _chunkBytes;

    /// <param name="pageAddresses">Each page's address, by page number.</param>
    /// <param name="perPage">Chunks per page.</param>
    /// <param name="chunkBytes">Bytes per chunk.</param>
    public ChunkNumbers(nint[] pageAddresses, int perPage, int chunkBytes)
    {
        _perPage = perPage;
        _chunkBytes = chunkBytes;
        long pageBytes = (long)perPage * chunkBytes;
        var bases = (nint[])pageAddresses.Clone();
        var pages = new int[bases.Length];
        for (int i = 0; i < pages.Length; i++) pages[i] = i;
        Array.Sort(bases, pages);
        var runBases = new List<nint>();
        var runEnds = new List<long>();
        var runPages = new List<int>();
        for (int i = 0; i < bases.Length; i++)
        {
            if (runBases.Count > 0 && bases[i] == runEnds[^1] && pages[i] == runPages[^1] + (int)((runEnds[^1] - runBases[^1]) / pageBytes))
            {
                runEnds[^1] += pageBytes;
                continue;
            }

            runBases.Add(bases[i]);
            runEnds.Add(bases[i] + pageBytes);
            runPages.Add(pages[i]);
        }

        _bases = [.. runBases];
        _ends = [.. runEnds];
        _firstPages = [.. runPages];
    }

    /// <summary>The number of the chunk at <paramref name="address"/>.</summary>
    /// <exception cref="InvalidOperationException">The address is in none of the pages (a bug, not data).</exception>
    public long NumberOf(nint address)
    {
        // The last run starting at or below the address (a checkpoint looks up every chunk of every log:
        // 6M at 200M transfers, so a generic comparer's search was 2% of the run's CPU).
        int low = 0;
        int high = _bases.Length - 1;
        while (low <= high)
        {
            int middle = (low + high) >>> 1;
            if (_bases[middle] <= address) low = middle + 1;
            else high = middle - 1;
        }

        long offset = high < 0 ? -1 : address - _bases[high];
        if (offset < 0 || address >= _ends[high] || offset % _chunkBytes != 0)
        {
            throw new InvalidOperationException("A log names a chunk outside the chunk store.");
        }

        return ((long)_firstPages[high] * _perPage) + (offset / _chunkBytes);
    }
}
