namespace LedgerCore.Cluster.Feed;

/// <summary>
/// Where each batch this replica applied since its newest snapshot sits in the Raft log: one
/// (sequence, Raft index) pair per applied batch, 16 bytes, kept in sequence order. The change feed
/// finds a batch's entry here and reads it from the log; the map is needed because the log also holds
/// no-ops and configuration entries between batches. Sequences at or below the newest snapshot are not
/// readable (the log substitutes the snapshot for them) and are dropped, so the map holds at most the
/// batches of one snapshot interval. Written by DotNext's applier, read by feeds: a lock, never taken
/// on the processor.
/// </summary>
internal sealed class AppliedBatchIndex(long floor)
{
    private readonly Lock _lock = new();
    private (long Sequence, long Index)[] _entries = new (long, long)[256];
    private int _start;
    private int _count;
    private long _floor = floor;
    private TaskCompletionSource? _added;
    private bool _closed;

    /// <summary>The highest sequence no longer readable (the newest snapshot's), 0 when all are.</summary>
    public long Floor
    {
        get
        {
            lock (_lock) return _floor;
        }
    }

    /// <summary>Records an applied batch and wakes the feeds waiting for one.</summary>
    public void Add(long sequence, long index)
    {
        TaskCompletionSource? added;
        lock (_lock)
        {
            // Sequences only grow along the log; anything else is not a batch the feed should see twice.
            if (_count > 0 && _entries[_start + _count - 1].Sequence >= sequence) return;
            if (_start + _count == _entries.Length)
            {
                // Slide left when the front was trimmed enough, else grow.
                var target = _count * 2 <= _entries.Length ? _entries : new (long, long)[_entries.Length * 2];
                Array.Copy(_entries, _start, target, 0, _count);
                _entries = target;
                _start = 0;
            }

            _entries[_start + _count++] = (sequence, index);
            added = _added;
            _added = null;
        }

        added?.TrySetResult();
    }

    /// <summary>A snapshot now covers everything through <paramref name="sequence"/>: those batches leave the feed.</summary>
    public void Compact(long sequence)
    {
        lock (_lock)
        {
            if (sequence <= _floor) return;
            _floor = sequence;
            while (_count > 0 && _entries[_start].Sequence <= sequence)
            {
                _start++;
                _count--;
            }

            if (_count == 0) _start = 0;
        }
    }

    /// <summary>No more batches (the replica is closing): waiting feeds end.</summary>
    public void Close()
    {
        TaskCompletionSource? added;
        lock (_lock)
        {
            _closed = true;
            added = _added;
            _added = null;
        }

        added?.TrySetResult();
    }

    /// <summary>
    /// Copies the entries of the first batches with a sequence of at least <paramref name="from"/> into
    /// <paramref name="into"/>; when there are none, <paramref name="added"/> completes at the next
    /// <see cref="Add"/> (or is null once closed).
    /// </summary>
    /// <exception cref="InvalidOperationException"><paramref name="from"/> is at or below the newest snapshot.</exception>
    public int Read(long from, Span<(long Sequence, long Index)> into, out Task? added)
    {
        lock (_lock)
        {
            if (from <= _floor) throw Compacted(from, _floor);
            added = null;
            int first = FirstAtLeast(from);
            int n = Math.Min(into.Length, _count - first);
            if (n > 0)
            {
                _entries.AsSpan(_start + first, n).CopyTo(into);
                return n;
            }

            if (!_closed)
            {
                _added ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                added = _added.Task;
            }

            return 0;
        }
    }

    /// <summary>
    /// Completes with true once a batch after <paramref name="sequence"/> was applied (at once if one already
    /// was, recorded or compacted), false once the replica closes.
    /// </summary>
    public async Task<bool> WaitAppliedAfterAsync(long sequence, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task added;
            lock (_lock)
            {
                if (_floor > sequence || (_count > 0 && _entries[_start + _count - 1].Sequence > sequence)) return true;
                if (_closed) return false;
                _added ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                added = _added.Task;
            }

            await added.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public static InvalidOperationException Compacted(long sequence, long floor) =>
        new($"Sequence {sequence} is no longer in this replica's log: a snapshot covers everything through sequence {floor}.");

    private int FirstAtLeast(long sequence)
    {
        int low = 0;
        int high = _count;
        while (low < high)
        {
            int mid = (low + high) >>> 1;
            if (_entries[_start + mid].Sequence < sequence) low = mid + 1;
            else high = mid;
        }

        return low;
    }
}
