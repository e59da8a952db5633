using System.IO.Hashing;
using BenchmarkDotNet.Attributes;

namespace LedgerCore.Benchmarks.Journal;

/// <summary>
/// The record checksum over a full batch (8190 × 128 bytes, about 1 MiB): XxHash3, which the journal
/// uses, against CRC-32C (<see cref="Crc32"/>, the other candidate the format allowed). Per transfer.
/// </summary>
[MemoryDiagnoser]
public class ChecksumBenchmark
{
    private const int Count = LedgerStateMachine.BatchEventsMax;
    private readonly byte[] _payload = new byte[Count * 128];

    [GlobalSetup]
    public void Fill() => new Random(5).NextBytes(_payload);

    [Benchmark(Baseline = true, OperationsPerInvoke = Count)]
    public ulong XxHash3Batch() => XxHash3.HashToUInt64(_payload);

    [Benchmark(OperationsPerInvoke = Count)]
    public uint Crc32Batch() => Crc32.HashToUInt32(_payload);
}
