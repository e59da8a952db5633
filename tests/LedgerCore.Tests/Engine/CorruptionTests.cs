using LedgerCore.Tests.Journal;
using NUnit.Framework;

namespace LedgerCore.Tests.Engine;

/// <summary>
/// The recovery rules of docs/journal-format.md on real files: a torn or corrupt last record is cut and
/// reported; anything invalid before the tail is corruption, reported with its file and offset; a
/// snapshot that fails verification is passed over for the older one.
/// </summary>
public class CorruptionTests
{
    private static readonly string FirstSegment = SegmentLayout.SegmentName(1);

    /// <summary>Accounts 1..4 in batch 1, then five batches of ten transfers (ids 1.., 11.., ...).</summary>
    private static async Task<UInt128> WriteSixBatchesAsync(string directory, Action<LedgerOptions>? configure = null)
    {
        await using LedgerEngine engine = await LedgerEngine.OpenAsync(Ledgers.Options(directory, configure)).Within();
        Assert.That(await engine.CreateAccountsAsync(Ledgers.Accounts(4)).Within(), Is.Empty);
        for (ulong b = 0; b < 5; b++) Assert.That(await engine.CreateTransfersAsync(Ledgers.Transfers(1 + (b * 10), 10)).Within(), Is.Empty);
        Assert.That(engine.CommittedSequence, Is.EqualTo(6));
        return await engine.ComputeDigestAsync().Within();
    }

    private static UInt128[] Ids(ulong first, int count) => Enumerable.Range(0, count).Select(i => (UInt128)(first + (ulong)i)).ToArray();

    [TestCase(1)]
    [TestCase(63)]
    [TestCase(64)]
    [TestCase(64 + 128)]
    [TestCase(64 + 1279)]
    public async Task A_torn_last_record_is_cut_and_reported_and_everything_before_it_survives(int keptBytes)
    {
        using var dir = new TempDirectory();
        await WriteSixBatchesAsync(dir.Path);
        string segment = dir.File(FirstSegment);
        (List<long> offsets, long end) = SegmentLayout.Records(File.ReadAllBytes(segment));
        Assert.That(offsets, Has.Count.EqualTo(6));
        Assert.That(new FileInfo(segment).Length, Is.EqualTo(end));
        long last = offsets[^1];
        using (var file = new FileStream(segment, FileMode.Open)) file.SetLength(last + keptBytes);

        await using (LedgerEngine engine = await LedgerEngine.OpenAsync(Ledgers.Options(dir.Path)).Within())
        {
            Assert.That(engine.Recovery.TruncatedBytes, Is.EqualTo(keptBytes));
            Assert.That(engine.Recovery.TruncationReason, Does.Contain("truncated"));
            Assert.That(engine.CommittedSequence, Is.EqualTo(5));
            Assert.That(new FileInfo(segment).Length, Is.EqualTo(last), "the tail is cut from the file");
            Assert.That(await engine.LookupTransfersAsync(Ids(1, 40)).Within(), Has.Length.EqualTo(40));
            Assert.That(await engine.LookupTransfersAsync(Ids(41, 10)).Within(), Is.Empty);

            // The journal continues at the cut: the resubmitted batch takes sequence 6 and survives a restart.
            Assert.That(await engine.CreateTransfersAsync(Ledgers.Transfers(41, 10)).Within(), Is.Empty);
            Assert.That(engine.CommittedSequence, Is.EqualTo(6));
        }

        await using LedgerEngine again = await LedgerEngine.OpenAsync(Ledgers.Options(dir.Path)).Within();
        Assert.That(again.Recovery.TruncatedBytes, Is.Zero);
        Assert.That(await again.LookupTransfersAsync(Ids(1, 50)).Within(), Has.Length.EqualTo(50));
    }

    [Test]
    public async Task Zeroes_after_the_last_record_are_a_torn_tail_and_nothing_is_lost()
    {
        using var dir = new TempDirectory();
        UInt128 digest = await WriteSixBatchesAsync(dir.Path);
        using (var file = new FileStream(dir.File(FirstSegment), FileMode.Append)) file.Write(new byte[4096]);

        await using LedgerEngine engine = await LedgerEngine.OpenAsync(Ledgers.Options(dir.Path)).Within();
        Assert.That(engine.Recovery.TruncatedBytes, Is.EqualTo(4096));
        Assert.That(engine.Recovery.TruncationReason, Is.Not.Null);
        Assert.That(engine.CommittedSequence, Is.EqualTo(6));
        Assert.That(await engine.ComputeDigestAsync().Within(), Is.EqualTo(digest));
    }

    [TestCase(0)]     // checksum
    [TestCase(20)]    // sequence
    [TestCase(64 + 600)] // payload
    public async Task A_corrupt_last_record_is_treated_as_the_torn_tail(int byteInRecord)
    {
        using var dir = new TempDirectory();
        await WriteSixBatchesAsync(dir.Path);
        string segment = dir.File(FirstSegment);
        byte[] bytes = File.ReadAllBytes(segment);
        (List<long> offsets, long end) = SegmentLayout.Records(bytes);
        bytes[offsets[^1] + byteInRecord] ^= 0x10;
        File.WriteAllBytes(segment, bytes);

        await using LedgerEngine engine = await LedgerEngine.OpenAsync(Ledgers.Options(dir.Path)).Within();
        Assert.That(engine.Recovery.TruncatedBytes, Is.EqualTo(end - offsets[^1]));
        Assert.That(engine.CommittedSequence, Is.EqualTo(5));
    }

    [TestCase(0, 0)]        // first record, checksum
    [TestCase(0, 9)]        // first record, payload length
    [TestCase(2, 16)]       // third record, sequence
    [TestCase(3, 40)]       // fourth record, operation
    [TestCase(3, 50)]       // fourth record, reserved byte
    [TestCase(4, 64 + 77)]  // fifth record, payload
    public async Task A_flipped_bit_before_the_tail_is_corruption_with_its_file_and_offset(int record, int byteInRecord)
    {
        using var dir = new TempDirectory();
        await WriteSixBatchesAsync(dir.Path);
        string segment = dir.File(FirstSegment);
        byte[] bytes = File.ReadAllBytes(segment);
        (List<long> offsets, long end) = SegmentLayout.Records(bytes);
        bytes[offsets[record] + byteInRecord] ^= 0x01;
        File.WriteAllBytes(segment, bytes);

        LedgerCorruptedException? e = await Assert.ThrowsAsync<LedgerCorruptedException>(() => LedgerEngine.OpenAsync(Ledgers.Options(dir.Path)).Within());
        Assert.That(e!.File, Is.EqualTo(FirstSegment));
        Assert.That(e.Offset, Is.EqualTo(offsets[record]));
        Assert.That(new FileInfo(segment).Length, Is.EqualTo(end), "nothing is cut from a corrupt journal");

        // The failed open released the directory: a second attempt reports the same corruption, not a lock.
        await Assert.ThrowsAsync<LedgerCorruptedException>(() => LedgerEngine.OpenAsync(Ledgers.Options(dir.Path)).Within());
    }

    [Test]
    public async Task A_corrupt_segment_header_before_the_newest_segment_is_corruption_at_offset_zero()
    {
        using var dir = new TempDirectory();
        await WriteSegmentsAsync(dir.Path);
        string[] segments = SegmentNames(dir.Path);
        Assert.That(segments, Has.Length.GreaterThanOrEqualTo(3));
        byte[] bytes = File.ReadAllBytes(dir.File(segments[1]));
        bytes[33] ^= 0x01; // first sequence
        File.WriteAllBytes(dir.File(segments[1]), bytes);

        LedgerCorruptedException? e = await Assert.ThrowsAsync<LedgerCorruptedException>(() => LedgerEngine.OpenAsync(Ledgers.Options(dir.Path)).Within());
        Assert.That((e!.File, e.Offset), Is.EqualTo((segments[1], 0L)));
    }

    [Test]
    public async Task A_missing_segment_is_corruption()
    {
        using var dir = new TempDirectory();
        await WriteSegmentsAsync(dir.Path);
        string[] segments = SegmentNames(dir.Path);
        Assert.That(segments, Has.Length.GreaterThanOrEqualTo(3));
        File.Delete(dir.File(segments[1]));

        LedgerCorruptedException? e = await Assert.ThrowsAsync<LedgerCorruptedException>(() => LedgerEngine.OpenAsync(Ledgers.Options(dir.Path)).Within());
        Assert.That((e!.File, e.Offset), Is.EqualTo((segments[2], 0L)));
    }

    [TestCase(30)]
    [TestCase(0)]
    public async Task A_torn_header_of_the_newest_segment_deletes_it(int headerBytes)
    {
        using var dir = new TempDirectory();
        UInt128 digest = await WriteSixBatchesAsync(dir.Path);
        string next = SegmentLayout.SegmentName(7);
        File.WriteAllBytes(dir.File(next), File.ReadAllBytes(dir.File(FirstSegment)).AsSpan(0, headerBytes).ToArray());

        await using LedgerEngine engine = await LedgerEngine.OpenAsync(Ledgers.Options(dir.Path)).Within();
        Assert.That(File.Exists(dir.File(next)), Is.False);
        Assert.That(engine.Recovery.TruncatedBytes, Is.EqualTo(headerBytes));
        Assert.That(engine.Recovery.TruncationReason, Does.Contain("header"));
        Assert.That(engine.CommittedSequence, Is.EqualTo(6));
        Assert.That(await engine.ComputeDigestAsync().Within(), Is.EqualTo(digest));
    }

    [Test]
    public async Task Corrupt_metadata_is_corruption_of_ledger_meta()
    {
        using var dir = new TempDirectory();
        await WriteSixBatchesAsync(dir.Path);
        byte[] meta = File.ReadAllBytes(dir.File("ledger.meta"));
        meta[24] ^= 0x01; // the epoch
        File.WriteAllBytes(dir.File("ledger.meta"), meta);

        LedgerCorruptedException? e = await Assert.ThrowsAsync<LedgerCorruptedException>(() => LedgerEngine.OpenAsync(Ledgers.Options(dir.Path)).Within());
        Assert.That(e!.File, Is.EqualTo("ledger.meta"));
    }

    [TestCase(true)]
    [TestCase(false)]
    public async Task A_corrupt_newest_snapshot_falls_back_to_the_older_one(bool truncate)
    {
        using var dir = new TempDirectory();
        (UInt128 digest, long committed, string[] snapshots) = await WriteWithTwoSnapshotsAsync(dir.Path);
        CorruptSnapshot(dir.File(snapshots[^1]), truncate);
        long older = SequenceOf(snapshots[0]);

        await using LedgerEngine engine = await LedgerEngine.OpenAsync(Ledgers.Options(dir.Path)).Within();
        Assert.That(engine.Recovery.SnapshotSequence, Is.EqualTo(older));
        Assert.That(engine.Recovery.RecordsReplayed, Is.EqualTo(committed - older));
        Assert.That(await engine.ComputeDigestAsync().Within(), Is.EqualTo(digest));
    }

    /// <summary>
    /// The sign bit of the last history balance's timestamp (the 8 bytes before the trailer): the snapshot
    /// reader used to convert it with a checked cast and throw OverflowException, which open did not
    /// treat as a corrupt snapshot, so it failed instead of falling back.
    /// </summary>
    [Test]
    public async Task A_newest_snapshot_damaged_in_its_history_also_falls_back()
    {
        using var dir = new TempDirectory();
        (UInt128 digest, long committed, string[] snapshots) = await WriteWithTwoSnapshotsAsync(dir.Path, history: true);
        byte[] bytes = File.ReadAllBytes(dir.File(snapshots[^1]));
        bytes[^9] ^= 0x80;
        File.WriteAllBytes(dir.File(snapshots[^1]), bytes);

        await using LedgerEngine engine = await LedgerEngine.OpenAsync(Ledgers.Options(dir.Path)).Within();
        Assert.That(engine.Recovery.SnapshotSequence, Is.EqualTo(SequenceOf(snapshots[0])));
        Assert.That(await engine.ComputeDigestAsync().Within(), Is.EqualTo(digest));
        Assert.That(engine.CommittedSequence, Is.EqualTo(committed));
    }

    [Test]
    public async Task With_every_snapshot_corrupt_a_complete_journal_is_replayed_from_the_start()
    {
        using var dir = new TempDirectory();
        (UInt128 digest, long committed, string[] snapshots) = await WriteWithTwoSnapshotsAsync(dir.Path);
        foreach (string snapshot in snapshots) CorruptSnapshot(dir.File(snapshot), truncate: false);

        await using LedgerEngine engine = await LedgerEngine.OpenAsync(Ledgers.Options(dir.Path)).Within();
        Assert.That(engine.Recovery.SnapshotSequence, Is.Zero);
        Assert.That(engine.Recovery.RecordsReplayed, Is.EqualTo(committed));
        Assert.That(await engine.ComputeDigestAsync().Within(), Is.EqualTo(digest));
    }

    private static string[] SegmentNames(string directory) =>
        Directory.GetFiles(directory, "journal-*.log").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray()!;

    private static long SequenceOf(string snapshot) => long.Parse(snapshot.AsSpan("snapshot-".Length, 20), System.Globalization.CultureInfo.InvariantCulture);

    private static void CorruptSnapshot(string path, bool truncate)
    {
        byte[] bytes = File.ReadAllBytes(path);
        if (truncate)
        {
            File.WriteAllBytes(path, bytes.AsSpan(0, bytes.Length / 2).ToArray());
            return;
        }

        bytes[bytes.Length / 2] ^= 0x04;
        File.WriteAllBytes(path, bytes);
    }

    /// <summary>Writes batches with a small snapshot interval until two snapshots are on disk; lists them once the engine is closed.</summary>
    private static async Task<(UInt128 Digest, long Committed, string[] Snapshots)> WriteWithTwoSnapshotsAsync(string directory, bool history = false)
    {
        UInt128 digest;
        long committed;
        await using (LedgerEngine engine = await LedgerEngine.OpenAsync(Ledgers.Options(directory, o => o.SnapshotIntervalEvents = 20)).Within())
        {
            Account[] accounts = Ledgers.Accounts(4);
            if (history) accounts[3].Flags = AccountFlags.History;
            Assert.That(await engine.CreateAccountsAsync(accounts).Within(), Is.Empty);
            ulong next = 1;
            using var cts = new CancellationTokenSource(Ledgers.Timeout);
            while (engine.SnapshotsWritten < 2)
            {
                Assert.That(await engine.CreateTransfersAsync(Ledgers.Transfers(next, 25)).Within(), Is.Empty);
                next += 25;
                await Task.Delay(10, cts.Token);
            }

            // One more batch, so the fallback has journal to replay either way (it may take a third snapshot:
            // the files are listed after disposal, which waits for it).
            Assert.That(await engine.CreateTransfersAsync(Ledgers.Transfers(next, 5)).Within(), Is.Empty);
            digest = await engine.ComputeDigestAsync().Within();
            committed = engine.CommittedSequence;
        }

        string[] snapshots = Directory.GetFiles(directory, "snapshot-*.snap").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray()!;
        Assert.That(snapshots, Has.Length.EqualTo(2));
        return (digest, committed, snapshots);
    }

    /// <summary>Full batches into 1 MiB segments: a segment holds two, so seven batches make four segments.</summary>
    private static async Task WriteSegmentsAsync(string directory)
    {
        await using LedgerEngine engine = await LedgerEngine.OpenAsync(Ledgers.Options(directory, o => o.SegmentBytesMax = 1024 * 1024)).Within();
        Assert.That(await engine.CreateAccountsAsync(Ledgers.Accounts(4)).Within(), Is.Empty);
        for (ulong b = 0; b < 7; b++)
        {
            Assert.That(await engine.CreateTransfersAsync(Ledgers.Transfers(1 + (b * 8_000), 8_000)).Within(), Is.Empty);
        }
    }
}
