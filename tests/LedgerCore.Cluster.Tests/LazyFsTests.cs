using System.IO.MemoryMappedFiles;
using LedgerCore.Cluster.Tests.Processes;
using NUnit.Framework;

namespace LedgerCore.Cluster.Tests;

/// <summary>
/// The power-loss file system the power-loss test stands on (tests/lazyfs): only fsynced bytes survive a
/// power loss, through each way .NET (and DotNext's log) makes data durable: fsync, a write-through
/// (O_DSYNC) handle, msync of a shared mapping. If lazyfs kept unsynced bytes, the power-loss test could
/// not fail; if it dropped synced ones, it would fail for nothing.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class LazyFsTests
{
    [Test]
    public void A_write_not_fsynced_is_visible_until_the_power_goes_and_then_gone()
    {
        using var mount = new LazyMount();
        string file = Path.Combine(mount.Path, "unsynced");
        File.WriteAllBytes(file, Bytes(10_000, 1));
        Assert.That(File.ReadAllBytes(file), Is.EqualTo(Bytes(10_000, 1)), "read back through the mount before the loss");
        Assert.That(new FileInfo(Path.Combine(mount.Backing, "unsynced")).Length, Is.Zero, "nothing reached the backing file");

        mount.PowerLoss();

        // The create is metadata, applied at once: the file stays, empty.
        Assert.That(File.ReadAllBytes(file), Is.Empty);
    }

    [Test]
    public void An_fsynced_write_survives_and_what_was_written_after_the_fsync_does_not()
    {
        using var mount = new LazyMount();
        string file = Path.Combine(mount.Path, "synced");
        using (var stream = new FileStream(file, FileMode.Create, FileAccess.ReadWrite))
        {
            stream.Write(Bytes(6000, 2));
            stream.Flush(flushToDisk: true);
            stream.Position = 1000;
            stream.Write(Bytes(500, 3)); // an overwrite inside the synced part
            stream.Position = 6000;
            stream.Write(Bytes(3000, 4)); // an extension
        }

        byte[] before = File.ReadAllBytes(file);
        Assert.That(before, Has.Length.EqualTo(9000));
        Assert.That(before.AsSpan(1000, 500).ToArray(), Is.EqualTo(Bytes(500, 3)), "the unsynced overwrite is read over the synced bytes");

        mount.PowerLoss();

        Assert.That(File.ReadAllBytes(file), Is.EqualTo(Bytes(6000, 2)));
    }

    [Test]
    public void An_fsync_of_one_file_makes_only_that_file_durable_and_a_rename_keeps_what_is_pending()
    {
        using var mount = new LazyMount();
        string other = Path.Combine(mount.Path, "other");
        File.WriteAllBytes(other, Bytes(4096, 5));
        string temporary = Path.Combine(mount.Path, "file.tmp");
        File.WriteAllBytes(temporary, Bytes(5000, 6));
        string renamed = Path.Combine(mount.Path, "file");
        File.Move(temporary, renamed);
        using (var handle = File.OpenHandle(renamed, FileMode.Open, FileAccess.ReadWrite)) RandomAccess.FlushToDisk(handle);

        mount.PowerLoss();

        Assert.That(File.ReadAllBytes(renamed), Is.EqualTo(Bytes(5000, 6)), "written under the old name, fsynced under the new one");
        Assert.That(File.ReadAllBytes(other), Is.Empty, "another file's fsync is not this file's");
    }

    [Test]
    public void A_write_through_handle_is_durable_at_each_write_as_DotNexts_private_memory_log_relies_on()
    {
        using var mount = new LazyMount();
        string file = Path.Combine(mount.Path, "through");
        using (var stream = new FileStream(file, FileMode.Create, FileAccess.ReadWrite, FileShare.Read, 4096, FileOptions.WriteThrough))
        {
            stream.Write(Bytes(3000, 7));
            stream.Flush(); // to the kernel only (no fsync): O_DSYNC makes the write itself durable
        }

        mount.PowerLoss();

        Assert.That(File.ReadAllBytes(file), Is.EqualTo(Bytes(3000, 7)));
    }

    [Test]
    public void An_mmap_write_survives_an_msync_and_without_one_the_file_is_either_way_but_whole()
    {
        using var mount = new LazyMount();
        string synced = Path.Combine(mount.Path, "mapped-synced");
        string unsynced = Path.Combine(mount.Path, "mapped-unsynced");
        foreach (string file in (string[])[synced, unsynced])
        {
            using var map = MemoryMappedFile.CreateFromFile(file, FileMode.CreateNew, null, 8192);
            using MemoryMappedViewAccessor view = map.CreateViewAccessor();
            view.WriteArray(0, Bytes(4096, 8), 0, 4096);
            if (file == synced) view.Flush(); // msync(MS_SYNC): the kernel writes the dirty pages, then FUSE fsync
        }

        mount.PowerLoss();

        byte[] expected = [.. Bytes(4096, 8), .. new byte[4096]];
        Assert.That(File.ReadAllBytes(synced), Is.EqualTo(expected));
        // Never synced: the kernel may have written the pages back before the loss (they stay pending, so
        // are dropped) or not; both leave the file as it was created. The data must not be half there.
        byte[] left = File.ReadAllBytes(unsynced);
        Assert.That(left, Is.EqualTo(new byte[8192]).Or.EqualTo(expected));
    }

    private static byte[] Bytes(int count, byte seed)
    {
        var bytes = new byte[count];
        for (int i = 0; i < count; i++) bytes[i] = unchecked((byte)(seed * 31 + i * 7 + (i >> 8)));
        return bytes;
    }
}
