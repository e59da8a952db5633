using System.Buffers;
using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using LedgerCore.Journal;
using MessagePack;

namespace LedgerCore.Benchmarks.Journal;

/// <summary>
/// The journal payload encoding decision (docs/journal-format.md): a full batch of 8190 transfers as
/// the fixed 128-byte layout the journal uses (a copy plus the record checksum), against MessagePack
/// with a hand-written writer (UInt128 as two uint64), the fastest MessagePack form. Per transfer.
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

    [Benchmark(OperationsPerInvoke = Count)]
    public void EncodeMessagePack()
    {
        _packed.ResetWrittenCount();
        var writer = new MessagePackWriter(_packed);
        writer.WriteArrayHeader(Count);
        foreach (ref readonly Transfer t in _transfers.AsSpan())
        {
            writer.WriteArrayHeader(19);
            WriteUInt128(ref writer, t.Id);
            WriteUInt128(ref writer, t.DebitAccountId);
            WriteUInt128(ref writer, t.CreditAccountId);
            WriteUInt128(ref writer, t.Amount);
            WriteUInt128(ref writer, t.PendingId);
            WriteUInt128(ref writer, t.UserData128);
            writer.Write(t.UserData64);
            writer.Write(t.UserData32);
            writer.Write(t.Timeout);
            writer.Write(t.Ledger);
            writer.Write(t.Code);
            writer.Write((ushort)t.Flags);
            writer.Write(t.Timestamp);
        }

        writer.Flush();
    }

    [Benchmark(OperationsPerInvoke = Count)]
    public ulong DecodeMessagePack()
    {
        var reader = new MessagePackReader(_packedBytes);
        int count = reader.ReadArrayHeader();
        ulong sum = 0;
        for (int i = 0; i < count; i++)
        {
            reader.ReadArrayHeader();
            var t = new Transfer
            {
                Id = ReadUInt128(ref reader),
                DebitAccountId = ReadUInt128(ref reader),
                CreditAccountId = ReadUInt128(ref reader),
                Amount = ReadUInt128(ref reader),
                PendingId = ReadUInt128(ref reader),
                UserData128 = ReadUInt128(ref reader),
                UserData64 = reader.ReadUInt64(),
                UserData32 = reader.ReadUInt32(),
                Timeout = reader.ReadUInt32(),
                Ledger = reader.ReadUInt32(),
                Code = reader.ReadUInt16(),
                Flags = (TransferFlags)reader.ReadUInt16(),
                Timestamp = reader.ReadUInt64(),
            };
            sum += t.Ledger;
        }

        return sum;
    }

    private static void WriteUInt128(ref MessagePackWriter writer, UInt128 value)
    {
        writer.Write(unchecked((ulong)value));
        writer.Write((ulong)(value >> 64));
    }

    private static UInt128 ReadUInt128(ref MessagePackReader reader)
    {
        ulong lower = reader.ReadUInt64();
        return new UInt128(reader.ReadUInt64(), lower);
    }
}
