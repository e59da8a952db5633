namespace LedgerCore.StateMachine.Storage;

/// <summary>
/// Where a state machine's stores get their pages: the transfers and their states, the account logs'
/// chunks and the balance checkpoints. All in process memory (the default), or all in files under a
/// data directory's <c>store</c> folder with a resident window each (<see cref="LedgerOptions.TransferCacheBytes"/>).
/// Released together when the engine closes (or by the sources' finalizers).
/// </summary>
internal sealed class StorePages(PageSource transfers, PageSource states, PageSource logChunks, PageSource checkpoints) : IDisposable
{
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

    /// <summary>Segment files in <paramref name="directory"/> (emptied of earlier ones), each store keeping about <paramref name="residentBytes"/> of its newest pages resident.</summary>
    /// <exception cref="IOException">The directory cannot be created or emptied.</exception>
    public static StorePages InFiles(string directory, long residentBytes) => new(
        new MappedPageSource(directory, "transfers", NativePagedArray<Transfer>.PageBytes, residentBytes),
        new MappedPageSource(directory, "states", NativePagedArray<TransferState>.PageBytes, residentBytes),
        new MappedPageSource(directory, "logs", Storage.LogChunks.PageBytes, residentBytes),
        new MappedPageSource(directory, "checkpoints", NativePagedArray<BalanceCheckpoint>.PageBytes, residentBytes));

    public void Dispose()
    {
        Transfers.Dispose();
        States.Dispose();
        LogChunks.Dispose();
        Checkpoints.Dispose();
    }
}
