using System.Globalization;
using System.IO.Hashing;
using System.Text;
using LedgerCore.Journal;
using LedgerCore.Tests.Faults;

namespace LedgerCore.Simulation;

/// <summary>
/// One seed of the simulation: a client sends requests one at a time to the real engine on a
/// <see cref="FaultyStorage"/>; each engine lifetime gets at most one planned storage fault (a failed
/// write or fsync, EIO or ENOSPC, or a machine crash at the Nth mutation with a torn last write), or a
/// flipped bit in a durable file; after it the engine is restarted (machine crash, process restart, or
/// the crash image) and the client retries what was not acknowledged. After every step and restart the
/// invariants are checked against a reference <see cref="LedgerStateMachine"/> fed exactly the committed
/// batches (from the change feed).
/// </summary>
// The feed's token source lives for one engine lifetime and is disposed when that engine closes (CloseAsync).
#pragma warning disable CA1001
internal sealed class SeedRun
#pragma warning restore CA1001
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private const int TraceTailLines = 40;

    private readonly int _seed;
    private readonly Random _random;
    private readonly Random _slowRandom;
    private readonly Random _readRandom;
    private readonly SimClock _clock = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly WorkloadGenerator _workload;
    private readonly int _totalSteps;
    private readonly int _maxBatchSize;
    private readonly int _queueDepth;
    private readonly long _snapshotInterval;

    // What happened: the trace (hashed), counts, violations.
    private readonly XxHash128 _trace = new();
    private readonly Queue<string> _traceTail = new();
    private readonly SortedDictionary<string, int> _faults = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, int> _coverage = new(StringComparer.Ordinal);
    private readonly List<string> _violations = [];
    private int _steps;
    private int _restarts;
    private int _acknowledged;
    private int _slow;

    // The reference: the fault-free machine fed exactly the committed batches, in order.
    private readonly LedgerStateMachine _reference = new();
    private readonly Dictionary<long, (ulong Timestamp, LedgerOperation Operation, UInt128 Key)> _committed = [];
    private readonly Dictionary<long, (int Index, uint Result)[]> _referenceResults = [];
    private readonly Dictionary<UInt128, ClientRequest> _requestsByContent = [];
    private readonly List<UInt128> _accountIds = [];
    private readonly HashSet<UInt128> _accountIdSet = [];
    private long _fedUpTo;
    private long _maxAcknowledgedSequence;

    // The current engine lifetime's change feed.
    private IAsyncEnumerator<CommittedBatch>? _feed;
    private CancellationTokenSource? _feedCancel;
    private long _feedRead;

    public SeedRun(int seed)
    {
        _seed = seed;
        _random = new Random(seed);
        _slowRandom = new Random(unchecked(seed * 31 + 7));
        _readRandom = new Random(unchecked(seed * 131 + 3));
        bool large = _random.Next(6) == 0; // large batches: segments roll over (1 MiB) and snapshots are big
        int maxRequestEvents = large ? _random.Next(200, 1500) : _random.Next(1, 13);
        _workload = new WorkloadGenerator(new Random(unchecked(seed * 7919 + 1)), maxRequestEvents);
        _totalSteps = large ? _random.Next(15, 40) : _random.Next(40, 110);
        _maxBatchSize = large ? LedgerOptions.BatchEventsMax : Math.Max(maxRequestEvents, _random.Next(1, 4) switch { 1 => 16, 2 => 64, _ => 8190 });
        _queueDepth = _random.Next(1, 9);
        _snapshotInterval = _random.Next(3) == 0 ? 0 : large ? _random.Next(1_000, 5_000) : _random.Next(10, 120);
    }

    public async Task<SeedResult> RunAsync()
    {
        string directory = Path.Combine(Path.GetTempPath(), "ledgercore-sim-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory); // holds only the lock: the data lives in the simulated storage
        try
        {
            Trace($"seed {_seed} steps {_totalSteps} batch {_maxBatchSize} depth {_queueDepth} snapshots {_snapshotInterval}");
            var storage = new FaultyStorage();
            var retries = new Queue<ClientRequest>();
            int lifetime = 0;
            while (_steps < _totalSteps && _violations.Count == 0 && lifetime < 200)
            {
                lifetime++;
                int budget = _random.Next(3, 30);
                Flip? flip = lifetime > 1 && _random.Next(7) == 0 ? InjectFlip(storage) : null;
                if (flip is null) PlanFault(storage, budget);
                storage.BeforeOperation = SlowDown;

                LedgerEngine? engine = await OpenAsync(directory, storage, flip).ConfigureAwait(false);
                var failed = new List<ClientRequest>();
                if (engine is not null)
                {
                    await RunLifetimeAsync(engine, budget, retries, failed).ConfigureAwait(false);
                    await CloseAsync(engine).ConfigureAwait(false);
                }

                CountFault(storage);
                if (JournalReader.ListSegments(storage).Count > 1) Cover("lifetimes-with-several-segments");
                foreach (ClientRequest request in failed) retries.Enqueue(request);
                storage = Restart(storage);
            }

            // Last restart: a machine crash, then everything acknowledged must be there.
            if (_violations.Count == 0)
            {
                storage = storage.Crash();
                LedgerEngine? engine = await OpenAsync(directory, storage, flip: null).ConfigureAwait(false);
                if (engine is null) Violation("the final reopen failed without a fault");
                else await CloseAsync(engine).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Violation($"the simulator itself failed: {e}");
        }
        finally
        {
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
                // Only a lock file: leave it to the OS.
            }
        }

        if (_slow > 0) _faults["slow"] = _slow;
        return new SeedResult(_seed, _steps, _restarts, _acknowledged, _faults, _coverage, _violations,
            Convert.ToHexString(_trace.GetCurrentHash()), _traceTail.ToArray());
    }

    private async Task RunLifetimeAsync(LedgerEngine engine, int budget, Queue<ClientRequest> retries, List<ClientRequest> failed)
    {
        for (int k = 0; k < budget && _steps < _totalSteps && _violations.Count == 0; k++)
        {
            ClientRequest request = retries.Count > 0 ? retries.Dequeue() : NewRequest();
            StepClock();
            if (!await SubmitAsync(engine, request).ConfigureAwait(false)) failed.Add(request);
            if (!engine.IsFaulted) continue;

            // A faulted engine acknowledges nothing more: one more request must be refused.
            ClientRequest after = retries.Count > 0 ? retries.Dequeue() : NewRequest();
            long committed = engine.CommittedSequence;
            if (await SubmitAsync(engine, after).ConfigureAwait(false)) Violation($"the faulted engine acknowledged request {after.Number}");
            else failed.Add(after);
            if (engine.CommittedSequence != committed) Violation("the faulted engine reported a new committed batch");
            break;
        }

        // Requests not reached stay queued, in order, ahead of what failed now.
        while (retries.Count > 0) failed.Insert(0, retries.Dequeue());
    }

    private ClientRequest NewRequest()
    {
        ClientRequest request = _workload.Next();
        _requestsByContent[request.ContentKey] = request;
        return request;
    }

    /// <summary>Sends one request and waits for it; returns whether it was acknowledged. Checks everything the answer implies.</summary>
    private async Task<bool> SubmitAsync(LedgerEngine engine, ClientRequest request)
    {
        _steps++;
        request.Attempts++;
        bool faultedBefore = engine.IsFaulted;
        long before = engine.CommittedSequence;
        (int Index, uint Result)[] results;
        try
        {
            results = request.Accounts is not null
                ? (await engine.CreateAccountsAsync(request.Accounts).WaitAsync(Timeout).ConfigureAwait(false)).Select(r => (r.Index, (uint)r.Result)).ToArray()
                : (await engine.CreateTransfersAsync(request.Transfers).WaitAsync(Timeout).ConfigureAwait(false)).Select(r => (r.Index, (uint)r.Result)).ToArray();
        }
        catch (LedgerFaultedException) when (faultedBefore)
        {
            Trace($"request {request.Number} try {request.Attempts}: refused (faulted)");
            return false;
        }
        catch (TimeoutException)
        {
            Violation($"request {request.Number} got no answer within {Timeout.TotalSeconds} s");
            return false;
        }
        catch (IOException e) when (e is not LedgerCorruptedException)
        {
            Trace($"request {request.Number} try {request.Attempts}: {e.GetType().Name}");
            if (!engine.IsFaulted) Violation($"request {request.Number} failed with an I/O error but the engine is not faulted");
            if (engine.CommittedSequence != before) Violation($"request {request.Number} failed but the engine reported it committed");
            return false;
        }
        catch (Exception e)
        {
            Violation($"request {request.Number} failed unexpectedly: {e.GetType().Name}: {e.Message}");
            return false;
        }

        long sequence = engine.CommittedSequence;
        Trace($"request {request.Number} try {request.Attempts}: acknowledged at {sequence}, failed events {Describe(results)}");
        if (faultedBefore) Violation($"request {request.Number} was acknowledged by a faulted engine");
        if (sequence != before + 1) Violation($"request {request.Number} acknowledged but the committed sequence moved from {before} to {sequence}");
        await DrainFeedAsync(sequence).ConfigureAwait(false);
        if (!_committed.TryGetValue(sequence, out var batch) || batch.Key != request.ContentKey || batch.Operation != request.Operation)
        {
            Violation($"request {request.Number} acknowledged at {sequence} but that committed batch holds other events");
        }
        else if (!_referenceResults[sequence].SequenceEqual(results))
        {
            Violation($"request {request.Number}: the engine answered {Describe(results)} but the reference {Describe(_referenceResults[sequence])}");
        }

        if (request.Attempts > 1) Cover("retry-acknowledged");
        request.Acknowledged = true;
        _acknowledged++;
        _maxAcknowledgedSequence = Math.Max(_maxAcknowledgedSequence, sequence);
        await CheckStateAsync(engine).ConfigureAwait(false);
        return true;
    }

    /// <summary>Opens the engine; with a flip injected, expects the corruption to be reported (journal) or passed over (snapshot).</summary>
    private async Task<LedgerEngine?> OpenAsync(string directory, FaultyStorage storage, Flip? flip)
    {
        var options = new LedgerOptions
        {
            DataDirectory = directory,
            MaxBatchSize = _maxBatchSize,
            QueueDepthMax = _queueDepth,
            SnapshotIntervalEvents = _snapshotInterval,
            CommitBytesMax = 64 * 1024,
            SegmentBytesMax = 1024 * 1024,
            SnapshotScheduler = InlineTaskScheduler.Instance,
        };

        LedgerEngine engine;
        try
        {
            engine = LedgerEngine.Open(options, storage, _clock, CancellationToken.None);
        }
        catch (LedgerCorruptedException e) when (flip is { Snapshot: false })
        {
            Trace($"open: corruption reported in {e.File ?? "?"}");
            Cover("corruption-reported");
            storage.FlipBit(flip.Name, flip.Offset, flip.Bit); // the media is repaired (a replica's copy); try again
            return await OpenAsync(directory, storage, flip: null).ConfigureAwait(false);
        }
        catch (LedgerCorruptedException e)
        {
            Violation($"open reported corruption nobody injected: {e.Message}");
            return null;
        }
        catch (IOException e) when (storage.FaultedFile is not null)
        {
            Trace($"open failed: {e.GetType().Name} at {storage.FaultedFile}");
            Cover("open-failed");
            return null;
        }
        catch (Exception e)
        {
            Violation($"open failed unexpectedly: {e.GetType().Name}: {e.Message}");
            return null;
        }

        LedgerRecovery recovery = engine.Recovery;
        Trace($"open: epoch {engine.Epoch}, snapshot {recovery.SnapshotSequence}, replayed {recovery.RecordsReplayed}, cut {recovery.TruncatedBytes}, committed {engine.CommittedSequence}");
        if (recovery.TruncatedBytes > 0) Cover("torn-tail-cut");
        if (recovery.SnapshotSequence > 0) Cover("snapshot-loaded");
        if (engine.CommittedSequence > _fedUpTo) Cover("unacknowledged-committed");
        if (flip is { Snapshot: false })
        {
            Violation($"a flipped bit in {flip.Name} at {flip.Offset} (before the tail) was not reported");
        }
        else if (flip is { Snapshot: true })
        {
            if (recovery.SnapshotSequence == flip.Sequence) Violation($"recovery used the corrupt snapshot {flip.Name}");
            storage.FlipBit(flip.Name, flip.Offset, flip.Bit); // one corrupt copy at a time
        }

        await VerifyRecoveredAsync(engine).ConfigureAwait(false);
        return engine;
    }

    /// <summary>After an open: nothing committed was lost or changed, new committed batches go to the reference, states agree.</summary>
    private async Task VerifyRecoveredAsync(LedgerEngine engine)
    {
        long committed = engine.CommittedSequence;
        if (committed < _maxAcknowledgedSequence) Violation($"acknowledged batches lost: recovered up to {committed}, acknowledged up to {_maxAcknowledgedSequence}");
        if (committed < _fedUpTo) Violation($"committed batches lost: recovered up to {committed}, the feed had shown {_fedUpTo}");
        _feedCancel = new CancellationTokenSource();
        _feedRead = engine.Recovery.SnapshotSequence;
        _feed = engine.ReadCommittedAsync(_feedRead + 1, _feedCancel.Token).GetAsyncEnumerator(_feedCancel.Token);
        await DrainFeedAsync(committed).ConfigureAwait(false);
        await CheckStateAsync(engine).ConfigureAwait(false);
    }

    private async Task CloseAsync(LedgerEngine engine)
    {
        if (engine.LastSnapshotError is not null) Cover("snapshot-failed");
        if (engine.SnapshotsWritten > 0) Cover("snapshots-written", engine.SnapshotsWritten);
        if (_feed is not null)
        {
            await _feedCancel!.CancelAsync().ConfigureAwait(false);
            try
            {
                await _feed.DisposeAsync().ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // The feed was waiting: cancelling is how it stops.
            }

            _feedCancel.Dispose();
            _feed = null;
        }

        try
        {
            await engine.DisposeAsync().AsTask().WaitAsync(Timeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            Violation("the engine did not drain within the timeout");
        }
    }

    /// <summary>Reads the change feed up to <paramref name="until"/>, checking old batches and feeding new ones to the reference.</summary>
    private async Task DrainFeedAsync(long until)
    {
        while (_feedRead < until && _violations.Count == 0)
        {
            bool more;
            try
            {
                more = await _feed!.MoveNextAsync().AsTask().WaitAsync(Timeout).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or InvalidOperationException or TimeoutException)
            {
                Violation($"the change feed failed before {until}: {e.GetType().Name}: {e.Message}");
                return;
            }

            if (!more)
            {
                Violation($"the change feed ended at {_feedRead} before {until}");
                return;
            }

            Observe(_feed.Current);
        }
    }

    private void Observe(CommittedBatch batch)
    {
        if (batch.Sequence != _feedRead + 1) Violation($"the change feed skipped from {_feedRead} to {batch.Sequence}");
        _feedRead = batch.Sequence;
        UInt128 key = ClientRequest.KeyOf(batch);
        if (batch.Sequence <= _fedUpTo)
        {
            if (_committed.TryGetValue(batch.Sequence, out var known) && (known.Key != key || known.Timestamp != batch.Timestamp || known.Operation != batch.Operation))
            {
                Violation($"committed batch {batch.Sequence} changed across a restart");
            }

            return;
        }

        if (batch.Sequence != _fedUpTo + 1) Violation($"committed batch {batch.Sequence} follows {_fedUpTo}: a gap");
        if (!_requestsByContent.ContainsKey(key)) Violation($"committed batch {batch.Sequence} is not exactly one client request (half-applied or mixed)");
        (int, uint)[] results;
        try
        {
            results = batch.Operation == LedgerOperation.CreateAccounts
                ? _reference.CreateAccounts(batch.Accounts.Span, batch.Timestamp).Select(r => (r.Index, (uint)r.Result)).ToArray()
                : _reference.CreateTransfers(batch.Transfers.Span, batch.Timestamp).Select(r => (r.Index, (uint)r.Result)).ToArray();
        }
        catch (ArgumentException e)
        {
            Violation($"committed batch {batch.Sequence} is not a valid batch for the reference: {e.Message}");
            return;
        }

        foreach (Account account in batch.Accounts.Span)
        {
            if (_accountIdSet.Add(account.Id)) _accountIds.Add(account.Id);
        }

        _committed[batch.Sequence] = (batch.Timestamp, batch.Operation, key);
        _referenceResults[batch.Sequence] = results;
        _fedUpTo = batch.Sequence;
        Trace($"committed {batch.Sequence} at {batch.Timestamp}: {batch.Operation} x{batch.Accounts.Length + batch.Transfers.Length}, {results.Length} failed");
    }

    /// <summary>The engine's state equals the reference's, and money is conserved per ledger.</summary>
    private async Task CheckStateAsync(LedgerEngine engine)
    {
        if (_violations.Count > 0) return;
        UInt128 digest = await engine.ComputeDigestAsync().WaitAsync(Timeout).ConfigureAwait(false);
        UInt128 expected = _reference.ComputeDigest();
        Trace($"digest {digest:X32}");
        if (digest != expected) Violation($"digest {digest:X32} differs from the reference's {expected:X32} at committed {engine.CommittedSequence}");

        var sums = new Dictionary<uint, (UInt128 DebitsPosted, UInt128 CreditsPosted, UInt128 DebitsPending, UInt128 CreditsPending)>();
        int found = 0;
        for (int start = 0; start < _accountIds.Count; start += LedgerStateMachine.BatchEventsMax)
        {
            UInt128[] ids = _accountIds.GetRange(start, Math.Min(LedgerStateMachine.BatchEventsMax, _accountIds.Count - start)).ToArray();
            Account[] accounts = await engine.LookupAccountsAsync(ids).WaitAsync(Timeout).ConfigureAwait(false);
            found += accounts.Length;
            if (accounts.Length != _reference.LookupAccounts(ids).Length) Violation("the engine and the reference hold different accounts");
            foreach (Account a in accounts)
            {
                var s = sums.GetValueOrDefault(a.Ledger);
                sums[a.Ledger] = (s.DebitsPosted + a.DebitsPosted, s.CreditsPosted + a.CreditsPosted, s.DebitsPending + a.DebitsPending, s.CreditsPending + a.CreditsPending);
            }
        }

        // Reads answer what the reference answers: a sample of the transfer ids the client has sent.
        IReadOnlyList<UInt128> sent = _workload.TransferIds;
        if (sent.Count > 0)
        {
            UInt128[] sample = Enumerable.Range(0, 8).Select(_ => sent[_readRandom.Next(sent.Count)]).ToArray();
            Transfer[] read = await engine.LookupTransfersAsync(sample).WaitAsync(Timeout).ConfigureAwait(false);
            if (!read.SequenceEqual(_reference.LookupTransfers(sample))) Violation("a transfer lookup differs from the reference's");
        }

        foreach ((uint ledger, var s) in sums)
        {
            if (s.DebitsPosted != s.CreditsPosted || s.DebitsPending != s.CreditsPending)
            {
                Violation($"money is not conserved on ledger {ledger}: posted {s.DebitsPosted}/{s.CreditsPosted}, pending {s.DebitsPending}/{s.CreditsPending}");
            }
        }
    }

    /// <summary>Plans this lifetime's one storage fault (or none), at an operation count from the seed.</summary>
    private void PlanFault(FaultyStorage storage, int budget)
    {
        int kind = _random.Next(100);
        storage.Fault = kind switch { < 25 => FaultKind.None, < 45 => FaultKind.FailWrite, < 65 => FaultKind.FailFlush, _ => FaultKind.Crash };
        // Writes and fsyncs are about one per request each (plus the metadata and any snapshot); a crash counts every mutation.
        storage.FaultAt = storage.Fault == FaultKind.Crash ? _random.Next(1, (3 * budget) + 8) : _random.Next(1, budget + 4);
        storage.FaultMessage = _random.Next(2) == 0 ? FaultyStorage.Eio : FaultyStorage.Enospc;
        storage.PartialWriteBytes = _random.Next(3) == 0 ? 0 : _random.Next(1, 4096);
        storage.CrashTornBytes = _random.Next(3) == 0 ? null : _random.Next(0, 4096);
        Trace($"plan {storage.Fault} at {storage.FaultAt}");
    }

    private void CountFault(FaultyStorage storage)
    {
        if (storage.FaultedFile is null) return;
        string message = storage.FaultMessage == FaultyStorage.Enospc ? "ENOSPC" : "EIO";
        string kind = storage.Fault switch
        {
            FaultKind.FailWrite => $"write-{message}",
            FaultKind.FailFlush => $"fsync-{message}",
            _ => storage.CrashTornBytes is null ? "crash" : "crash-torn",
        };
        _faults[kind] = _faults.GetValueOrDefault(kind) + 1;
        Trace($"fault {kind} hit {storage.FaultedFile}");
    }

    /// <summary>What the next engine finds: the crash image, a machine crash (unsynced data lost, maybe a torn write) or a process restart.</summary>
    private FaultyStorage Restart(FaultyStorage storage)
    {
        _restarts++;
        if (storage.CrashImage is { } image)
        {
            Trace("restart: from the crash image");
            return image;
        }

        if (_random.Next(2) == 0)
        {
            int? torn = _random.Next(3) == 0 ? null : _random.Next(0, 8192);
            Trace($"restart: machine crash, torn {torn?.ToString(CultureInfo.InvariantCulture) ?? "none"}");
            return storage.Crash(torn);
        }

        Trace("restart: process restart");
        return storage.Restart();
    }

    /// <summary>
    /// Flips one bit of a durable file: in the newest snapshot (recovery must pass it over), or in a
    /// journal record or segment header that recovery reads and that is not the journal's last record
    /// (recovery must report it). A flip in the very last record looks exactly like a torn write and is
    /// cut as one; with a single copy of the journal nothing can tell them apart, so it is not injected.
    /// </summary>
    private Flip? InjectFlip(FaultyStorage storage)
    {
        List<(long Sequence, string Name)> snapshots = SnapshotFile.List(storage);
        if (snapshots.Count > 0 && _random.Next(3) == 0)
        {
            string name = snapshots[0].Name;
            int length = storage.ReadAll(name).Length;
            var snapshotFlip = new Flip(name, _random.Next(length), _random.Next(8), true, snapshots[0].Sequence);
            storage.FlipBit(snapshotFlip.Name, snapshotFlip.Offset, snapshotFlip.Bit);
            _faults["bitflip-snapshot"] = _faults.GetValueOrDefault("bitflip-snapshot") + 1;
            Trace($"flip snapshot {name} at {snapshotFlip.Offset}");
            return snapshotFlip;
        }

        List<(long First, string Name)> segments = JournalReader.ListSegments(storage);
        long snapshotSequence = snapshots.Count > 0 ? snapshots[0].Sequence : 0;
        int start = 0;
        while (start + 1 < segments.Count && segments[start + 1].First <= snapshotSequence + 1) start++;
        var candidates = new List<(string Name, long Offset, int Length)>();
        for (int s = start; s < segments.Count; s++)
        {
            byte[] bytes = storage.ReadAll(segments[s].Name);
            List<(long Offset, int Length)> records = ValidRecords(bytes, segments[s].First);
            if (s == segments.Count - 1 && records.Count > 0) records.RemoveAt(records.Count - 1);
            if (records.Count > 0 || (s < segments.Count - 1 && bytes.Length >= JournalFormat.SegmentHeaderSize)) candidates.Add((segments[s].Name, 0, JournalFormat.SegmentHeaderSize));
            foreach ((long offset, int length) in records) candidates.Add((segments[s].Name, offset, length));
        }

        if (candidates.Count == 0) return null;
        (string file, long at, int size) = candidates[_random.Next(candidates.Count)];
        var flip = new Flip(file, at + _random.Next(size), _random.Next(8), false, 0);
        storage.FlipBit(flip.Name, flip.Offset, flip.Bit);
        _faults["bitflip-journal"] = _faults.GetValueOrDefault("bitflip-journal") + 1;
        Trace($"flip journal {file} at {flip.Offset}");
        return flip;
    }

    /// <summary>The valid records of a segment's bytes, from its start to the first invalid one.</summary>
    private static List<(long Offset, int Length)> ValidRecords(byte[] bytes, long firstSequence)
    {
        var records = new List<(long, int)>();
        long offset = JournalFormat.SegmentHeaderSize;
        long expected = firstSequence;
        while (bytes.Length - offset >= JournalFormat.RecordHeaderSize)
        {
            ReadOnlySpan<byte> header = bytes.AsSpan((int)offset, JournalFormat.RecordHeaderSize);
            if (JournalFormat.TryReadRecordHeader(header, out JournalRecordInfo info, out int payloadLength) is not null) break;
            if (bytes.Length - offset - JournalFormat.RecordHeaderSize < payloadLength) break;
            if (!JournalFormat.ChecksumMatches(header, bytes.AsSpan((int)offset + JournalFormat.RecordHeaderSize, payloadLength))) break;
            if (info.Sequence != expected) break;
            records.Add((offset, JournalFormat.RecordHeaderSize + payloadLength));
            offset += JournalFormat.RecordHeaderSize + payloadLength;
            expected++;
        }

        return records;
    }

    /// <summary>The client's clock steps: mostly forward a little, sometimes back (NTP), sometimes far forward (timeouts expire).</summary>
    private void StepClock()
    {
        int r = _random.Next(20);
        if (r == 0)
        {
            _clock.Advance(TimeSpan.FromMilliseconds(-_random.Next(1, 5000)));
            _faults["clock-back"] = _faults.GetValueOrDefault("clock-back") + 1;
        }
        else if (r == 1)
        {
            _clock.Advance(TimeSpan.FromSeconds(_random.Next(1, 3600)));
        }
        else
        {
            _clock.Advance(TimeSpan.FromMilliseconds(_random.Next(0, 2000)));
        }
    }

    /// <summary>The disk is slow at random: a delay changes timing only, never an outcome.</summary>
    private void SlowDown(string name)
    {
        if (_slowRandom.Next(64) != 0) return;
        Interlocked.Increment(ref _slow);
        Thread.Sleep(1);
    }

    private void Cover(string what, int count = 1) => _coverage[what] = _coverage.GetValueOrDefault(what) + count;

    private void Trace(string line)
    {
        _trace.Append(Encoding.UTF8.GetBytes(line + "\n"));
        _traceTail.Enqueue(line);
        if (_traceTail.Count > TraceTailLines) _traceTail.Dequeue();
    }

    private void Violation(string what)
    {
        _violations.Add(what);
        Trace("VIOLATION " + what);
    }

    private static string Describe((int Index, uint Result)[] results) =>
        "[" + string.Join(", ", results.Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.Index}:{r.Result}"))) + "]";

    /// <summary>An injected bit flip, undone (the media repaired) once recovery has dealt with it.</summary>
    private sealed record Flip(string Name, long Offset, int Bit, bool Snapshot, long Sequence);
}
