using System.Buffers;
using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using LedgerCore.Journal;
using LedgerCore.Tcp.Protocol;
using MessagePack;

namespace LedgerCore.Benchmarks.Journal;

/// <summary>
/// The journal payload encoding decision (docs/journal-format.md): a full batch of 8190 transfers as
/// the fixed 128-byte layout the journal uses (a copy plus the record checksum), against MessagePack
/// as the TCP adapter encodes it (its hand-written codec: each record an array, 128-bit values as
/// 16-byte bins). Per transfer.
/// </summary>
[MemoryDiagnoser]
public class EncodingBenchmark
{
    private const int Count = LedgerStateMachine.BatchEventsMax;
    private readonly Transfer[] _transfers = new Transfer[Count];
    private readonly byte[] _fixed = new byte[JournalFormat.RecordHeaderSize + (Count * JournalFormat.EventSize)];
    private readonly ArrayBufferWriter<byte> _packed = new(Count * 160);
    private byte[] _packedBytes = [];

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(7);
        for (int i = 0; i < Count; i++)
        {
            _transfers[i] = new Transfer
            {
                Id = (UInt128)(ulong)random.NextInt64() << 64 | (ulong)random.NextInt64(),
                DebitAccountId = (ulong)random.Next(1, 100_000),
                CreditAccountId = (ulong)random.Next(1, 100_000),
                Amount = (ulong)random.Next(1, 1_000_000),
                UserData64 = (ulong)i,
                Ledger = 1,
                Code = 1,
            };
        }

        EncodeFixed();
        EncodeMessagePack();
        _packedBytes = _packed.WrittenSpan.ToArray();
        Console.WriteLine($"// bytes per transfer: fixed {JournalFormat.EventSize}, MessagePack {(double)_packedBytes.Length / Count:F1}");
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Count)]
    public void EncodeFixed()
    {
        Span<byte> payload = _fixed.AsSpan(JournalFormat.RecordHeaderSize);
        MemoryMarshal.AsBytes(_transfers.AsSpan()).CopyTo(payload);
        JournalFormat.WriteRecordHeader(_fixed, new JournalRecordInfo(1, 1, 1, LedgerOperation.CreateTransfers, Count), payload);
    }

    [Benchmark(OperationsPerInvoke = Count)]
    public int DecodeFixed()
    {
        Span<byte> payload = _fixed.AsSpan(JournalFormat.RecordHeaderSize);
        if (!JournalFormat.ChecksumMatches(_fixed, payload)) throw new InvalidOperationException();
        return MemoryMarshal.Cast<byte, Transfer>(payload).Length;
    }

    /// <summary>The rival: MessagePack as the TCP adapter ships it (LedgerCore.Tcp's codec).</summary>
    [Benchmark(OperationsPerInvoke = Count)]
    public void EncodeMessagePack()
    {
        _packed.ResetWrittenCount();
        var writer = new MessagePackWriter(_packed);
        writer.WriteArrayHeader(Count);
        foreach (ref readonly Transfer t in _transfers.AsSpan())
        {
            ModelCodec.Write(ref writer, in t);
        }

        writer.Flush();
    }

    [Benchmark(OperationsPerInvoke = Count)]
    public ulong DecodeMessagePack()
    {
        var reader = new SpanReader(_packedBytes);
        int count = reader.ReadArrayHeader();
        ulong sum = 0;
        for (int i = 0; i < count; i++)
        {
            sum += ModelCodec.ReadTransfer(ref reader).Ledger;
        }

        return sum;
    }
}
