namespace LedgerCore.Tool;

/// <summary>One journal segment: the sequences it holds and its size on disk.</summary>
internal sealed record SegmentReport(string File, long FirstSequence, long? LastSequence, long Records, long Bytes);

/// <summary>One snapshot: its sequence, size, format version and whether it verified (null when not checked).</summary>
internal sealed record SnapshotReport(string File, long Sequence, long Bytes, int FormatVersion, bool? Verified, string? Problem);

/// <summary>A torn tail: the last write, never acknowledged, that recovery cuts at <see cref="Offset"/>.</summary>
internal sealed record TornTailReport(string File, long Offset, long Bytes, string Reason);

/// <summary>The first corruption found; <see cref="Offset"/> is -1 when it has no single place.</summary>
internal sealed record CorruptionReport(string? File, long Offset, string Message);

/// <summary>A snapshot's digest compared with the digest of the journal replayed to its sequence.</summary>
internal sealed record DigestCheck(string Snapshot, long Sequence, string Expected, string Replayed, bool Matches);

/// <summary>What the tool found in a data directory (one shape for inspect and verify; verify fills more).</summary>
internal sealed class DirectoryReport
{
    public required string Directory { get; init; }

    public string? LedgerId { get; set; }

    public ulong? Epoch { get; set; }

    public List<SegmentReport> Segments { get; } = [];

    public List<SnapshotReport> Snapshots { get; } = [];

    public long Records { get; set; }

    public long LastCommittedSequence { get; set; }

    public ulong LastCommittedTimestamp { get; set; }

    /// <summary>The snapshot recovery would load (the newest that verifies); null: it would start from zero.</summary>
    public string? RecoveryLoadsSnapshot { get; set; }

    public TornTailReport? TornTail { get; set; }

    public string? ReplayedFrom { get; set; }

    public long? ReplayedRecords { get; set; }

    public List<DigestCheck> DigestChecks { get; } = [];

    public CorruptionReport? Corruption { get; set; }

    public List<string> Warnings { get; } = [];
}
