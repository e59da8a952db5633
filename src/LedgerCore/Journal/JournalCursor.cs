using System.Runtime.InteropServices;
using LedgerCore.Storage;

namespace LedgerCore.Journal;

/// <summary>
/// A forward-only reader of durable journal records for the change feed: remembers its segment and
/// offset, so following a growing journal costs O(new records), and reads only up to a sequence the
/// caller knows to be committed (never the tail being written). It delivers only records the state
/// machine applied: a record whose fencing token is below one read before it (in this cursor's scan, or
/// known to recovery through <paramref name="staleSequences"/>) came from a stale writer and is skipped.
/// </summary>
internal sealed class JournalCursor(IStorage storage, UInt128 ledgerId, long fromSequence, IReadOnlySet<long>? staleSequences = null) : IDisposable
{
    private ulong _highestFencingToken;
    private readonly byte[] _header = new byte[JournalFormat.RecordHeaderSize];
    private readonly byte[] _payload = new byte[JournalFormat.PayloadBytesMax];
    private IStorageFile? _file;
    private string _segment = "";
    private long _offset;
    private long _expected = -1;

    /// <summary>The sequence of the next record this cursor returns.</summary>
    public long NextSequence { get; private set; } = Math.Max(1, fromSequence);

    /// <summary>Appends every record from <see cref="NextSequence"/> through <paramref name="untilSequence"/> to <paramref name="output"/>.</summary>
    /// <exception cref="InvalidOperationException">The records asked for were compacted into a snapshot.</exception>
    /// <exception cref="LedgerCorruptedException">A committed record fails verification.</exception>
    public void ReadUpTo(long untilSequence, List<CommittedBatch> output)
    {
        while (NextSequence <= untilSequence)
        {
            if (_file is null)
            {
                OpenSegmentHolding(NextSequence);
            }
            else if (_offset >= _file.Length)
            {
                // The segment is exhausted: the next record starts the next segment.
                OpenSegment(JournalFormat.SegmentName(_expected), _expected);
            }

            string? problem = JournalReader.TryReadRecord(_file!, _offset, _file!.Length, _expected, _header, _payload, out JournalRecordInfo info);
            if (problem is not null) throw new LedgerCorruptedException(_segment, _offset, problem);
            _offset += JournalFormat.RecordHeaderSize + (info.EventCount * JournalFormat.EventSize);
            _expected = info.Sequence + 1;
            bool stale = info.FencingToken < _highestFencingToken || (staleSequences is not null && staleSequences.Contains(info.Sequence));
            if (!stale) _highestFencingToken = info.FencingToken;
            if (info.Sequence < NextSequence) continue;
            NextSequence = info.Sequence + 1;
            if (stale) continue;

            ReadOnlySpan<byte> payload = _payload.AsSpan(0, info.EventCount * JournalFormat.EventSize);
            output.Add(info.Operation == LedgerOperation.CreateAccounts
                ? new CommittedBatch(info.Sequence, info.Timestamp, info.FencingToken, info.Operation, MemoryMarshal.Cast<byte, Account>(payload).ToArray(), ReadOnlyMemory<Transfer>.Empty)
                : new CommittedBatch(info.Sequence, info.Timestamp, info.FencingToken, info.Operation, ReadOnlyMemory<Account>.Empty, MemoryMarshal.Cast<byte, Transfer>(payload).ToArray()));
        }
    }

    public void Dispose()
    {
        _file?.Dispose();
        _file = null;
    }

    private void OpenSegmentHolding(long sequence)
    {
        List<(long First, string Name)> segments = JournalReader.ListSegments(storage);
        int index = segments.FindLastIndex(s => s.First <= sequence);
        if (index < 0)
        {
            long oldest = segments.Count > 0 ? segments[0].First : sequence;
            throw new InvalidOperationException(
                $"Sequence {sequence} is no longer in the journal (it starts at {oldest}); it was compacted into a snapshot.");
        }

        OpenSegment(segments[index].Name, segments[index].First);
    }

    private void OpenSegment(string name, long first)
    {
        _file?.Dispose();
        _file = null;
        if (!storage.Exists(name))
        {
            // Compaction deletes the oldest segments: a reader that fell behind it lost its sequences, the ledger lost nothing.
            List<(long First, string Name)> segments = JournalReader.ListSegments(storage);
            if (segments.Count > 0 && segments[0].First > first)
            {
                throw new InvalidOperationException(
                    $"Sequence {first} is no longer in the journal (it starts at {segments[0].First}); it was compacted into a snapshot.");
            }

            throw new LedgerCorruptedException(name, 0, $"segment holding committed sequence {first} is missing");
        }

        _file = storage.OpenRead(name);
        string? problem = _file.Read(0, _header) < JournalFormat.SegmentHeaderSize ? "segment header is truncated" : JournalFormat.CheckSegmentHeader(_header, ledgerId, first);
        if (problem is not null) throw new LedgerCorruptedException(name, 0, problem);
        _segment = name;
        _offset = JournalFormat.SegmentHeaderSize;
        _expected = first;
    }
}
