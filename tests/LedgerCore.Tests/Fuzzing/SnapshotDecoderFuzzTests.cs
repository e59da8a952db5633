using FsCheck;
using FsCheck.Fluent;
using LedgerCore.Journal;
using LedgerCore.Tests.Faults;
using NUnit.Framework;

namespace LedgerCore.Tests.Fuzzing;

/// <summary>
/// Fuzzes the snapshot decoder with mutated snapshots (truncated, bit-flipped, counts overwritten with
/// arbitrary values, runs randomised, spans duplicated): it must end in <see cref="LedgerCorruptedException"/>
/// (recovery then falls back to the previous snapshot) or restore exactly the original state, and never
/// allocate by a count the file cannot hold.
/// </summary>
public class SnapshotDecoderFuzzTests
{
    private static readonly UInt128 LedgerId = 0xABCD;
    private const string Name = "snapshot-00000000000000000007.snap";

    [Test]
    public void Snapshot_reader_ends_in_a_typed_error_or_the_original_state()
    {
        (byte[] valid, UInt128 digest) = BuildSnapshot();
        long validAllocation = Allocation(valid, out _);
        Gen<ByteMutation[]> cases = Gen.ArrayOf(
            from kind in Gen.Choose(0, 5)
            from a in Gen.Choose(0, int.MaxValue)
            from b in Gen.Choose(int.MinValue, int.MaxValue)
            select new ByteMutation(kind, a, b)).Where(m => m.Length is > 0 and <= 3);

        int rejected = 0;
        Prop.ForAll(cases.ToArbitrary(), mutations =>
        {
            byte[] bytes = valid;
            foreach (ByteMutation m in mutations) bytes = m.Apply(bytes, []);
            long allocated = Allocation(bytes, out Exception? error, digest);
            if (error is not null)
            {
                Assert.That(error, Is.InstanceOf<LedgerCorruptedException>(), $"untyped failure: {error}");
                rejected++;
            }

            // Whatever a count claims, the reader allocates at most in proportion to the bytes it was given.
            Assert.That(allocated, Is.LessThanOrEqualTo((2 * validAllocation) + (64L * bytes.Length)), "allocated by an untrusted count");
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(1500));

        Assert.That(rejected, Is.GreaterThan(0));
    }

    /// <summary>Reads the bytes as a snapshot; returns the bytes allocated, and the error if it failed. A success must restore <paramref name="digest"/>.</summary>
    private static long Allocation(byte[] bytes, out Exception? error, UInt128? digest = null)
    {
        var storage = new FaultyStorage();
        storage.WriteAll(Name, bytes);
        error = null;
        long before = GC.GetAllocatedBytesForCurrentThread();
        try
        {
            (LedgerStateMachine machine, long sequence, ulong _) = SnapshotFile.Read(storage, Name, LedgerId);
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.That(sequence, Is.EqualTo(7));
            if (digest is { } expected) Assert.That(machine.ComputeDigest(), Is.EqualTo(expected), "a snapshot that verifies restores the original state");
            return allocated;
        }
        catch (Exception e) when (e is not AssertionException)
        {
            error = e;
            return GC.GetAllocatedBytesForCurrentThread() - before;
        }
    }

    /// <summary>A small but complete snapshot: accounts with history, posted, pending (with timeouts), voided and failed transfers.</summary>
    private static (byte[] Bytes, UInt128 Digest) BuildSnapshot()
    {
        var machine = new LedgerStateMachine();
        ulong timestamp = 1_000_000_000_000;
        Account[] accounts = Enumerable.Range(1, 6).Select(i => new Account
        {
            Id = (ulong)i,
            Ledger = 1,
            Code = 1,
            Flags = i % 2 == 0 ? AccountFlags.History : AccountFlags.None,
        }).ToArray();
        machine.CreateAccounts(accounts, timestamp += 100);
        var transfers = new List<Transfer>();
        for (int i = 0; i < 40; i++)
        {
            var t = new Transfer { Id = (ulong)(100 + i), DebitAccountId = (ulong)((i % 6) + 1), CreditAccountId = (ulong)(((i + 1) % 6) + 1), Amount = (ulong)(i + 1), Ledger = 1, Code = 1 };
            if (i % 4 == 1) t.Flags = TransferFlags.Pending;
            if (i % 8 == 1) t.Timeout = 60;
            transfers.Add(t);
        }

        machine.CreateTransfers(transfers.ToArray(), timestamp += 100);
        machine.CreateTransfers(new[]
        {
            new Transfer { Id = 500, PendingId = 101, Flags = TransferFlags.PostPendingTransfer },
            new Transfer { Id = 501, PendingId = 105, Flags = TransferFlags.VoidPendingTransfer },
            new Transfer { Id = 502, DebitAccountId = 1, CreditAccountId = 99, Amount = 1, Ledger = 1, Code = 1 },
        }, timestamp += 100);

        var storage = new FaultyStorage();
        SnapshotFile.Write(storage, LedgerId, 7, 3, machine.CaptureImage());
        return (storage.ReadAll(Name), machine.ComputeDigest());
    }
}
