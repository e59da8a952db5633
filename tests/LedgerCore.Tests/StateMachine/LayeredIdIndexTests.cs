using LedgerCore.StateMachine.Storage;
using LedgerCore.Tests.Engine;
using NUnit.Framework;

namespace LedgerCore.Tests.StateMachine;

/// <summary>
/// The transfer id index with its older ids in runs on disk, against a dictionary: tables frozen into
/// runs at batch boundaries and checkpoints, runs merged level by level, rollbacks within a batch,
/// ids whose hashes collide across blocks, a reopen from the runs a capture named, and damaged run files.
/// </summary>
public class LayeredIdIndexTests
{
    private const int Memtable = 1_000;

    [TestCase(0, 1)]
    [TestCase(1, 2)]
    [TestCase(2, 3)]
    public void Finds_exactly_what_was_added_across_runs_merges_and_a_reopen(int idKind, int seed)
    {
        using var dir = new TempDirectory();
        var ids = new List<UInt128>();
        var files = new IdRunFiles(dir.Path, resume: false);
        var index = new LayeredIdIndex<ListIds>(new ListIds(ids), files, memtableEntries: Memtable);
        var expected = new Dictionary<UInt128, int>();
        var random = new Random(seed);
        int maxRuns = 0;
        for (int batch = 0; batch < 160; batch++)
        {
            int batchStart = ids.Count;
            int size = random.Next(1, 400);
            for (int k = 0; k < size; k++)
            {
                UInt128 id = idKind switch
                {
                    0 => (UInt128)(ids.Count + 1),
                    1 => random.Next(3) == 0 ? Colliding((ulong)ids.Count) : new UInt128((ulong)random.NextInt64(), (ulong)random.NextInt64() | 1), // a third share one hash
                    _ => new UInt128((ulong)random.NextInt64(), (ulong)random.NextInt64() | 1),
                };
                if (expected.ContainsKey(id)) continue;
                Assert.That(index.Find(id), Is.EqualTo(-1), "a new id is not found");
                ids.Add(id);
                index.Add(ids.Count - 1);
                expected[id] = ids.Count - 1;
            }

            // A failed linked chain rolls back the newest entries of the batch.
            if (random.Next(4) == 0)
            {
                int undo = Math.Min(ids.Count - batchStart, random.Next(1, 6));
                for (int k = 0; k < undo; k++)
                {
                    UInt128 last = ids[^1];
                    index.Remove(last);
                    expected.Remove(last);
                    ids.RemoveAt(ids.Count - 1);
                }
            }

            index.Step();
            if (batch % 40 == 39) Assert.That(index.Capture(), Is.Not.Empty);
            maxRuns = Math.Max(maxRuns, index.RunCount);
            for (int probe = 0; probe < 50 && ids.Count > 0; probe++)
            {
                int at = random.Next(ids.Count);
                Assert.That(index.Find(ids[at]), Is.EqualTo(at));
                Assert.That(index.Find(new UInt128((ulong)random.NextInt64(), (ulong)random.NextInt64() | 2)), Is.EqualTo(-1));
            }
        }

        Assert.That(index.Count, Is.EqualTo(ids.Count));
        Assert.That(maxRuns, Is.GreaterThan(LayeredIdIndex<ListIds>.Fanout), "the test made enough runs to merge");

        // Merges end (waited for, bounded): no level then holds Fanout runs, and some were merged.
        index.WaitForRuns();
        for (int wait = 0; wait < 1_000 && (index.Merging || FullLevel(index.RunLevels)); wait++)
        {
            Thread.Sleep(20);
            index.Step();
        }

        int[] levels = index.RunLevels;
        Assert.That(FullLevel(levels), Is.False, "levels: " + string.Join(",", levels));
        Assert.That(levels.Max(), Is.GreaterThanOrEqualTo(2), "runs were merged, and merged again");
        Assert.That(levels, Is.Ordered, "newest first: levels rise with age");
        foreach ((UInt128 id, int at) in expected) Assert.That(index.Find(id), Is.EqualTo(at));

        // A checkpoint's runs reopen into an index that finds the same, with nothing in its table.
        Task<IdRun>[] captured = index.Capture();
        var ranges = captured.Select(run => (run.Result.First, run.Result.End)).ToArray();
        Assert.That(ranges[0].First, Is.EqualTo(0));
        Assert.That(ranges[^1].End, Is.EqualTo(ids.Count));
        var reopenedFiles = new IdRunFiles(dir.Path, resume: true);
        IdRun[] runs = [.. ranges.Select(range => IdRun.Open(dir.Path, range.First, range.End))];
        var reopened = new LayeredIdIndex<ListIds>(new ListIds(ids), reopenedFiles, runs, Memtable);
        Assert.That(reopened.Count, Is.EqualTo(ids.Count));
        foreach ((UInt128 id, int at) in expected) Assert.That(reopened.Find(id), Is.EqualTo(at));
        Assert.That(reopened.Find(new UInt128(7, 7)), Is.EqualTo(-1));
    }

    [Test]
    public void Runs_no_checkpoint_names_and_the_index_no_longer_reads_are_deleted()
    {
        using var dir = new TempDirectory();
        var ids = new List<UInt128>();
        var files = new IdRunFiles(dir.Path, resume: false);
        var index = new LayeredIdIndex<ListIds>(new ListIds(ids), files, memtableEntries: 100);
        for (int batch = 0; batch < 4 * LayeredIdIndex<ListIds>.Fanout; batch++)
        {
            for (int k = 0; k < 100; k++)
            {
                ids.Add((UInt128)(ids.Count + 1));
                index.Add(ids.Count - 1);
            }

            index.Step();
        }

        string[] named = [.. index.Capture().Select(run => run.Result.Name)];
        Assert.That(named, Has.Length.GreaterThan(LayeredIdIndex<ListIds>.Fanout));
        files.Named(1, named);

        // 16 runs of level 0 become 4 of level 1, then one of level 2.
        index.WaitForRuns();
        for (int wait = 0; wait < 2_000 && index.RunCount != 1; wait++)
        {
            Thread.Sleep(10);
            index.Step();
        }

        Assert.That(index.RunCount, Is.EqualTo(1), "merged");
        files.DeleteExcept([1]);
        Assert.That(named.All(name => File.Exists(Path.Combine(dir.Path, name))), "a kept checkpoint's runs stay");
        files.DeleteExcept([2]);
        string[] left = [.. Directory.GetFiles(dir.Path, "ids-*.run").Select(Path.GetFileName)!];
        Assert.That(left, Has.Length.EqualTo(index.RunCount), "only the runs in use are left: " + string.Join(", ", left));
        for (int at = 0; at < ids.Count; at++) Assert.That(index.Find(ids[at]), Is.EqualTo(at));
    }

    [Test]
    public void A_run_that_cannot_be_written_fails_a_later_batch_boundary_and_its_ids_stay_found_until_then()
    {
        using var dir = new TempDirectory();
        string runs = Path.Combine(dir.Path, "runs");
        var ids = new List<UInt128>();
        var index = new LayeredIdIndex<ListIds>(new ListIds(ids), new IdRunFiles(runs, resume: false), memtableEntries: 10);
        Directory.Delete(runs); // the disk refuses the run's file (as a full one would, with another IOException)
        for (int k = 0; k < 10; k++)
        {
            ids.Add((UInt128)(ulong)(k + 1));
            index.Add(k);
        }

        index.Step(); // freezes: the write fails in the background
        for (int k = 0; k < 10; k++) Assert.That(index.Find(ids[k]), Is.EqualTo(k), "the frozen table still answers");
        IOException? failed = null;
        for (int wait = 0; wait < 500 && failed is null; wait++)
        {
            try
            {
                index.Step();
                Thread.Sleep(10);
            }
            catch (IOException e)
            {
                failed = e;
            }
        }

        Assert.That(failed, Is.Not.Null, "the failed write surfaces at a batch boundary (and faults the engine there)");
    }

    [Test]
    public void A_run_whose_filter_spans_many_windows_finds_every_id_as_written_and_as_reopened()
    {
        using var dir = new TempDirectory();
        var ids = new List<UInt128>();
        var entries = new IdRunEntry[300_000]; // a filter of ~18,750 blocks: several of the writer's windows
        var random = new Random(11);
        for (int i = 0; i < entries.Length; i++)
        {
            ids.Add(new UInt128((ulong)random.NextInt64(), (ulong)random.NextInt64()));
            entries[i] = new IdRunEntry(IdIndex<ListIds>.Hash(ids[i]), i);
        }

        var source = new ListIds(ids);
        using IdRun written = new IdRunFiles(dir.Path, resume: false).Write(entries, 0, entries.Length).Result;
        using IdRun reopened = IdRun.Open(dir.Path, 0, entries.Length);
        for (int i = 0; i < ids.Count; i += 7)
        {
            ulong key = IdIndex<ListIds>.Hash(ids[i]);
            Assert.That(written.Find(key, ids[i], source), Is.EqualTo(i));
            Assert.That(reopened.Find(key, ids[i], source), Is.EqualTo(i));
        }

        Assert.That(reopened.Find(IdIndex<ListIds>.Hash(new UInt128(1, 2)), new UInt128(1, 2), source), Is.EqualTo(-1));
    }

    [TestCase("block")]
    [TestCase("filter")]
    [TestCase("fences")]
    [TestCase("footer")]
    [TestCase("short")]
    [TestCase("missing")]
    public void A_damaged_run_fails_as_corruption_when_opened_or_read(string damage)
    {
        using var dir = new TempDirectory();
        var ids = new List<UInt128>();
        var files = new IdRunFiles(dir.Path, resume: false);
        var entries = new IdRunEntry[3_000];
        for (int i = 0; i < entries.Length; i++)
        {
            ids.Add(new UInt128((ulong)i * 7919, (ulong)i + 1));
            entries[i] = new IdRunEntry(IdIndex<ListIds>.Hash(ids[i]), i);
        }

        IdRun run = files.Write(entries, 0, entries.Length).Result;
        long blocks = run.Blocks;
        string path = run.Path;
        run.Dispose();
        byte[] bytes = File.ReadAllBytes(path);
        long filterStart = blocks * IdRun.BlockBytes;
        switch (damage)
        {
            case "block": bytes[IdRun.BlockBytes + 100] ^= 0x10; break;
            case "filter": bytes[filterStart + 5] ^= 0x01; break;
            case "fences": bytes[bytes.Length - 64 - (blocks * 16) + 3] ^= 0x80; break;
            case "footer": bytes[^20] ^= 0x02; break;
            case "short": bytes = bytes[..^1]; break;
        }

        if (damage == "missing") File.Delete(path);
        else File.WriteAllBytes(path, bytes);
        if (damage != "block")
        {
            Assert.Throws<LedgerCorruptedException>(() => IdRun.Open(dir.Path, 0, entries.Length));
            return;
        }

        // A flipped bit in a block is found when the block is read: every id in it fails, the rest are found.
        using IdRun damaged = IdRun.Open(dir.Path, 0, entries.Length);
        var sorted = entries.ToArray();
        Array.Sort(sorted);
        var source = new ListIds(ids);
        for (int i = 0; i < sorted.Length; i++)
        {
            ulong key = sorted[i].Key;
            UInt128 id = ids[(int)sorted[i].Index];
            // (the first id of block 2 reads block 1 first: equal hashes may run on from it)
            if (i / IdRun.EntriesPerBlock == 1 || i == 2 * IdRun.EntriesPerBlock) Assert.Throws<LedgerCorruptedException>(() => damaged.Find(key, id, source));
            else if (i / IdRun.EntriesPerBlock != 0 || sorted[i].Key != sorted[IdRun.EntriesPerBlock].Key) Assert.That(damaged.Find(key, id, source), Is.EqualTo(sorted[i].Index));
        }
    }

    [Test]
    public void The_filter_rules_out_nearly_every_absent_id_and_never_a_present_one()
    {
        const int Keys = 200_000;
        {
            IdFilter filter = IdFilter.ForKeys(Keys);
            try
            {
                var random = new Random(5);
                for (int i = 0; i < Keys; i++) filter.Add(IdIndex<ListIds>.Hash((UInt128)(ulong)(i + 1)));
                for (int i = 0; i < Keys; i++) Assert.That(filter.MayContain(IdIndex<ListIds>.Hash((UInt128)(ulong)(i + 1))), Is.True);
                int passed = 0;
                for (int i = 0; i < Keys; i++) passed += filter.MayContain(IdIndex<ListIds>.Hash(new UInt128((ulong)random.NextInt64(), (ulong)random.NextInt64()))) ? 1 : 0;
                Assert.That(passed, Is.LessThan(Keys / 250), "false positives under 0.4%");
            }
            finally
            {
                filter.Free();
            }
        }
    }

    [TestCase(0)]
    [TestCase(1)]
    [TestCase(2)]
    public void A_level_zero_run_is_sorted_by_hash_then_index(int keys)
    {
        var random = new Random(keys);
        var entries = new IdRunEntry[100_000];
        for (int i = 0; i < entries.Length; i++)
        {
            ulong key = keys switch
            {
                0 => (ulong)random.NextInt64() * 2,                          // spread over every bucket
                1 => 0xABCD_0000_0000_0000UL + (uint)random.Next(1_000),     // one crowded bucket, many equal keys
                _ => (ulong)random.Next(3) << 62,                            // three keys
            };
            entries[i] = new IdRunEntry(key, i);
        }

        var sorted = new IdRunEntry[entries.Length];
        IdRunFiles.Sort(entries, sorted);
        IdRunEntry[] expected = [.. entries];
        Array.Sort(expected);
        Assert.That(sorted, Is.EqualTo(expected));
    }

    private static bool FullLevel(int[] levels) =>
        levels.GroupBy(level => level).Any(group => group.Count() >= LayeredIdIndex<ListIds>.Fanout);

    // Ids that share one hash (IdIndex's fold: lower ^ upper * C is the same), so equal keys span blocks.
    private static UInt128 Colliding(ulong n)
    {
        ulong upper = n + 1;
        ulong lower = unchecked(0x1234_5678UL ^ (upper * 0xC2B2AE3D27D4EB4FUL));
        return new UInt128(upper, lower);
    }

    private readonly struct ListIds(List<UInt128> ids) : IIdSource
    {
        public long Count => ids.Count;

        public UInt128 IdAt(long index) => ids[(int)index];
    }
}
