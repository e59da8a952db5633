using LedgerCore.StateMachine.Storage;
using NUnit.Framework;

namespace LedgerCore.Tests.StateMachine;

/// <summary>
/// The id index against a dictionary: every table growing on its own, removals (rollbacks) that shift
/// probe runs back, sequential, clustered and random ids, lookups of present and absent ids.
/// </summary>
public class IdIndexTests
{
    [TestCase(0, 1)]
    [TestCase(1, 2)]
    [TestCase(2, 3)]
    public void Finds_exactly_what_was_added_and_not_removed(int idKind, int seed)
    {
        var ids = new List<UInt128>();
        var index = new IdIndex<ListIds>(new ListIds(ids));
        var expected = new Dictionary<UInt128, int>();
        var random = new Random(seed);
        for (int round = 0; round < 200_000; round++)
        {
            UInt128 id = idKind switch
            {
                0 => (UInt128)(ids.Count + 1),                                              // rising
                1 => ((UInt128)(ulong)random.Next(1, 4) << 64) | (ulong)(ids.Count * 4096), // few high halves, strided low
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
        }

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

    private readonly struct ListIds(List<UInt128> ids) : IIdSource
    {
        public UInt128 IdAt(int index) => ids[index];
    }
}
