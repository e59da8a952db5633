namespace LedgerCore;

/// <summary>
/// A completed backup (<see cref="LedgerEngine.BackupAsync"/>): a data directory holding the ledger at
/// one sequence, verified before it was marked complete. Restore it by opening the directory with
/// <see cref="LedgerEngine.OpenAsync(LedgerOptions, CancellationToken)"/> (docs/backup.md).
/// </summary>
public sealed class LedgerBackup
{
    /// <summary>Describes a completed backup (adapters such as the TCP client rebuild one from what the server answered).</summary>
    /// <param name="directory">The backup's directory, as a full path (on the machine that wrote it).</param>
    /// <param name="sequence">The last batch the backup holds.</param>
    /// <param name="commitTimestamp">The ledger's commit timestamp at <paramref name="sequence"/>.</param>
    /// <param name="digest">The state machine's digest at <paramref name="sequence"/>.</param>
    /// <param name="bytes">The bytes written.</param>
    /// <param name="duration">How long the backup took.</param>
    public LedgerBackup(string directory, long sequence, ulong commitTimestamp, UInt128 digest, long bytes, TimeSpan duration)
    {
        ArgumentNullException.ThrowIfNull(directory);
        Directory = directory;
        Sequence = sequence;
        CommitTimestamp = commitTimestamp;
        Digest = digest;
        Bytes = bytes;
        Duration = duration;
    }

    /// <summary>The backup's directory, as a full path.</summary>
    public string Directory { get; }

    /// <summary>The last batch the backup holds: every batch up to it and none after.</summary>
    public long Sequence { get; }

    /// <summary>The ledger's commit timestamp (ns) at <see cref="Sequence"/>.</summary>
    public ulong CommitTimestamp { get; }

    /// <summary>The state machine's digest at <see cref="Sequence"/> (<see cref="LedgerStateMachine.ComputeDigest"/>), computed from the written copy.</summary>
    public UInt128 Digest { get; }

    /// <summary>The bytes written (every file of the backup).</summary>
    public long Bytes { get; }

    /// <summary>How long the backup took, from the request to the manifest being durable.</summary>
    public TimeSpan Duration { get; }
}
