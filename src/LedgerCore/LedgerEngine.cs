using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Threading.Channels;
using LedgerCore.Backup;
using LedgerCore.Diagnostics;
using LedgerCore.Journal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using LedgerCore.Pipeline;
using LedgerCore.StateMachine.Storage;
using LedgerCore.Storage;

namespace LedgerCore;

/// <summary>
/// The durable, in-process ledger: an LMAX-style pipeline of a sequencer (orders, coalesces, stamps),
/// a journal (write-ahead log, one fsync per group of batches) and a processor (the single consumer
/// of the deterministic <see cref="LedgerStateMachine"/>), linked by bounded channels.
/// </summary>
/// <remarks>
/// <para>A write completes only after its batch is durable and applied. If it fails with an
/// <see cref="IOException"/> its outcome is unknown (it may be on disk): reopen and resubmit with the
/// same ids, which is safe because creation is idempotent (<c>Exists</c>).</para>
/// <para>Cancelling a call stops the wait; a batch already sequenced may still commit.</para>
/// <para>Thread-safe: any number of callers may call concurrently.</para>
/// </remarks>
public sealed class LedgerEngine : ILedger
{
    private readonly FileStream _lock;
    private readonly IStorage _storage;
    private readonly JournalWriter _writer;
    private readonly Channel<WriteRequest> _requests;
    private readonly Channel<ProcessorWork> _processorQueue;
    private readonly Task _pipeline;
    private readonly int _maxBatchSize;
    private readonly Lock _signalLock = new();
    private TaskCompletionSource _commitSignal = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly long _snapshotIntervalEvents;
    private readonly TaskScheduler _snapshotScheduler;
    private long _committedSequence;
    private long _eventsSinceSnapshot;
    private Task _snapshot = Task.CompletedTask;
    private Exception? _fault;
    private int _disposed;
    private readonly LedgerMetrics _metrics;
    private readonly ILogger _logger;

    // Journal records that recovery skipped as stale (older fencing token): the change feed leaves them
    // out, as the state machine did. Empty unless the directory was written by a writer below a newer one.
    private readonly IReadOnlySet<long> _staleSequences;

    /// <summary>The folder of the data directory holding the transfer segments (<see cref="LedgerOptions.TransferCacheBytes"/>).</summary>
    internal const string StoreDirectory = "store";

    // The stored transfers' pages, released at dispose (mapped files are unmapped and closed).
    private readonly StorePages _pages;

    // Read after the pipeline has stopped, for the checkpoint a clean stop leaves.
    private readonly Processor _processor;

    private LedgerEngine(LedgerOptions options, FileStream directoryLock, IStorage storage, UInt128 ledgerId, ulong epoch,
        LedgerStateMachine machine, JournalWriter writer, long lastSequence, ulong highestFencingToken, IReadOnlySet<long> staleSequences, LedgerRecovery recovery, TimeProvider clock, ILogger logger)
    {
        _staleSequences = staleSequences;
        _pages = machine.Pages;
        _logger = logger;
        _lock = directoryLock;
        _storage = storage;
        _writer = writer;
        _maxBatchSize = options.MaxBatchSize;
        LedgerId = ledgerId;
        Epoch = epoch;
        Recovery = recovery;
        _committedSequence = lastSequence;

        _requests = Channel.CreateBounded<WriteRequest>(new BoundedChannelOptions(options.QueueDepthMax * 16)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
        });
        var batches = Channel.CreateBounded<Batch>(new BoundedChannelOptions(options.QueueDepthMax) { FullMode = BoundedChannelFullMode.Wait, SingleReader = true, SingleWriter = true });
        _processorQueue = Channel.CreateBounded<ProcessorWork>(new BoundedChannelOptions(options.QueueDepthMax) { FullMode = BoundedChannelFullMode.Wait, SingleReader = true });

        var sequencer = new Sequencer(_requests.Reader, batches.Writer, clock, options.MaxBatchSize, epoch, lastSequence + 1, machine.CommitTimestamp);
        _metrics = new LedgerMetrics(() => _requests.Reader.Count, () => _processorQueue.Reader.Count);
        var journal = new JournalStage(batches.Reader, _processorQueue.Writer, writer, options.CommitDelayMax, options.Durable, OnCommitted, OnFaulted, _metrics);
        _snapshotIntervalEvents = options.SnapshotIntervalEvents;
        _snapshotScheduler = options.SnapshotScheduler;
        var processor = new Processor(machine, _processorQueue.Reader, highestFencingToken, OnApplied, OnFaulted) { Metrics = _metrics, AppliedSequence = lastSequence };
        _processor = processor;
        _pipeline = Task.WhenAll(
            Task.Run(sequencer.RunAsync),
            Task.Run(journal.RunAsync),
            Task.Run(processor.RunAsync));
    }

    /// <summary>The ledger's identity, fixed when its data directory was created.</summary>
    public UInt128 LedgerId { get; }

    /// <summary>
    /// The most events one create call may carry: <see cref="LedgerOptions.MaxBatchSize"/> as opened
    /// (adapters such as the TCP server announce it to their clients).
    /// </summary>
    public int MaxBatchSize => _maxBatchSize;

    /// <summary>This writer's fencing token, durably raised when it opened the directory.</summary>
    public ulong Epoch { get; }

    /// <summary>What opening the directory recovered.</summary>
    public LedgerRecovery Recovery { get; }

    /// <summary>The sequence of the last durable batch (0 before the first).</summary>
    public long CommittedSequence => Volatile.Read(ref _committedSequence);

    /// <summary>Journal bytes made durable since open.</summary>
    public long JournalBytesWritten => _writer.BytesCommitted;

    /// <summary>Group commits (write + fsync) since open.</summary>
    public long JournalCommits => _writer.Commits;

    /// <summary>Whether the engine stopped accepting writes after an I/O error (or an unexpected error in the processor).</summary>
    public bool IsFaulted => Volatile.Read(ref _fault) is not null;

    /// <summary>The I/O error (or unexpected processor error) that faulted the engine, or null.</summary>
    public Exception? Fault => Volatile.Read(ref _fault);

    /// <summary>
    /// Opens (or creates) the ledger in <see cref="LedgerOptions.DataDirectory"/>: takes its lock, raises
    /// its epoch, loads the newest snapshot and replays the journal after it, cutting a torn tail.
    /// </summary>
    /// <exception cref="ArgumentException">An option is invalid (see <see cref="LedgerOptions.Validate"/>).</exception>
    /// <exception cref="LedgerLockedException">Another engine has the directory open.</exception>
    /// <exception cref="StaleFencingTokenException"><see cref="LedgerOptions.FencingToken"/> is below the stored epoch or a token in the journal.</exception>
    /// <exception cref="LedgerCorruptedException">Corruption before the journal's tail, or a backup not yet opened that fails verification against its manifest (see <see cref="BackupAsync"/>).</exception>
    /// <exception cref="IOException">The directory cannot be read or written.</exception>
#pragma warning disable RS0026, RS0027 // Both overloads take an optional token, as .NET's own Open/Connect pairs do; nothing has shipped yet.
    public static Task<LedgerEngine> OpenAsync(LedgerOptions options, CancellationToken cancellationToken = default) =>
        OpenAsync(options, logger: null, cancellationToken);

    /// <summary>
    /// Opens (or creates) the ledger as <see cref="OpenAsync(LedgerOptions, CancellationToken)"/> does, logging
    /// recovery, tail truncation, snapshots and faults to <paramref name="logger"/> (never one entry per transfer).
    /// </summary>
    /// <param name="options">Validated before anything is touched.</param>
    /// <param name="logger">Where the engine logs; null logs nowhere.</param>
    /// <param name="cancellationToken">Cancels recovery.</param>
    /// <exception cref="ArgumentException">An option is invalid (see <see cref="LedgerOptions.Validate"/>).</exception>
    /// <exception cref="LedgerLockedException">Another engine has the directory open.</exception>
    /// <exception cref="StaleFencingTokenException"><see cref="LedgerOptions.FencingToken"/> is below the stored epoch or a token in the journal.</exception>
    /// <exception cref="LedgerCorruptedException">Corruption before the journal's tail, or a backup not yet opened that fails verification against its manifest (see <see cref="BackupAsync"/>).</exception>
    /// <exception cref="IOException">The directory cannot be read or written.</exception>
    public static Task<LedgerEngine> OpenAsync(LedgerOptions options, ILogger? logger, CancellationToken cancellationToken = default)
#pragma warning restore RS0026, RS0027
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        cancellationToken.ThrowIfCancellationRequested();

        // Recovery is CPU and disk bound: run it off the caller's thread.
        return Task.Run(() => Open(options, new FileStorage(options.DataDirectory), TimeProvider.System, cancellationToken, logger), cancellationToken);
    }

    internal static LedgerEngine Open(LedgerOptions options, IStorage storage, TimeProvider clock, CancellationToken cancellationToken, ILogger? logger = null)
    {
        logger ??= NullLogger.Instance;
        var started = Stopwatch.StartNew();
        Directory.CreateDirectory(options.DataDirectory);
        FileStream directoryLock = DataDirectory.Lock(options.DataDirectory);
        try
        {
            // A backup is checked file by file before recovery reads it, and against its manifest after.
            BackupManifest? backup = BackupManifest.Read(storage);
            backup?.VerifyFiles(storage);
            (UInt128 LedgerId, ulong Epoch)? stored = DataDirectory.Read(storage);
            UInt128 ledgerId = stored?.LedgerId ?? NewLedgerId();
            ulong storedEpoch = stored?.Epoch ?? 0;
            if (options.FencingToken is { } token && token < storedEpoch)
            {
                throw new StaleFencingTokenException($"Fencing token {token} is below the epoch {storedEpoch} stored in '{options.DataDirectory}': a newer writer has opened this ledger.");
            }

            TimeSpan loadStarted = started.Elapsed;
            (LedgerStateMachine machine, long snapshotSequence, ulong snapshotToken) = LoadNewestSnapshot(storage, ledgerId, options);
            TimeSpan snapshotLoad = started.Elapsed - loadStarted;
            var replay = new JournalReplay(machine, snapshotToken);
            cancellationToken.ThrowIfCancellationRequested();
            JournalScan scan = JournalReader.Read(storage, ledgerId, snapshotSequence, untilSequence: long.MaxValue, repairTail: true, replay.Apply);

            // The metadata file can lag the journal (restored from an older copy, or lost): the journal's own
            // tokens are the last word. A writer below them would journal batches that nobody ever applies.
            ulong journalToken = replay.HighestFencingToken;
            if (options.FencingToken is { } explicitToken && explicitToken < journalToken)
            {
                throw new StaleFencingTokenException($"Fencing token {explicitToken} is below the token {journalToken} already in the journal of '{options.DataDirectory}': a newer writer has written this ledger.");
            }

            if (backup is not null)
            {
                backup.VerifyRecovered(ledgerId, snapshotSequence, scan.LastSequence, machine);
                // Verified: from here on the directory is a live ledger that moves on from the backup. The manifest
                // goes before the epoch is raised (which changes ledger.meta), so no open ever finds one that lies.
                storage.Delete(BackupManifest.Name);
                storage.SyncDirectory();
                LedgerLog.BackupRestored(logger, backup.Sequence);
            }

            // The epoch is durable before the first batch that carries it can be journaled.
            ulong epoch = options.FencingToken ?? (Math.Max(storedEpoch, journalToken) + 1);
            DataDirectory.Write(storage, ledgerId, epoch);
            // With no record after the snapshot, the journal may end before it (a cut or lost tail the snapshot
            // holds): appending there would put the next sequence after an older one, a gap the next recovery
            // cuts as a torn tail. Such a writer starts a new segment, named after its first sequence.
            bool appendable = scan.RecordsRead > 0 || snapshotSequence == 0;
            var writer = JournalWriter.Open(storage, ledgerId, options.SegmentBytesMax, options.CommitBytesMax, scan.LastSequence + 1, appendable ? scan.LastSegment : null, scan.EndOffset);
            var recovery = new LedgerRecovery(snapshotSequence, replay.Records, replay.Events, replay.StaleRecordsSkipped, scan.TruncatedBytes, scan.TruncationReason, started.Elapsed, snapshotLoad);
            if (scan.TruncatedBytes > 0) LedgerLog.TailTruncated(logger, scan.TruncatedBytes, scan.TruncationReason ?? "torn write");
            if (replay.StaleRecordsSkipped > 0) LedgerLog.StaleRecordsSkipped(logger, replay.StaleRecordsSkipped);
            LedgerLog.Recovered(logger, ledgerId, epoch, snapshotSequence, replay.Records, replay.Events, (long)recovery.Duration.TotalMilliseconds);
            return new LedgerEngine(options, directoryLock, storage, ledgerId, epoch, machine, writer, scan.LastSequence, replay.HighestFencingToken, replay.StaleSequences, recovery, clock, logger);
        }
        catch
        {
            directoryLock.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The newest snapshot that verifies, or an empty machine when there is none. A snapshot that fails
    /// verification is passed over for the one before it (whose journal is kept for that reason); when
    /// none verifies, the journal must reach back to sequence 1 or the reader reports the gap.
    /// </summary>
    internal static (LedgerStateMachine Machine, long Sequence, ulong HighestFencingToken) LoadNewestSnapshot(IStorage storage, UInt128 ledgerId, LedgerOptions options)
    {
        LedgerCorruptedException? checkpointFailed = null;
        foreach ((long _, string name) in SnapshotFile.List(storage))
        {
            try
            {
                return SnapshotFile.Read(storage, name, ledgerId, options.AccountCapacity, options.TransferCapacity, resume => Pages(options, resume));
            }
            catch (LedgerCorruptedException e)
            {
                // Fall back to the previous snapshot; the journal after it is still on disk.
                if (SnapshotFile.IsCheckpoint(storage, name)) checkpointFailed ??= e;
            }
        }

        // Starting afresh empties the store directory: not while a checkpoint names what is in it.
        if (checkpointFailed is not null)
        {
            throw new LedgerCorruptedException($"Ledger data is corrupted: no snapshot verifies, and the history is in the store files a checkpoint names ({checkpointFailed.Message})", checkpointFailed);
        }

        return (new LedgerStateMachine(options.AccountCapacity, options.TransferCapacity, Pages(options, resume: false)), 0, 0);
    }

    /// <summary>
    /// Pages for the stores as <see cref="LedgerOptions.TransferCacheBytes"/> says: in memory, or mapped
    /// from files in <c>store/</c>, each store with a resident window of that size (appends go to the
    /// newest pages; reads of history map older ones back). A checkpoint that names store files
    /// (<paramref name="resume"/>) reopens them,
    /// whatever the option says (with <see cref="ResumeWindowBytes"/> when it is 0).
    /// </summary>
    private static StorePages Pages(LedgerOptions options, bool resume)
    {
        string directory = Path.Combine(options.DataDirectory, StoreDirectory);
        if (resume) return StorePages.InFiles(directory, options.TransferCacheBytes > 0 ? options.TransferCacheBytes : ResumeWindowBytes, resume: true);
        return options.TransferCacheBytes > 0 ? StorePages.InFiles(directory, options.TransferCacheBytes) : StorePages.InMemory();
    }

    /// <summary>The resident window of a ledger whose checkpoints name store files, opened with <see cref="LedgerOptions.TransferCacheBytes"/> 0.</summary>
    internal const long ResumeWindowBytes = 256L << 20;

    /// <summary>Creates accounts durably. See <see cref="LedgerStateMachine.CreateAccounts"/> for the rules.</summary>
    /// <returns>The events that failed, ordered by index (indexes into <paramref name="accounts"/>).</returns>
    /// <exception cref="ArgumentException">More than <see cref="LedgerOptions.MaxBatchSize"/> events.</exception>
    /// <exception cref="LedgerFaultedException">The engine faulted earlier.</exception>
    /// <exception cref="IOException">The journal write failed: the outcome is unknown.</exception>
    /// <exception cref="ObjectDisposedException">The engine is disposed.</exception>
    /// <exception cref="OperationCanceledException">Cancelled while waiting.</exception>
    public Task<CreateAccountsResult[]> CreateAccountsAsync(ReadOnlyMemory<Account> accounts, CancellationToken cancellationToken = default) =>
        SubmitAsync<Account, CreateAccountsResult>(LedgerOperation.CreateAccounts, accounts, IsCoalescable(accounts.Span), cancellationToken);

    /// <summary>Creates transfers durably. See <see cref="LedgerStateMachine.CreateTransfers"/> for the rules.</summary>
    /// <returns>The events that failed, ordered by index (indexes into <paramref name="transfers"/>).</returns>
    /// <exception cref="ArgumentException">More than <see cref="LedgerOptions.MaxBatchSize"/> events.</exception>
    /// <exception cref="LedgerFaultedException">The engine faulted earlier.</exception>
    /// <exception cref="IOException">The journal write failed: the outcome is unknown.</exception>
    /// <exception cref="ObjectDisposedException">The engine is disposed.</exception>
    /// <exception cref="OperationCanceledException">Cancelled while waiting.</exception>
    public Task<CreateTransfersResult[]> CreateTransfersAsync(ReadOnlyMemory<Transfer> transfers, CancellationToken cancellationToken = default) =>
        SubmitAsync<Transfer, CreateTransfersResult>(LedgerOperation.CreateTransfers, transfers, IsCoalescable(transfers.Span), cancellationToken);

    /// <summary>The accounts with these ids that exist, in request order; sees every write completed before the call.</summary>
    /// <exception cref="ArgumentException">More than 8190 ids.</exception>
    public Task<Account[]> LookupAccountsAsync(ReadOnlyMemory<UInt128> ids, CancellationToken cancellationToken = default) =>
        ReadAsync(m => m.LookupAccounts(ids.Span), cancellationToken);

    /// <summary>The transfers with these ids that exist, in request order; sees every write completed before the call.</summary>
    /// <exception cref="ArgumentException">More than 8190 ids.</exception>
    public Task<Transfer[]> LookupTransfersAsync(ReadOnlyMemory<UInt128> ids, CancellationToken cancellationToken = default) =>
        ReadAsync(m => m.LookupTransfers(ids.Span), cancellationToken);

    /// <summary>See <see cref="LedgerStateMachine.GetAccountTransfers"/>.</summary>
    public Task<Transfer[]> GetAccountTransfersAsync(AccountFilter filter, CancellationToken cancellationToken = default) =>
        ReadAsync(m => m.GetAccountTransfers(filter), cancellationToken);

    /// <summary>See <see cref="LedgerStateMachine.GetAccountBalances"/>.</summary>
    public Task<AccountBalance[]> GetAccountBalancesAsync(AccountFilter filter, CancellationToken cancellationToken = default) =>
        ReadAsync(m => m.GetAccountBalances(filter), cancellationToken);

    /// <summary>See <see cref="LedgerStateMachine.QueryAccounts"/>.</summary>
    public Task<Account[]> QueryAccountsAsync(QueryFilter filter, CancellationToken cancellationToken = default) =>
        ReadAsync(m => m.QueryAccounts(filter), cancellationToken);

    /// <summary>See <see cref="LedgerStateMachine.QueryTransfers"/>.</summary>
    public Task<Transfer[]> QueryTransfersAsync(QueryFilter filter, CancellationToken cancellationToken = default) =>
        ReadAsync(m => m.QueryTransfers(filter), cancellationToken);

    /// <summary>See <see cref="LedgerStateMachine.GetChangeEvents"/>; sees every write completed before the call.</summary>
    public Task<ChangeEvent[]> GetChangeEventsAsync(ChangeEventsFilter filter, CancellationToken cancellationToken = default) =>
        ReadAsync(m => m.GetChangeEvents(filter), cancellationToken);

    /// <summary>The state machine's digest (<see cref="LedgerStateMachine.ComputeDigest"/>) after every write completed before the call.</summary>
    public Task<UInt128> ComputeDigestAsync(CancellationToken cancellationToken = default) =>
        ReadAsync(m => m.ComputeDigest(), cancellationToken);

    /// <summary>
    /// The change feed: every committed batch from <paramref name="fromSequence"/> on, in order and
    /// once each, first from the journal and then live as batches commit, until cancelled or the engine
    /// is disposed. Sequences start at 1; 0 means from the beginning. A journal record that the state
    /// machine never applied (a stale writer's: its fencing token is below one journaled before it) is
    /// left out, so sequences can skip; every batch delivered was applied.
    /// </summary>
    /// <exception cref="InvalidOperationException">The requested sequences were compacted into a snapshot.</exception>
    public async IAsyncEnumerable<CommittedBatch> ReadCommittedAsync(long fromSequence, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(fromSequence);
        using var cursor = new JournalCursor(_storage, LedgerId, fromSequence, _staleSequences);
        var batches = new List<CommittedBatch>();
        while (true)
        {
            Task signal;
            lock (_signalLock) signal = _commitSignal.Task;

            batches.Clear();
            cursor.ReadUpTo(CommittedSequence, batches);
            foreach (CommittedBatch batch in batches)
            {
                yield return batch;
            }

            if (batches.Count > 0) continue;
            if (Volatile.Read(ref _disposed) != 0) yield break;
            await signal.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The feed of outcomes: every change event (<see cref="GetChangeEventsAsync"/>) with a timestamp at or
    /// after <paramref name="timestampMin"/>, in timestamp order and once each, first those already applied
    /// and then live as batches are applied (expiries included), until cancelled or the engine is
    /// disposed. To resume, pass one past the last timestamp seen. Backpressure is the caller's pace: events
    /// are read a page at a time (at most <see cref="LedgerStateMachine.ChangeEventsMax"/>) as the
    /// enumeration advances; nothing is buffered for a slow reader and nothing is dropped.
    /// </summary>
    /// <remarks>
    /// Events are read from the ledger's memory: a ledger restored from a snapshot older than format 3
    /// has the events applied since that restore only.
    /// </remarks>
    /// <exception cref="LedgerFaultedException">The processor faulted.</exception>
    public async IAsyncEnumerable<ChangeEvent> ReadChangeEventsAsync(ulong timestampMin, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ulong from = timestampMin;
        while (true)
        {
            Task signal;
            lock (_signalLock) signal = _commitSignal.Task;
            if (Volatile.Read(ref _disposed) != 0) yield break;

            ChangeEvent[] page;
            try
            {
                page = await GetChangeEventsAsync(new ChangeEventsFilter(from, 0, LedgerStateMachine.ChangeEventsMax), cancellationToken).ConfigureAwait(false);
            }
            catch (ObjectDisposedException)
            {
                yield break;
            }

            foreach (ChangeEvent e in page)
            {
                yield return e;
            }

            if (page.Length > 0)
            {
                from = page[^1].Timestamp + 1;
                continue;
            }

            await signal.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Writes an online backup of the ledger into <paramref name="destinationDirectory"/> while writes go on:
    /// the state after the last applied batch (applied implies durable: the journal precedes the processor)
    /// is frozen between two batches, as for a periodic snapshot, which is the only pause writers see; the
    /// copy is written, read back and verified in the background, serialised with the engine's snapshots.
    /// </summary>
    /// <remarks>
    /// <para>The backup is a data directory (docs/backup.md): a snapshot at <see cref="LedgerBackup.Sequence"/>,
    /// <c>ledger.meta</c> (this ledger's id and epoch) and, written last, <c>backup.manifest</c> listing every
    /// file with its length and hash, the sequence and the digest. Every file and the directory are fsynced.
    /// A backup that fails, is cancelled or is killed midway is never marked complete: its directory carries
    /// an "in progress" manifest, which <see cref="OpenAsync(LedgerOptions, CancellationToken)"/> refuses.</para>
    /// <para>Restore by opening the directory as a data directory: the first open verifies every file and
    /// that recovery lands on the backup's sequence and digest (else <see cref="LedgerCorruptedException"/>),
    /// then removes the manifest and raises the epoch: the copy is a new writer of a fork of this ledger
    /// (same ledger id), never to be merged back. Its journal starts after the backup's sequence.</para>
    /// <para>Memory: the frozen image copies accounts, balances and two-phase states (transfers are shared),
    /// and the read-back holds a second restored state machine, about the ledger's own size, until the
    /// digest is computed.</para>
    /// <para>A backup whose state was captured completes even if the engine faults meanwhile (it holds only
    /// applied, durable batches); <see cref="DisposeAsync"/> waits for it, as for a snapshot.</para>
    /// </remarks>
    /// <param name="destinationDirectory">An empty directory, or one that does not exist (it is created).</param>
    /// <param name="cancellationToken">Cancels the backup: what it wrote is removed (the directory too, if it created it).</param>
    /// <returns>The completed backup: its sequence, digest, size and duration.</returns>
    /// <exception cref="ArgumentException"><paramref name="destinationDirectory"/> is empty or not a valid path.</exception>
    /// <exception cref="IOException">The destination is a file or a directory that is not empty, or writing it failed.</exception>
    /// <exception cref="LedgerFaultedException">The processor faulted after an unexpected error: the state cannot be captured.</exception>
    /// <exception cref="ObjectDisposedException">The engine is disposed.</exception>
    /// <exception cref="OperationCanceledException">Cancelled; nothing of the backup is left.</exception>
    public async Task<LedgerBackup> BackupAsync(string destinationDirectory, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(destinationDirectory);
        cancellationToken.ThrowIfCancellationRequested();
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        BackupWriter writer = BackupWriter.Begin(destinationDirectory);
        Task<LedgerBackup> written;
        try
        {
            var capture = new CallWork<Task<LedgerBackup>>(p => StartBackup(p, writer, cancellationToken), cancellationToken);
            try
            {
                await _processorQueue.Writer.WriteAsync(capture, cancellationToken).ConfigureAwait(false);
            }
            catch (ChannelClosedException)
            {
                throw new ObjectDisposedException(nameof(LedgerEngine));
            }

            // Not cut short by the token: once queued, the capture runs or is refused soon, and only then is it
            // known whether the background owns the directory or it is ours to remove.
            written = await capture.Task.ConfigureAwait(false);
        }
        catch
        {
            writer.Abandon();
            throw;
        }

        LedgerBackup backup = await written.ConfigureAwait(false);
        LedgerLog.BackupWritten(_logger, backup.Sequence, backup.Directory, backup.Bytes, (long)backup.Duration.TotalMilliseconds);
        return backup;
    }

    /// <summary>On the processor: freezes the state at this batch boundary and queues its writing behind any snapshot in progress.</summary>
    private Task<LedgerBackup> StartBackup(Processor processor, BackupWriter writer, CancellationToken cancellationToken)
    {
        StateMachine.Storage.SnapshotImage image = processor.Machine.CaptureImage();
        long sequence = processor.AppliedSequence;
        ulong token = processor.HighestFencingToken;
        Task<LedgerBackup> backup = _snapshot.ContinueWith(_ => writer.Write(LedgerId, Epoch, sequence, token, image, cancellationToken),
            CancellationToken.None, TaskContinuationOptions.DenyChildAttach, _snapshotScheduler);
        // The snapshot chain (awaited by DisposeAsync, and the periodic snapshot's "one at a time") waits for the
        // backup but does not carry its failure: that is the caller's.
        _snapshot = backup.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return backup;
    }

    /// <summary>Stops accepting work, drains what was accepted (every caller gets an answer), and releases the directory.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _requests.Writer.TryComplete();
        try
        {
            await _pipeline.ConfigureAwait(false);
            await _snapshot.ConfigureAwait(false);

            // With the stores in files a checkpoint costs no copy of the history, so a clean stop leaves
            // one at the last applied batch (as a database's shutdown checkpoint): the next open replays nothing.
            if (_pages.InFilesMode && _snapshotIntervalEvents > 0 && _eventsSinceSnapshot > 0 && Volatile.Read(ref _fault) is null)
            {
                SnapshotImage image = _processor.Machine.CaptureImage(checkpoint: true);
                WriteSnapshot(_processor.AppliedSequence, _processor.HighestFencingToken, image);
            }
        }
        finally
        {
            _writer.Dispose();
            _metrics.Dispose();
            // Unmapped only once nothing can read it: a snapshot still running (after a fault) keeps the
            // pages, which are released with it by their finalizers.
            if (_snapshot.IsCompleted) _pages.Dispose();
            _pages.Runs?.WaitForWrites();
            await _lock.DisposeAsync().ConfigureAwait(false);
            Signal();
        }
    }

    private async Task<TResult[]> SubmitAsync<TEvent, TResult>(LedgerOperation operation, ReadOnlyMemory<TEvent> events, bool coalescable, CancellationToken cancellationToken)
        where TEvent : unmanaged
        where TResult : struct
    {
        if (events.Length > _maxBatchSize)
        {
            throw new ArgumentException($"A batch holds at most {_maxBatchSize} events; this one holds {events.Length}.", nameof(events));
        }

        cancellationToken.ThrowIfCancellationRequested();
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        ThrowIfFaulted();
        if (events.IsEmpty) return [];

        var request = new WriteRequest<TEvent, TResult>(operation, events, coalescable, cancellationToken);
        try
        {
            await _requests.Writer.WriteAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            ThrowIfFaulted();
            throw new ObjectDisposedException(nameof(LedgerEngine));
        }

        return await request.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<T> ReadAsync<T>(Func<LedgerStateMachine, T> read, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var work = new CallWork<T>(p => read(p.Machine), cancellationToken);
        try
        {
            await _processorQueue.Writer.WriteAsync(work, cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            throw new ObjectDisposedException(nameof(LedgerEngine));
        }

        return await work.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    internal static bool IsCoalescable(ReadOnlySpan<Account> events)
    {
        foreach (ref readonly Account e in events)
        {
            if ((e.Flags & AccountFlags.Imported) != 0) return false;
        }

        return events.IsEmpty || (events[^1].Flags & AccountFlags.Linked) == 0;
    }

    internal static bool IsCoalescable(ReadOnlySpan<Transfer> events)
    {
        foreach (ref readonly Transfer e in events)
        {
            if ((e.Flags & TransferFlags.Imported) != 0) return false;
        }

        return events.IsEmpty || (events[^1].Flags & TransferFlags.Linked) == 0;
    }

    private void OnCommitted(Batch batch)
    {
        Volatile.Write(ref _committedSequence, batch.Sequence);
        Signal();
    }

    /// <summary>
    /// Runs on the processor after each batch: at the snapshot interval, freezes the state at this
    /// batch boundary and writes it in the background, so the processor pauses only for the copy.
    /// </summary>
    private void OnApplied(Batch batch, Processor processor)
    {
        // The change-event feed waits for applied batches (the journal feed for committed ones; a wake-up
        // either one does not need costs it one empty look).
        Signal();

        _eventsSinceSnapshot += batch.EventCount;
        if (_snapshotIntervalEvents == 0 || _eventsSinceSnapshot < _snapshotIntervalEvents || !_snapshot.IsCompleted) return;
        _eventsSinceSnapshot = 0;
        // With the stores in files, a checkpoint: the history stays where it is (snapshot format 6).
        var image = processor.Machine.CaptureImage(checkpoint: _pages.InFilesMode);
        long sequence = batch.Sequence;
        ulong token = processor.HighestFencingToken;
        // Task.Run's own options on a scheduler that defaults to the thread pool (see LedgerOptions.SnapshotScheduler).
        _snapshot = Task.Factory.StartNew(() => WriteSnapshot(sequence, token, image), CancellationToken.None, TaskCreationOptions.DenyChildAttach, _snapshotScheduler);
    }


    private void WriteSnapshot(long sequence, ulong highestFencingToken, StateMachine.Storage.SnapshotImage image)
    {
        long started = Stopwatch.GetTimestamp();
        try
        {
            SnapshotFile.Write(_storage, LedgerId, sequence, highestFencingToken, image);
            Compact();
            SnapshotsWritten++;
            TimeSpan duration = Stopwatch.GetElapsedTime(started);
            _metrics.SnapshotWritten(duration);
            LedgerLog.SnapshotWritten(_logger, sequence, (long)duration.TotalMilliseconds);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The journal still holds everything: a failed snapshot costs restart time, not data.
            LastSnapshotError = e;
            LedgerLog.SnapshotFailed(_logger, e, sequence);
        }
    }

    /// <summary>
    /// Keeps the two newest snapshots and the journal from the older of them on: if the newest ever
    /// fails verification, recovery falls back to the older one and still finds every record it needs.
    /// </summary>
    private void Compact()
    {
        // A snapshot interrupted by a crash leaves its temporary file behind; this task is the only writer of them.
        foreach (string name in _storage.List())
        {
            if (name.StartsWith(SnapshotFile.Prefix, StringComparison.Ordinal) && name.EndsWith(SnapshotFile.Suffix + ".tmp", StringComparison.Ordinal)) _storage.Delete(name);
        }

        List<(long Sequence, string Name)> snapshots = SnapshotFile.List(_storage);
        if (snapshots.Count < 2) return;
        for (int i = 2; i < snapshots.Count; i++) _storage.Delete(snapshots[i].Name);
        long covered = snapshots[1].Sequence;
        List<(long First, string Name)> segments = JournalReader.ListSegments(_storage);
        for (int i = 0; i + 1 < segments.Count && segments[i + 1].First <= covered + 1; i++)
        {
            _storage.Delete(segments[i].Name);
        }

        _storage.SyncDirectory();

        // Id runs that neither the index nor a kept checkpoint needs go too.
        _pages.Runs?.DeleteExcept([snapshots[0].Sequence, snapshots[1].Sequence]);
    }

    /// <summary>Snapshots written since open.</summary>
    internal int SnapshotsWritten { get; private set; }

    /// <summary>Time spent in journal group writes and fsyncs since open.</summary>
    internal TimeSpan JournalCommitTime => Stopwatch.GetElapsedTime(0, _writer.CommitTicks);

    /// <summary>The error of the last failed snapshot, if any.</summary>
    internal Exception? LastSnapshotError { get; private set; }

    private void OnFaulted(Exception exception)
    {
        if (Interlocked.CompareExchange(ref _fault, exception, null) is null) LedgerLog.Faulted(_logger, exception);
    }

    /// <summary>Wakes change-feed readers: the current signal completes and a fresh one takes its place.</summary>
    private void Signal()
    {
        TaskCompletionSource previous;
        lock (_signalLock)
        {
            previous = _commitSignal;
            _commitSignal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        previous.TrySetResult();
    }

    private void ThrowIfFaulted()
    {
        if (Volatile.Read(ref _fault) is { } fault)
        {
            throw new LedgerFaultedException("The ledger faulted after an I/O error and accepts no more writes; reopen it to recover.", fault);
        }
    }

    private static UInt128 NewLedgerId()
    {
        Span<byte> bytes = stackalloc byte[16];
        RandomNumberGenerator.Fill(bytes);
        return System.Buffers.Binary.BinaryPrimitives.ReadUInt128LittleEndian(bytes);
    }
}
