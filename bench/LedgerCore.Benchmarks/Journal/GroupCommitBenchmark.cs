using BenchmarkDotNet.Attributes;
using LedgerCore.Journal;
using LedgerCore.Storage;

namespace LedgerCore.Benchmarks.Journal;

/// <summary>
/// One group commit on the real disk: append records worth 64 KiB or 1 MiB to the journal and make
/// them durable with one write and one fsync (or no fsync, to show what the fsync costs). The time is
/// per group; the journal's throughput ceiling is group bytes divided by it.
/// </summary>
[MemoryDiagnoser]
public class GroupCommitBenchmark
{
    private string _directory = "";
    private JournalWriter? _writer;
    private byte[] _payload = [];
    private int _events;

    [Params(64 * 1024, 1024 * 1024)]
    public int GroupBytes { get; set; }

    [Params(true, false)]
    public bool Fsync { get; set; }

    [GlobalSetup]
    public void Open()
    {
        _directory = Path.Combine(Path.GetTempPath(), $"ledgercore-bench-{Guid.NewGuid():N}");
        Directory.CreateDirectory(_directory);
        _events = (GroupBytes - JournalFormat.RecordHeaderSize) / JournalFormat.EventSize;
        _payload = new byte[_events * JournalFormat.EventSize];
        new Random(1).NextBytes(_payload);
        _writer = JournalWriter.Open(new FileStorage(_directory), ledgerId: 1, segmentBytesMax: 1L << 30,
            groupBytesMax: GroupBytes + JournalFormat.RecordHeaderSize, nextSequence: 1, lastSegment: null, endOffset: 0);
    }

    [GlobalCleanup]
    public void Close()
    {
        _writer?.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Benchmark]
    public long AppendAndCommit()
    {
        _writer!.Append(LedgerOperation.CreateTransfers, timestamp: 1, fencingToken: 1, _events, _payload);
        _writer.Commit(durable: Fsync);
        return _writer.BytesCommitted;
    }
}
