using System.Diagnostics;
using LedgerCore.Storage;

namespace LedgerCore.Journal;

/// <summary>
/// Appends records to the journal's newest segment in groups: records are encoded into one buffer
/// and <see cref="Commit"/> writes the whole group with one write and makes it durable with one
/// fsync. Back of the envelope (docs/architecture.md): an fsync costs ~0.3 ms and the disk moves
/// ~400-600 MB/s, so 1-4 MiB groups keep both the fsync rate and the bandwidth near their limits.
/// </summary>
/// <remarks>Single-threaded: only the journal stage calls it. After an I/O error it refuses further writes.</remarks>
internal sealed class JournalWriter : IDisposable
{
    private readonly IStorage _storage;
    private readonly UInt128 _ledgerId;
    private readonly long _segmentBytesMax;

    private IStorageFile? _segment;
    private long _segmentOffset;
    private byte[] _buffer;
    private int _buffered;
    private long _nextSequence;
    private long _bufferFirstSequence;
    private Exception? _failure;

    private JournalWriter(IStorage storage, UInt128 ledgerId, long segmentBytesMax, int groupBytesMax, long nextSequence)
    {
        _storage = storage;
        _ledgerId = ledgerId;
        _segmentBytesMax = segmentBytesMax;
        _buffer = new byte[Math.Max(groupBytesMax, JournalFormat.RecordHeaderSize + JournalFormat.PayloadBytesMax)];
        _nextSequence = nextSequence;
        _bufferFirstSequence = nextSequence;
    }

    /// <summary>The sequence the next appended record must carry.</summary>
    public long NextSequence => _nextSequence;

    /// <summary>Total bytes made durable by this writer.</summary>
    public long BytesCommitted { get; private set; }

    /// <summary>Number of fsyncs issued for groups (not counting segment creation).</summary>
    public long Commits { get; private set; }

    /// <summary>Stopwatch ticks spent in group writes and their fsyncs: the price of durability.</summary>
    public long CommitTicks { get; private set; }

    /// <summary>
    /// Opens the writer after recovery: appends to segment <paramref name="lastSegment"/> at
    /// <paramref name="endOffset"/> (its valid end, after any torn tail was cut), or starts a new
    /// segment at the next commit when there is none.
    /// </summary>
    public static JournalWriter Open(IStorage storage, UInt128 ledgerId, long segmentBytesMax, int groupBytesMax,
        long nextSequence, string? lastSegment, long endOffset)
    {
        var writer = new JournalWriter(storage, ledgerId, segmentBytesMax, groupBytesMax, nextSequence);
        if (lastSegment is not null && endOffset < segmentBytesMax)
        {
            writer._segment = storage.Open(lastSegment, create: false);
            writer._segmentOffset = endOffset;
        }

        return writer;
    }

    /// <summary>Whether a record of <paramref name="payloadBytes"/> still fits in the current group.</summary>
    public bool Fits(int payloadBytes) => _buffered + JournalFormat.RecordHeaderSize + payloadBytes <= _buffer.Length;

    /// <summary>Encodes one record into the group buffer; nothing reaches the disk before <see cref="Commit"/>.</summary>
    public void Append(LedgerOperation operation, ulong timestamp, ulong fencingToken, int eventCount, ReadOnlySpan<byte> payload)
    {
        ThrowIfFailed();
        Debug.Assert(Fits(payload.Length));
        Debug.Assert(payload.Length == eventCount * JournalFormat.EventSize);
        Span<byte> record = _buffer.AsSpan(_buffered, JournalFormat.RecordHeaderSize + payload.Length);
        payload.CopyTo(record[JournalFormat.RecordHeaderSize..]);
        var info = new JournalRecordInfo(_nextSequence, timestamp, fencingToken, operation, eventCount);
        JournalFormat.WriteRecordHeader(record, in info, record[JournalFormat.RecordHeaderSize..]);
        _buffered += record.Length;
        _nextSequence++;
    }

    /// <summary>
    /// Writes the group with one write and one fsync. When it returns, every appended record is
    /// durable. On failure the writer is faulted: the group may be partly on disk but is not durable,
    /// and no later call succeeds.
    /// </summary>
    /// <exception cref="IOException">The write or the fsync failed.</exception>
    public void Commit(bool durable = true)
    {
        ThrowIfFailed();
        if (_buffered == 0) return;
        long started = Stopwatch.GetTimestamp();
        try
        {
            if (_segment is null || _segmentOffset >= _segmentBytesMax)
            {
                StartSegment(_bufferFirstSequence);
            }

            _segment!.Write(_segmentOffset, _buffer.AsSpan(0, _buffered));
            if (durable) _segment.Flush();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _failure = e;
            throw;
        }

        _segmentOffset += _buffered;
        BytesCommitted += _buffered;
        Commits++;
        CommitTicks += Stopwatch.GetTimestamp() - started;
        _buffered = 0;
        _bufferFirstSequence = _nextSequence;
    }

    /// <summary>Closes the current segment so the next commit opens a new one (after a snapshot, say).</summary>
    public void Dispose()
    {
        _segment?.Dispose();
        _segment = null;
        _buffer = [];
    }

    private void StartSegment(long firstSequence)
    {
        _segment?.Dispose();
        _segment = null;
        string name = JournalFormat.SegmentName(firstSequence);
        IStorageFile segment = _storage.Open(name, create: true);
        try
        {
            // A leftover from a crash between creating and first syncing this segment holds nothing durable.
            segment.Truncate(0);
            Span<byte> header = stackalloc byte[JournalFormat.SegmentHeaderSize];
            JournalFormat.WriteSegmentHeader(header, _ledgerId, firstSequence);
            segment.Write(0, header);
            segment.Flush();
            _storage.SyncDirectory();
        }
        catch
        {
            segment.Dispose();
            throw;
        }

        _segment = segment;
        _segmentOffset = JournalFormat.SegmentHeaderSize;
    }

    private void ThrowIfFailed()
    {
        if (_failure is not null)
        {
            throw new IOException("The journal failed earlier and accepts no more writes.", _failure);
        }
    }
}
