using LedgerCore.Tests.Faults;
using NUnit.Framework;

namespace LedgerCore.Tests.Journal;

/// <summary>The fault-injecting storage keeps exactly the promises a disk keeps, or the engine tests built on it prove nothing.</summary>
public class FaultyStorageTests
{
    private static readonly byte[] Bytes = Enumerable.Range(1, 100).Select(i => (byte)i).ToArray();

    [Test]
    public void A_crash_keeps_synced_bytes_of_synced_names_only()
    {
        var storage = new FaultyStorage();
        using (var file = storage.Open("a", create: true))
        {
            file.Write(0, Bytes.AsSpan(0, 10));
            file.Flush();
            storage.SyncDirectory();
            file.Write(10, Bytes.AsSpan(10, 10)); // never synced
        }

        using (var file = storage.Open("b", create: true))
        {
            file.Write(0, Bytes);
            file.Flush(); // contents synced, name never
        }

        FaultyStorage image = storage.Crash();
        Assert.That(image.List(), Is.EqualTo(new[] { "a" }));
        Assert.That(image.ReadAll("a"), Is.EqualTo(Bytes.AsSpan(0, 10).ToArray()));
        Assert.That(storage.ReadAll("a"), Has.Length.EqualTo(20), "before the crash, readers see the page cache");
    }

    [Test]
    public void A_torn_crash_keeps_a_prefix_of_the_last_unsynced_write()
    {
        var storage = new FaultyStorage();
        using var file = storage.Open("a", create: true);
        file.Write(0, Bytes.AsSpan(0, 10));
        file.Flush();
        storage.SyncDirectory();
        file.Write(10, Bytes.AsSpan(10, 50));

        Assert.That(storage.Crash(tornBytes: 7).ReadAll("a"), Is.EqualTo(Bytes.AsSpan(0, 17).ToArray()));
        Assert.That(storage.Crash(tornBytes: 0).ReadAll("a"), Is.EqualTo(Bytes.AsSpan(0, 10).ToArray()));
        Assert.That(storage.Crash(tornBytes: 1000).ReadAll("a"), Is.EqualTo(Bytes.AsSpan(0, 60).ToArray()));
    }

    [Test]
    public void Renames_and_deletions_are_durable_only_after_a_directory_sync()
    {
        var storage = new FaultyStorage();
        storage.WriteAll("old", Bytes);
        using (var tmp = storage.Open("new.tmp", create: true))
        {
            tmp.Write(0, Bytes.AsSpan(0, 5));
            tmp.Flush();
        }

        storage.Rename("new.tmp", "old");
        Assert.That(storage.Crash().ReadAll("old"), Is.EqualTo(Bytes), "rename not yet durable");
        storage.SyncDirectory();
        Assert.That(storage.Crash().ReadAll("old"), Is.EqualTo(Bytes.AsSpan(0, 5).ToArray()));

        storage.Delete("old");
        Assert.That(storage.Crash().List(), Is.EqualTo(new[] { "old" }));
        storage.SyncDirectory();
        Assert.That(storage.Crash().List(), Is.Empty);
    }

    [Test]
    public void The_planned_faults_fire_once_at_their_count()
    {
        var storage = new FaultyStorage { Fault = FaultKind.FailWrite, FaultAt = 2, PartialWriteBytes = 3, FaultMessage = FaultyStorage.Enospc };
        using var file = storage.Open("a", create: true);
        file.Write(0, Bytes.AsSpan(0, 10));
        IOException? e = Assert.Throws<IOException>(() => file.Write(10, Bytes.AsSpan(10, 10)));
        Assert.That(e!.Message, Does.Contain("ENOSPC"));
        Assert.That(storage.ReadAll("a"), Has.Length.EqualTo(13), "a partial write reached the page cache");
        file.Write(13, Bytes.AsSpan(13, 1));
        Assert.That(storage.FaultedFile, Is.EqualTo("a"));

        var crashing = new FaultyStorage { Fault = FaultKind.Crash, FaultAt = 4, CrashTornBytes = 4 }; // write, fsync, directory sync, then this write
        using var other = crashing.Open("b", create: true);
        other.Write(0, Bytes.AsSpan(0, 10));
        other.Flush();
        crashing.SyncDirectory();
        Assert.Throws<IOException>(() => other.Write(10, Bytes.AsSpan(10, 10)), "the fourth mutation is the crash");
        Assert.Throws<IOException>(other.Flush, "a crashed machine does nothing more");
        Assert.That(crashing.CrashImage!.ReadAll("b"), Is.EqualTo(Bytes.AsSpan(0, 14).ToArray()));
    }

    [Test]
    public void A_flipped_bit_reaches_both_the_cache_and_the_disk()
    {
        var storage = new FaultyStorage();
        storage.WriteAll("a", Bytes);
        storage.FlipBit("a", 5, 7);
        Assert.That(storage.ReadAll("a")[5], Is.EqualTo(Bytes[5] ^ 0x80));
        Assert.That(storage.Crash().ReadAll("a")[5], Is.EqualTo(Bytes[5] ^ 0x80));
    }
}
