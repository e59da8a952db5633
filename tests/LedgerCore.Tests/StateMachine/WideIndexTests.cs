using LedgerCore.StateMachine.Storage;
using LedgerCore.Tests.Properties;
using NUnit.Framework;

namespace LedgerCore.Tests.StateMachine;

/// <summary>
/// Counts and indexes are 64-bit: a ledger whose transfers are numbered across 2^31 and 2^32 behaves
/// exactly as one numbered from 0. The boundaries are reached by synthetic offsets (a machine whose
/// first transfer has index 2^32 - 8; an index whose entries share their low 32 bits), not by storing
/// 2^32 transfers.
/// </summary>
public class WideIndexTests
{
    private const long Wrap = 1L << 32;

    [TestCase(Wrap - 8)]
    [TestCase((1L << 31) - 8)]
    [TestCase((3 * Wrap) - 3)]
    public void Generated_workloads_numbered_across_a_32_bit_boundary_match_a_ledger_numbered_from_0(long first) =>
        LedgerHarness.Check(LedgerGenerators.Workloads(), workload =>
        {
            IReadOnlyList<LedgerBatch> batches = WorkloadBuilder.Build(workload);
            var wide = new LedgerStateMachine(first);
            var plain = new LedgerStateMachine();
            foreach (LedgerBatch batch in batches)
            {
                uint[] expected = LedgerHarness.Apply(plain, batch);
                PropertyFailedException.Unless(LedgerHarness.Apply(wide, batch).SequenceEqual(expected), () => "results differ");
            }

            PropertyFailedException.Unless(wide.TransferCount - first == plain.TransferCount, () => "transfer counts differ");
            PropertyFailedException.Unless(wide.ComputeDigest() == plain.ComputeDigest(), () => "digests differ");
            PropertyFailedException.Unless(wide.LookupTransfers(LedgerHarness.TransferIds).SequenceEqual(plain.LookupTransfers(LedgerHarness.TransferIds)), () => "transfers differ");
            PropertyFailedException.Unless(wide.LookupAccounts(LedgerHarness.AccountIds).SequenceEqual(plain.LookupAccounts(LedgerHarness.AccountIds)), () => "accounts differ");

            foreach (UInt128 account in LedgerHarness.AccountIds)
            {
                foreach (AccountFilterFlags flags in new[] { AccountFilterFlags.Debits | AccountFilterFlags.Credits, AccountFilterFlags.Credits | AccountFilterFlags.Reversed })
                {
                    var filter = new AccountFilter { AccountId = account, Limit = 8190, Flags = flags };
                    PropertyFailedException.Unless(wide.GetAccountTransfers(filter).SequenceEqual(plain.GetAccountTransfers(filter)), () => $"account {account} transfers differ");
                    PropertyFailedException.Unless(wide.GetAccountBalances(filter).SequenceEqual(plain.GetAccountBalances(filter)), () => $"account {account} balances differ");
                }
            }

            var events = new ChangeEventsFilter { Limit = 8190 };
            PropertyFailedException.Unless(wide.GetChangeEvents(events).SequenceEqual(plain.GetChangeEvents(events)), () => "change events differ");
            var query = new QueryFilter { Limit = 8190 };
            PropertyFailedException.Unless(wide.QueryTransfers(query).SequenceEqual(plain.QueryTransfers(query)), () => "queries differ");
        });

    [Test]
    public void Id_index_entries_sharing_their_low_32_bits_are_told_apart_by_their_records()
    {
        // Records at i, i + 2^32 and i + 2^33 for a few i: each slot's low half then stands for three indexes.
        var records = new Dictionary<long, UInt128>();
        var index = new IdIndex<SparseIds>(new SparseIds(records, 3 * Wrap));
        var random = new Random(11);
        for (long low = 0; low < 3_000; low++)
        {
            for (long high = 0; high < 3; high++)
            {
                long at = (high * Wrap) + (low * 7);
                records[at] = new UInt128((ulong)random.NextInt64(), (ulong)random.NextInt64() | 1);
                index.Add(at);
            }
        }

        foreach ((long at, UInt128 id) in records) Assert.That(index.Find(id), Is.EqualTo(at));
        Assert.That(index.Find(new UInt128(1, 2)), Is.EqualTo(-1));

        // Removing the middle one of three leaves the other two found.
        UInt128 removed = records[Wrap + 7];
        index.Remove(removed);
        Assert.That(index.Find(removed), Is.EqualTo(-1));
        Assert.That(index.Find(records[7]), Is.EqualTo(7));
        Assert.That(index.Find(records[(2 * Wrap) + 7]), Is.EqualTo((2 * Wrap) + 7));
    }

    [Test]
    public void Entries_past_2_to_the_32_are_found_at_their_own_index_while_the_table_grows()
    {
        // Enough entries for a growth that moves the table bit by bit; most sit past 2^32.
        var records = new Dictionary<long, UInt128>();
        var index = new IdIndex<SparseIds>(new SparseIds(records, 3 * Wrap));
        var random = new Random(13);
        long k = 0;
        while (!index.Growing)
        {
            long at = ((k % 3) * Wrap) + k;
            records[at] = new UInt128((ulong)random.NextInt64(), (ulong)random.NextInt64() | 1);
            index.Add(at);
            k++;
        }

        Assert.That(k, Is.GreaterThan(IdIndex<SparseIds>.GrowAtOnceUpTo / 2), "the growth is one moved bit by bit");
        foreach ((long at, UInt128 id) in records) Assert.That(index.Find(id), Is.EqualTo(at), $"record {at} while growing");
    }

    [Test]
    public void An_account_log_keeps_64_bit_indexes_across_2_to_the_32_chunk_boundaries_and_rollbacks()
    {
        using PageSource pages = LogChunks.InMemory();
        var chunks = new LogChunks(pages);
        using var checkpointPages = new AnonymousPageSource(NativePagedArray<BalanceCheckpoint>.PageBytes);
        var checkpoints = new NativePagedArray<BalanceCheckpoint>(checkpointPages);
        var log = default(AccountLog);
        var expected = new List<long>();
        void Add(long index)
        {
            log.AddTransfer(index, chunks);
            expected.Add(index);
        }

        void Check(string when)
        {
            Assert.That(log.TransferCount, Is.EqualTo(expected.Count), when);
            for (int p = 0; p < expected.Count; p++)
            {
                Assert.That(log.TransferAt(p), Is.EqualTo(expected[p]), $"{when}: position {p}");
                Assert.That(AccountLog.TransferAt(log.Chunks!, log.HighStarts, log.HighStartCount, p), Is.EqualTo(expected[p]), $"{when}: a frozen view, position {p}");
            }
        }

        // 100 entries from 2^32 - 62: the high half changes at position 62, the chunk at 64; then a
        // jump to 3 * 2^32 at position 100 and 30 more across the chunk boundary at 128.
        for (long i = Wrap - 62; i < Wrap + 38; i++) Add(i);
        for (long i = (3 * Wrap) + 1; i <= (3 * Wrap) + 30; i++) Add(i);
        Check("appended");
        Assert.That(log.HighStartCount, Is.EqualTo(2), "one change at 2^32, one at 3 * 2^32");

        // A rolled-back chain removes the newest entries, back across the chunk boundary and the change
        // of high half; new entries follow (reusing the chunk it left).
        for (int k = 0; k < 40; k++)
        {
            log.RemoveLastTransfer(expected[^1], checkpoints);
            expected.RemoveAt(expected.Count - 1);
        }

        Check("rolled back");
        Assert.That(log.HighStartCount, Is.EqualTo(1));
        long chunksTaken = chunks.Count;
        for (long i = (2 * Wrap) + 9; i < (2 * Wrap) + 59; i++) Add(i);
        Check("appended after the rollback");
        Assert.That(chunks.Count, Is.EqualTo(chunksTaken), "the chunk left by the rollback is used again");

        // Restored from a snapshot's form (one array of low halves and the changes of high half).
        uint[] lowHalves = [.. expected.Select(i => unchecked((uint)i))];
        var restored = default(AccountLog);
        restored.Restore(lowHalves, (ulong[])log.HighStarts!.Clone(), log.HighStartCount, chunks);
        log = restored;
        Check("restored");
        Add((2 * Wrap) + 100);
        Add((4 * Wrap) + 1);
        Check("appended after the restore");
    }

    [Test]
    public void Paged_arrays_address_items_past_2_to_the_32()
    {
        using var pages = new AnonymousPageSource(NativePagedArray<long>.PageBytes);
        var native = new NativePagedArray<long>(pages);
        var managed = new PagedArray<long>();
        long first = Wrap + NativePagedArray<long>.ItemsPerPage - 3; // three items before a page boundary
        native.StartAt(first);
        managed.StartAt(first);
        for (long i = first; i < first + 10; i++)
        {
            Assert.That(native.Add(i * 3), Is.EqualTo(i));
            Assert.That(managed.Add(i * 5), Is.EqualTo(i));
        }

        for (long i = first; i < first + 10; i++)
        {
            Assert.That(native[i], Is.EqualTo(i * 3));
            Assert.That(managed[i], Is.EqualTo(i * 5));
        }

        Assert.That(native[first - 1], Is.EqualTo(0), "a hole reads as zero");
        Assert.That(native.Count, Is.EqualTo(first + 10));
    }

    private readonly struct SparseIds(Dictionary<long, UInt128> records, long count) : IIdSource
    {
        public long Count => count;

        public UInt128 IdAt(long index) => records.TryGetValue(index, out UInt128 id) ? id : 0;
    }
}
