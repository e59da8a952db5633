using System.Buffers.Binary;
using System.Globalization;
using LedgerCore.Backup;
using LedgerCore.Journal;
using LedgerCore.Storage;

namespace LedgerCore.Tool;

/// <summary>
/// Reads a data directory with the core's own readers (the same checks recovery makes) over
/// <see cref="ReadOnlyStorage"/>, without the writer lock. Inspect scans the journal and snapshots;
/// verify also replays the journal into a fresh state machine and compares snapshot digests.
/// </summary>
internal static class DirectoryAnalysis
{
    private const int SnapshotHeaderSize = 64;

    /// <summary>Analyses <paramref name="directory"/>, which must hold ledger.meta (checked by the caller).</summary>
    public static DirectoryReport Run(string directory, bool verify)
    {
        var report = new DirectoryReport { Directory = Path.GetFullPath(directory) };
        var storage = new ReadOnlyStorage(directory);
        try
        {
            (UInt128 ledgerId, ulong epoch) = DataDirectory.Read(storage) ?? throw new LedgerCorruptedException(DataDirectory.MetadataName, 0, "metadata is missing");
            report.LedgerId = ledgerId.ToString("x32", CultureInfo.InvariantCulture);
            report.Epoch = epoch;
            CheckBackup(storage, report);
            List<(long Sequence, string Name)> snapshots = SnapshotFile.List(storage);
            List<(long Sequence, string Name, LedgerStateMachine Machine, ulong Token)> verified = CheckSnapshots(storage, ledgerId, snapshots, report);
            ScanJournal(storage, ledgerId, report);
            if (verify) Replay(storage, ledgerId, verified, report);
        }
        catch (LedgerCorruptedException e)
        {
            report.Corruption ??= new CorruptionReport(e.File, e.Offset, e.Message);
        }

        return report;
    }

    /// <summary>A backup not yet opened: its files are checked against its manifest, as the first open will (the rest of the analysis goes on).</summary>
    private static void CheckBackup(ReadOnlyStorage storage, DirectoryReport report)
    {
        BackupManifest? manifest;
        try
        {
            manifest = BackupManifest.Read(storage);
            manifest?.VerifyFiles(storage);
        }
        catch (LedgerCorruptedException e)
        {
            report.Corruption ??= new CorruptionReport(e.File, e.Offset, e.Message);
            return;
        }

        if (manifest is null) return;
        report.Warnings.Add($"a backup taken at sequence {manifest.Sequence}, not yet opened: every file matches its manifest ({BackupManifest.Name}); the first open also checks that recovery lands on that sequence and digest, then makes it a live ledger");
    }

    /// <summary>Reads every snapshot in full (checksum included), newest first; recovery loads the first that verifies.</summary>
    private static List<(long Sequence, string Name, LedgerStateMachine Machine, ulong Token)> CheckSnapshots(ReadOnlyStorage storage, UInt128 ledgerId,
        List<(long Sequence, string Name)> snapshots, DirectoryReport report)
    {
        var verified = new List<(long Sequence, string Name, LedgerStateMachine Machine, ulong Token)>();
        Span<byte> header = stackalloc byte[SnapshotHeaderSize];
        foreach ((long sequence, string name) in snapshots)
        {
            long length;
            int version;
            using (IStorageFile file = storage.OpenRead(name))
            {
                length = file.Length;
                version = file.Read(0, header) == SnapshotHeaderSize ? BinaryPrimitives.ReadInt32LittleEndian(header[8..]) : -1;
            }

            try
            {
                (LedgerStateMachine machine, long read, ulong token) = SnapshotFile.Read(storage, name, ledgerId);
                report.Snapshots.Add(new SnapshotReport(name, read, length, version, true, null));
                report.RecoveryLoadsSnapshot ??= name;
                verified.Add((read, name, machine, token));
            }
            catch (LedgerCorruptedException e)
            {
                report.Snapshots.Add(new SnapshotReport(name, sequence, length, version, false, e.Message));
                report.Corruption ??= new CorruptionReport(e.File ?? name, e.Offset, e.Message);
            }
            catch (NotSupportedException e)
            {
                // A checkpoint naming the store's files (format 6): the tool reads no store files and changes nothing.
                report.Snapshots.Add(new SnapshotReport(name, sequence, length, version, false, e.Message));
            }
        }

        if (verified.Count > 0)
        {
            report.LastCommittedSequence = verified[0].Sequence;
            report.LastCommittedTimestamp = verified[0].Machine.CommitTimestamp;
        }

        return verified;
    }

    /// <summary>Reads every record of every segment (checksums, sequence order), reporting a torn tail instead of cutting it.</summary>
    private static void ScanJournal(ReadOnlyStorage storage, UInt128 ledgerId, DirectoryReport report)
    {
        List<(long First, string Name)> segments = JournalReader.ListSegments(storage);
        if (segments.Count == 0) return;
        var last = new long?[segments.Count];
        var records = new long[segments.Count];
        int current = 0;
        ulong lastTimestamp = 0;
        long lastSequence = 0;
        try
        {
            JournalScan scan = JournalReader.Read(storage, ledgerId, segments[0].First - 1, long.MaxValue, repairTail: false,
                (in JournalRecordInfo info, ReadOnlySpan<byte> _) =>
                {
                    while (current + 1 < segments.Count && segments[current + 1].First <= info.Sequence) current++;
                    last[current] = info.Sequence;
                    records[current]++;
                    lastTimestamp = info.Timestamp;
                    lastSequence = info.Sequence;
                });
            if (scan.TruncationReason is not null)
            {
                // Without repair the reader reports a tail only inside the newest segment, at the first invalid record.
                string torn = scan.LastSegment ?? segments[^1].Name;
                long offset = scan.EndOffset;
                report.TornTail = new TornTailReport(torn, offset, scan.TruncatedBytes, scan.TruncationReason);
                report.Warnings.Add($"torn tail in '{torn}' at offset {offset} ({scan.TruncatedBytes} bytes, {scan.TruncationReason}): the last write did not complete and was never acknowledged; recovery cuts it");
            }
        }
        finally
        {
            for (int i = 0; i < segments.Count; i++)
            {
                long bytes;
                using (IStorageFile file = storage.OpenRead(segments[i].Name)) bytes = file.Length;
                report.Segments.Add(new SegmentReport(segments[i].Name, segments[i].First, last[i], records[i], bytes));
                report.Records += records[i];
            }

            if (lastSequence > report.LastCommittedSequence)
            {
                report.LastCommittedSequence = lastSequence;
                report.LastCommittedTimestamp = lastTimestamp;
            }
        }
    }

    /// <summary>
    /// Replays the journal into a state machine: from the oldest verified snapshot the journal still
    /// reaches back to (so every newer snapshot's digest is checked against the replay), else from the
    /// newest verified snapshot, else from zero.
    /// </summary>
    private static void Replay(ReadOnlyStorage storage, UInt128 ledgerId, List<(long Sequence, string Name, LedgerStateMachine Machine, ulong Token)> verified, DirectoryReport report)
    {
        List<(long First, string Name)> segments = JournalReader.ListSegments(storage);
        long journalStart = segments.Count > 0 ? segments[0].First : long.MaxValue;
        // verified is newest first; the base is the oldest whose successor record is still journaled.
        int baseIndex = -1;
        for (int i = verified.Count - 1; i >= 0; i--)
        {
            if (journalStart <= verified[i].Sequence + 1)
            {
                baseIndex = i;
                break;
            }
        }

        if (baseIndex < 0 && verified.Count > 0 && journalStart > 1) baseIndex = 0;
        LedgerStateMachine machine = baseIndex >= 0 ? verified[baseIndex].Machine : new LedgerStateMachine();
        long from = baseIndex >= 0 ? verified[baseIndex].Sequence : 0;
        report.ReplayedFrom = baseIndex >= 0 ? verified[baseIndex].Name : "zero";
        var replay = new JournalReplay(machine, baseIndex >= 0 ? verified[baseIndex].Token : 0);

        // Newer snapshots to compare with, oldest first, as digests (their machines are no longer needed).
        var targets = new List<(long Sequence, string Name, UInt128 Digest)>();
        for (int i = (baseIndex >= 0 ? baseIndex : verified.Count) - 1; i >= 0; i--)
        {
            targets.Add((verified[i].Sequence, verified[i].Name, verified[i].Machine.ComputeDigest()));
        }

        int next = 0;
        JournalReader.Read(storage, ledgerId, from, long.MaxValue, repairTail: false, (in JournalRecordInfo info, ReadOnlySpan<byte> payload) =>
        {
            replay.Apply(in info, payload);
            while (next < targets.Count && targets[next].Sequence <= info.Sequence)
            {
                if (targets[next].Sequence == info.Sequence)
                {
                    UInt128 replayed = machine.ComputeDigest();
                    report.DigestChecks.Add(new DigestCheck(targets[next].Name, info.Sequence, Hex(targets[next].Digest), Hex(replayed), replayed == targets[next].Digest));
                    if (replayed != targets[next].Digest)
                    {
                        report.Corruption ??= new CorruptionReport(targets[next].Name, -1, $"replaying the journal to sequence {info.Sequence} gives digest {Hex(replayed)} but '{targets[next].Name}' holds {Hex(targets[next].Digest)}");
                    }
                }

                next++;
            }
        });
        report.ReplayedRecords = replay.Records;
        for (; next < targets.Count; next++)
        {
            report.Warnings.Add($"'{targets[next].Name}' is beyond the journal's end: its digest was not compared with a replay");
        }
    }

    private static string Hex(UInt128 value) => value.ToString("x32", CultureInfo.InvariantCulture);
}
