namespace LedgerCore;

/// <summary>
/// How a <see cref="LedgerEngine"/> opens its data directory and batches its work. Validated by
/// <see cref="LedgerEngine.OpenAsync(LedgerOptions, CancellationToken)"/> (<see cref="Validate"/>), which throws
/// <see cref="ArgumentException"/> or <see cref="ArgumentOutOfRangeException"/> naming the option.
/// </summary>
/// <remarks>Not thread-safe; the engine copies what it needs on open.</remarks>
public sealed class LedgerOptions
{
    /// <summary>The default and largest <see cref="MaxBatchSize"/>: the reference's batch limit.</summary>
    public const int BatchEventsMax = LedgerStateMachine.BatchEventsMax;

    /// <summary>The directory holding the journal, snapshots, metadata and lock. Created if missing.</summary>
    public required string DataDirectory { get; set; }

    /// <summary>
    /// The most events one journaled batch holds (1 to 8190). Small caller batches are coalesced up
    /// to this size; one caller batch may not exceed it.
    /// </summary>
    public int MaxBatchSize { get; set; } = BatchEventsMax;

    /// <summary>
    /// How long the journal may wait for more batches before writing a group that is not full
    /// (0 to 1 s). Zero: write as soon as the previous fsync returns, which already groups whatever
    /// arrived meanwhile; a small delay trades latency for fewer fsyncs at low load.
    /// </summary>
    public TimeSpan CommitDelayMax { get; set; } = TimeSpan.Zero;

    /// <summary>The most bytes one journal write (one fsync) carries: 64 KiB to 64 MiB, default 4 MiB.</summary>
    public int CommitBytesMax { get; set; } = 4 * 1024 * 1024;

    /// <summary>The size at which a journal segment is closed and a new one started: 1 MiB to 16 GiB, default 256 MiB.</summary>
    public long SegmentBytesMax { get; set; } = 256L * 1024 * 1024;

    /// <summary>
    /// Take a snapshot after this many journaled events since the last one (0 = never), default 4,000,000.
    /// Snapshots bound restart time: recovery loads the newest and replays only what follows it, so a
    /// restart after a crash replays at most this many events (with the stores in files, see
    /// <see cref="TransferCacheBytes"/>, a snapshot is a checkpoint whose size does not follow the
    /// transfers').
    /// </summary>
    public long SnapshotIntervalEvents { get; set; } = 4_000_000;

    /// <summary>
    /// An epoch from an external leader election. When set, it must be at least the epoch stored in the
    /// directory and every fencing token already in its journal, or open fails with
    /// <see cref="StaleFencingTokenException"/>; the stored epoch is raised to it. When null, open takes
    /// one more than the higher of the stored epoch and the journal's highest token.
    /// </summary>
    public ulong? FencingToken { get; set; }

    /// <summary>
    /// Whether the journal fsyncs. Only benchmarks that want to show the cost of durability turn this
    /// off: without it an acknowledged write can be lost in a power failure.
    /// </summary>
    public bool Durable { get; set; } = true;

    /// <summary>Capacity of the queues between stages, in batches (1 to 1024, default 64): the backpressure bound.</summary>
    public int QueueDepthMax { get; set; } = 64;

    /// <summary>
    /// Accounts to allocate storage for when the engine opens (0 = grow on demand). With
    /// <see cref="TransferCapacity"/>, this is TigerBeetle's static allocation: until the capacities
    /// are exceeded the processor never pauses to grow (rehash) its indexes, which keeps the
    /// latency tail flat. Exceeding them is allowed; storage then grows as usual.
    /// </summary>
    public int AccountCapacity { get; set; }

    /// <summary>Transfers to allocate storage for when the engine opens (0 = grow on demand); see <see cref="AccountCapacity"/>.</summary>
    public int TransferCapacity { get; set; }

    /// <summary>
    /// Where stored transfers (128 bytes each, the bulk of a ledger) live. 0, the default: in process
    /// memory. Above 0: in segment files under the data directory's <c>store</c> folder, mapped into
    /// the process, of which about this many bytes of the newest (whole 2 MiB pages, at least two) stay
    /// resident; older transfers are read back from the page cache or the disk when a lookup, a post or
    /// void of an old pending transfer, a query or a snapshot touches them. The account logs (which
    /// transfers touched each account, 4 bytes per entry in 256-byte chunks) move to files there too,
    /// with a resident window of the same size (the newest chunks, where appends go), and so do the
    /// transfers' states and the balance checkpoints; the transfer id index keeps its newest 2M ids in
    /// memory and the rest in sorted runs on disk (about 2 B per id stays in memory). Snapshots are then
    /// checkpoints (format 6): they flush the files and name them instead of copying the history, a
    /// restart reopens the files and replays only the journal after the newest checkpoint, and a clean
    /// <see cref="LedgerEngine.DisposeAsync"/> leaves one at the last batch (unless
    /// <see cref="SnapshotIntervalEvents"/> is 0). A ledger whose checkpoints name files reopens them
    /// whatever this says (with a 256 MiB window when it is 0); a missing or damaged store file fails
    /// the open with <see cref="LedgerCorruptedException"/>. A backup still copies the whole state.
    /// Results and digests are the same either way. Linux keeps the resident budget; elsewhere the files
    /// are used but the kernel alone decides what stays resident. See docs/storage.md.
    /// </summary>
    public long TransferCacheBytes { get; set; }

    /// <summary>
    /// Where the snapshot writer runs once the processor has frozen an image. The default (the thread
    /// pool) writes in the background, as in production; the deterministic simulator
    /// (tests/LedgerCore.Simulation) passes a scheduler that runs it inline on the processor, so a
    /// snapshot's file operations happen at a reproducible point between batches instead of racing the
    /// journal's writes. Internal: a seam for tests, not a tuning knob.
    /// </summary>
    internal TaskScheduler SnapshotScheduler { get; set; } = TaskScheduler.Default;

    /// <summary>Checks every option; throws naming the first that is out of range.</summary>
    /// <exception cref="ArgumentException"><see cref="DataDirectory"/> is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A numeric option is out of its documented range.</exception>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(DataDirectory)) throw new ArgumentException("DataDirectory is required.", nameof(DataDirectory));
        if (MaxBatchSize is < 1 or > BatchEventsMax) throw new ArgumentOutOfRangeException(nameof(MaxBatchSize), MaxBatchSize, $"Must be 1 to {BatchEventsMax}.");
        if (CommitDelayMax < TimeSpan.Zero || CommitDelayMax > TimeSpan.FromSeconds(1)) throw new ArgumentOutOfRangeException(nameof(CommitDelayMax), CommitDelayMax, "Must be 0 to 1 s.");
        if (CommitBytesMax is < 64 * 1024 or > 64 * 1024 * 1024) throw new ArgumentOutOfRangeException(nameof(CommitBytesMax), CommitBytesMax, "Must be 64 KiB to 64 MiB.");
        if (SegmentBytesMax is < 1024 * 1024 or > 16L * 1024 * 1024 * 1024) throw new ArgumentOutOfRangeException(nameof(SegmentBytesMax), SegmentBytesMax, "Must be 1 MiB to 16 GiB.");
        if (SnapshotIntervalEvents < 0) throw new ArgumentOutOfRangeException(nameof(SnapshotIntervalEvents), SnapshotIntervalEvents, "Must not be negative.");
        if (QueueDepthMax is < 1 or > 1024) throw new ArgumentOutOfRangeException(nameof(QueueDepthMax), QueueDepthMax, "Must be 1 to 1024.");
        if (AccountCapacity < 0) throw new ArgumentOutOfRangeException(nameof(AccountCapacity), AccountCapacity, "Must not be negative.");
        if (TransferCapacity < 0) throw new ArgumentOutOfRangeException(nameof(TransferCapacity), TransferCapacity, "Must not be negative.");
        if (TransferCacheBytes < 0) throw new ArgumentOutOfRangeException(nameof(TransferCacheBytes), TransferCacheBytes, "Must not be negative.");
        if (FencingToken == 0) throw new ArgumentOutOfRangeException(nameof(FencingToken), FencingToken, "An epoch starts at 1.");
    }
}
