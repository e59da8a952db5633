using LedgerCore.Journal;
using LedgerCore.Tests.Engine;
using LedgerCore.Tests.Faults;
using NUnit.Framework;

namespace LedgerCore.Tests.Journal;

/// <summary>Snapshot files: an exact round trip, and any damage is reported as corruption (so recovery can fall back).</summary>
public class SnapshotFileTests
{
    private static readonly UInt128 LedgerId = 77;

    /// <summary>A small ledger touching every snapshot section: history accounts, pending transfers with timeouts, a posted and a voided one.</summary>
    private static LedgerStateMachine Machine()
    {
        var m = new LedgerStateMachine();
        Account[] accounts = Ledgers.Accounts(4);
        accounts[0].Flags = AccountFlags.History;
        accounts[2].Flags = AccountFlags.History;
        Assert.That(m.CreateAccounts(accounts, 1_000), Is.Empty);

        var transfers = new List<Transfer>();
        for (ulong i = 1; i <= 6; i++)
        {
            Transfer t = Ledgers.Transfer(i, 1 + (i % 4), 1 + ((i + 1) % 4), i * 10);
            if (i % 2 == 0)
            {
                t.Flags = TransferFlags.Pending;
                t.Timeout = (uint)(i * 100);
            }

            transfers.Add(t);
        }

        Assert.That(m.CreateTransfers(transfers.ToArray(), 2_000_000_000), Is.Empty);
        Transfer post = new() { Id = 100, PendingId = 2, Amount = UInt128.MaxValue, Flags = TransferFlags.PostPendingTransfer };
        Transfer cancel = new() { Id = 101, PendingId = 4, Flags = TransferFlags.VoidPendingTransfer };
        Assert.That(m.CreateTransfers(new[] { post, cancel }, 3_000_000_000), Is.Empty);
        return m;
    }

    private static (FaultyStorage Storage, string Name, UInt128 Digest) Written()
    {
        LedgerStateMachine machine = Machine();
        var storage = new FaultyStorage();
        SnapshotFile.Write(storage, LedgerId, 42, 5, machine.CaptureImage());
        return (storage, SnapshotFile.Name(42), machine.ComputeDigest());
    }

    [Test]
    public void A_snapshot_restores_the_same_ledger()
    {
        (FaultyStorage storage, string name, UInt128 digest) = Written();
        Assert.That(storage.List(), Is.EqualTo(new[] { name }), "the temporary file was renamed into place");

        (LedgerStateMachine restored, long sequence, ulong token) = SnapshotFile.Read(storage, name, LedgerId);
        Assert.That((sequence, token), Is.EqualTo((42L, 5UL)));
        Assert.That(restored.ComputeDigest(), Is.EqualTo(digest));

        // The restored machine goes on like the original, pending expiries included.
        LedgerStateMachine original = Machine();
        Transfer next = Ledgers.Transfer(200, 1, 2, 1);
        ulong later = 3_000_000_000 + (700UL * 1_000_000_000);
        Assert.That(restored.CreateTransfers(new[] { next }, later), Is.EqualTo(original.CreateTransfers(new[] { next }, later)));
        Assert.That(restored.ComputeDigest(), Is.EqualTo(original.ComputeDigest()));
    }

    [Test]
    public void A_snapshot_of_another_ledger_is_corruption()
    {
        (FaultyStorage storage, string name, _) = Written();
        Assert.Throws<LedgerCorruptedException>(() => SnapshotFile.Read(storage, name, LedgerId + 1));
    }

    [Test]
    public void A_snapshot_cut_at_any_length_is_corruption()
    {
        (FaultyStorage pristine, string name, _) = Written();
        byte[] bytes = pristine.ReadAll(name);
        for (int length = 0; length < bytes.Length; length += 3)
        {
            var storage = new FaultyStorage();
            storage.WriteAll(name, bytes.AsSpan(0, length).ToArray());
            Assert.Throws<LedgerCorruptedException>(() => SnapshotFile.Read(storage, name, LedgerId), $"cut at {length}");
        }
    }

    [Test]
    public void A_flipped_bit_anywhere_in_a_snapshot_is_corruption()
    {
        (FaultyStorage pristine, string name, _) = Written();
        byte[] bytes = pristine.ReadAll(name);
        var failures = new List<string>();
        for (int offset = 0; offset < bytes.Length; offset++)
        {
            // Every byte's top bit (the sign of a little-endian integer's top byte) and every fifth byte's lowest.
            foreach (int bit in offset % 5 == 0 ? new[] { 7, 0 } : new[] { 7 })
            {
                var storage = new FaultyStorage();
                byte[] damaged = bytes.ToArray();
                damaged[offset] ^= (byte)(1 << bit);
                storage.WriteAll(name, damaged);
                try
                {
                    SnapshotFile.Read(storage, name, LedgerId);
                    failures.Add($"bit {bit} of byte {offset}: accepted");
                }
                catch (LedgerCorruptedException)
                {
                }
                catch (Exception e) when (e is not AssertionException)
                {
                    failures.Add($"bit {bit} of byte {offset}: {e.GetType().Name}");
                }
            }
        }

        Assert.That(failures, Is.Empty);
    }
}
