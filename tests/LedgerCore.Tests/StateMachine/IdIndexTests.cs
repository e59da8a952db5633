using LedgerCore.StateMachine.Storage;
using NUnit.Framework;

namespace LedgerCore.Tests.StateMachine;

/// <summary>
/// The id index against a dictionary: every table growing on its own, removals (rollbacks) that leave
/// markers adds reuse, sequential, clustered and random ids, lookups of present and absent ids.
/// </summary>
public class IdIndexTests
{
    [TestCase(0, 1, false)]
    [TestCase(1, 2, false)]
    [TestCase(2, 3, false)]
    [TestCase(1, 4, true)]
    [TestCase(2, 5, true)]
    public void Finds_exactly_what_was_added_and_not_removed(int idKind, int seed, bool prints)
    {
        var ids = new List<UInt128>();
        var index = new IdIndex<ListIds>(new ListIds(ids), prints: prints);
        var expected = new Dictionary<UInt128, int>();
        var random = new Random(seed);
        int growingChecks = 0;
        for (int round = 0; round < 600_000; round++)
        {
            UInt128 id = idKind switch
            {
                0 => (UInt128)(ids.Count + 1),                                              // rising
                1 => ((UInt128)(ulong)random.Next(1, 4) << 64) | ((ulong)ids.Count * 4096), // few high halves, strided low
                _ => new UInt128((ulong)random.NextInt64(), (ulong)random.NextInt64() | 1),  // random
            };
            if (expected.ContainsKey(id)) continue;
            ids.Add(id);
            index.Add(ids.Count - 1);
            expected[id] = ids.Count - 1;

            // Now and then the newest entries are rolled back, as a failed linked chain does.
            if (random.Next(50) == 0)
            {
                int undo = Math.Min(ids.Count, random.Next(1, 6));
                for (int k = 0; k < undo; k++)
                {
                    UInt128 last = ids[^1];
                    index.Remove(last);
                    expected.Remove(last);
                    ids.RemoveAt(ids.Count - 1);
                }
            }

            // While a growth is under way, entries are split between two tables: check a sample then.
            if (index.Growing && round % 1009 == 0)
            {
                growingChecks++;
                for (int k = 0; k < 64; k++)
                {
                    int position = random.Next(ids.Count);
                    Assert.That(index.Find(ids[position]), Is.EqualTo(position), $"id {ids[position]} while growing");
                }
            }
        }

        Assert.That(growingChecks, Is.GreaterThan(10), "the sample must have met growths under way");

        Assert.That(index.Count, Is.EqualTo(expected.Count));
        foreach ((UInt128 id, int position) in expected) Assert.That(index.Find(id), Is.EqualTo(position), $"id {id}");
        for (int i = 0; i < 10_000; i++)
        {
            var absent = new UInt128((ulong)random.NextInt64() | (1UL << 63), (ulong)random.NextInt64());
            if (!expected.ContainsKey(absent)) Assert.That(index.Find(absent), Is.EqualTo(-1));
        }
    }

    [Test]
    public void Capacity_made_up_front_and_growth_past_it_keep_every_entry()
    {
        var ids = new List<UInt128>();
        var index = new IdIndex<ListIds>(new ListIds(ids));
        index.EnsureCapacity(100_000);
        for (int i = 1; i <= 150_000; i++) // past the capacity: growth still works after
        {
            ids.Add((UInt128)i * 7919);
            index.Add(ids.Count - 1);
        }

        for (int i = 0; i < ids.Count; i++) Assert.That(index.Find(ids[i]), Is.EqualTo(i));
    }

    [TestCase(false)]
    [TestCase(true)]
    public void Removals_from_both_tables_while_growing_keep_every_other_entry_reachable(bool prints)
    {
        var ids = new List<UInt128>();
        var index = new IdIndex<ListIds>(new ListIds(ids), prints: prints);
        var random = new Random(7);
        while (!index.Growing)
        {
            ids.Add(new UInt128((ulong)random.NextInt64(), (ulong)random.NextInt64()));
            index.Add(ids.Count - 1);
        }

        // One add has moved the first slots only: most entries are still in the old table. Remove
        // every third entry (old and new table alike), then add more, checking as the move goes on.
        var removed = new HashSet<int>();
        for (int i = 0; i < ids.Count; i += 3)
        {
            index.Remove(ids[i]);
            removed.Add(i);
        }

        Assert.That(index.Growing, Is.True);
        int added = 0;
        while (index.Growing)
        {
            ids.Add(new UInt128((ulong)random.NextInt64(), (ulong)random.NextInt64()));
            index.Add(ids.Count - 1);
            added++;
            if (added % 2048 == 0)
            {
                for (int i = 0; i < ids.Count; i++) Assert.That(index.Find(ids[i]), Is.EqualTo(removed.Contains(i) ? -1 : i), $"entry {i} after {added} adds");
            }
        }

        Assert.That(added, Is.LessThanOrEqualTo((ids.Count - added) / IdIndex<ListIds>.SlotsMovedPerAdd * 2), "the move ends within a fraction of the adds the new table holds");
        Assert.That(index.Count, Is.EqualTo(ids.Count - removed.Count));
        Assert.That(ids.Count - added, Is.GreaterThan(IdIndex<ListIds>.GrowAtOnceUpTo / 2), "small tables grow at once");
        for (int i = 0; i < ids.Count; i++) Assert.That(index.Find(ids[i]), Is.EqualTo(removed.Contains(i) ? -1 : i));
    }

    [Test]
    public void A_growth_ends_by_steps_when_adds_stop()
    {
        var ids = new List<UInt128>();
        var index = new IdIndex<ListIds>(new ListIds(ids));
        while (!index.Growing)
        {
            ids.Add((UInt128)(ids.Count + 1) * 104729);
            index.Add(ids.Count - 1);
        }

        int steps = 0;
        while (index.Growing && steps < 1000)
        {
            index.Step();
            steps++;
        }

        Assert.That(index.Growing, Is.False);
        Assert.That(steps, Is.LessThanOrEqualTo((int)(IdIndex<ListIds>.GrowAtOnceUpTo * 4 / IdIndex<ListIds>.SlotsMovedPerStep)));
        for (int i = 0; i < ids.Count; i++) Assert.That(index.Find(ids[i]), Is.EqualTo(i));
    }

    [Test]
    public void Entries_on_one_probe_run_with_one_tag_are_told_apart_without_reading_their_records()
    {
        // Ids whose hashes share the top 32 bits (one tag, one home slot: one long probe run), as a
        // table of 2^28 slots sees entries near an id's home, and differ in the 16 middle bits.
        const ulong top = 0x9E37_79B9_0000_0000UL;
        ulong inverse = 0x9E3779B97F4A7C15UL; // Newton's iteration for the inverse of the odd multiplier
        for (int i = 0; i < 6; i++) inverse = unchecked(inverse * (2 - (0x9E3779B97F4A7C15UL * inverse)));
        UInt128 IdWithHash(ulong hash) => new(0, unchecked(hash * inverse));

        var ids = new List<UInt128>();
        var reads = new int[1];
        var index = new IdIndex<CountingIds>(new CountingIds(ids, reads), prints: true);
        for (ulong k = 1; k <= 500; k++)
        {
            UInt128 id = IdWithHash(top | (k << 16) | 7);
            Assert.That(IdIndex<CountingIds>.Hash(id), Is.EqualTo(top | (k << 16) | 7), "the test's ids have the hashes it chose");
            ids.Add(id);
            index.Add(ids.Count - 1);
        }

        reads[0] = 0;
        Assert.That(index.Find(IdWithHash(top | (5000UL << 16) | 7)), Is.EqualTo(-1));
        Assert.That(reads[0], Is.EqualTo(0), "an absent id with the same tag reads no record");
        Assert.That(index.Find(ids[321]), Is.EqualTo(321));
        Assert.That(reads[0], Is.EqualTo(1), "a present one reads its own record only");
    }

    [TestCase(false)]
    [TestCase(true)]
    public void Entries_left_past_the_count_are_not_found_and_adding_them_again_takes_no_second_slot(bool prints)
    {
        // A table restored from files keeps the entries of batches after its checkpoint; the records
        // they name are not stored again until the journal's replay appends them (same ids, same indexes).
        var ids = new List<UInt128>();
        var index = new IdIndex<ListIds>(new ListIds(ids), prints: prints);
        for (int i = 0; i < 3_000; i++)
        {
            ids.Add((UInt128)(ulong)(i * 7919 + 1));
            index.Add(i);
        }

        List<UInt128> after = ids.GetRange(1_000, 2_000);
        ids.RemoveRange(1_000, 2_000); // the state at the checkpoint: 1,000 records, 3,000 entries
        foreach (UInt128 id in after) Assert.That(index.Find(id), Is.EqualTo(-1), "an entry past the count names no record");
        Assert.That(index.Find(ids[999]), Is.EqualTo(999));

        foreach (UInt128 id in after) // the replay
        {
            ids.Add(id);
            index.Add(ids.Count - 1);
        }

        Assert.That(index.CountEntries(), Is.EqualTo(3_000), "the replay's adds met their own entries: no second copies");

        // A rollback of the newest entries must leave none of them findable: a second copy would.
        for (int k = 0; k < 500; k++)
        {
            UInt128 last = ids[^1];
            index.Remove(last);
            ids.RemoveAt(ids.Count - 1);
            Assert.That(index.Find(last), Is.EqualTo(-1));
        }

        for (int i = 0; i < ids.Count; i++) Assert.That(index.Find(ids[i]), Is.EqualTo(i));
    }

    private readonly struct CountingIds(List<UInt128> ids, int[] reads) : IIdSource
    {
        public long Count => ids.Count;

        public UInt128 IdAt(long index)
        {
            reads[0]++;
            return ids[(int)index];
        }
    }

    private readonly struct ListIds(List<UInt128> ids) : IIdSource
    {
        public long Count => ids.Count;

        public UInt128 IdAt(long index) => ids[(int)index];
    }
}
