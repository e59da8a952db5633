namespace LedgerCore.StateMachine.Storage;

/// <summary>
/// Where a state machine's stores get their pages: the transfers and their states, the account logs'
/// chunks and the balance checkpoints. All in process memory (the default), or all in files under a
/// data directory's <c>store</c> folder with a resident window each (<see cref="LedgerOptions.TransferCacheBytes"/>).
/// Released together when the engine closes (or by the sources' finalizers).
/// </summary>
internal sealed class StorePages(PageSource transfers, PageSource states, PageSource logChunks, PageSource checkpoints, IdRunFiles? runs = null) : IDisposable
{
    /// <summary>Where the transfer id index keeps its older ids as runs, or null: in memory (see <see cref="LayeredIdIndex{TSource}"/>).</summary>
    public IdRunFiles? Runs { get; } = runs;

    /// <summary>Ids the id index's table takes before it is frozen into a run (tests lower it to exercise runs and merges).</summary>
    public long IdTableEntries { get; init; } = IdRunFiles.TableEntries;

    public PageSource Transfers { get; } = transfers;

    /// <summary>The transfers' two-phase states, 1 B each.</summary>
    public PageSource States { get; } = states;

    public PageSource LogChunks { get; } = logChunks;

    public PageSource Checkpoints { get; } = checkpoints;

    /// <summary>Whether the transfers are in files: a read of an old one may wait for the disk.</summary>
    public bool TransfersInFiles => Transfers is MappedPageSource;

    /// <summary>Pages of process memory; <paramref name="transfers"/> and <paramref name="logChunks"/> replace the transfers' and logs' when given (tests).</summary>
    public static StorePages InMemory(PageSource? transfers = null, PageSource? logChunks = null) => new(
        transfers ?? new AnonymousPageSource(NativePagedArray<Transfer>.PageBytes),
        new AnonymousPageSource(NativePagedArray<TransferState>.PageBytes),
        logChunks ?? Storage.LogChunks.InMemory(),
        new AnonymousPageSource(NativePagedArray<BalanceCheckpoint>.PageBytes));

    /// <summary>
    /// Segment files and id runs in <paramref name="directory"/>, each store keeping about
    /// <paramref name="residentBytes"/> of its newest pages resident: emptied of earlier ones, or with
    /// <paramref name="resume"/> kept, to reopen what a checkpoint names.
    /// </summary>
    /// <exception cref="IOException">The directory cannot be created or emptied.</exception>
    public static StorePages InFiles(string directory, long residentBytes, bool resume = false, long idTableEntries = IdRunFiles.TableEntries)
    {
        return new StorePages(
            new MappedPageSource(directory, "transfers", NativePagedArray<Transfer>.PageBytes, residentBytes, resume),
            new MappedPageSource(directory, "states", NativePagedArray<TransferState>.PageBytes, residentBytes, resume),
            new MappedPageSource(directory, "logs", Storage.LogChunks.PageBytes, residentBytes, resume),
            new MappedPageSource(directory, "checkpoints", NativePagedArray<BalanceCheckpoint>.PageBytes, residentBytes, resume),
            new IdRunFiles(directory, resume)) { IdTableEntries = idTableEntries };
    }

    /// <summary>Whether the stores are files a checkpoint can name (snapshot format 6) rather than process memory.</summary>
    public bool InFilesMode => Runs is not null;

    /// <summary>Checks that the files holding what a checkpoint names are there (before they are mapped).</summary>
    /// <exception cref="LedgerCorruptedException">One is missing or short.</exception>
    public void RequireExisting(long transfers, long chunks, long checkpoints)
    {
        Require(Transfers, transfers);
        Require(States, transfers);
        Require(LogChunks, chunks);
        Require(Checkpoints, checkpoints);

        // Every paged array holds the same number of items a page, whatever their size.
        static void Require(PageSource source, long items)
        {
            const int perPage = 1 << 14;
            System.Diagnostics.Debug.Assert(NativePagedArray<Transfer>.ItemsPerPage == perPage);
            if (source is MappedPageSource files) files.RequireExisting(checked((int)((items + perPage - 1) / perPage)));
            else if (items > 0) throw new LedgerCorruptedException("Ledger data is corrupted: a checkpoint names store files, and the store is in memory.");
        }
    }

    /// <summary>Makes everything the stores hold so far durable, before a checkpoint names it (the id runs are durable when written).</summary>
    /// <exception cref="IOException">A file could not be synced.</exception>
    public void Flush()
    {
        foreach (PageSource source in (ReadOnlySpan<PageSource>)[Transfers, States, LogChunks, Checkpoints])
        {
            if (source is MappedPageSource files) files.Flush();
        }

    }

    public void Dispose()
    {
        Transfers.Dispose();
        States.Dispose();
        LogChunks.Dispose();
        Checkpoints.Dispose();
    }
}
