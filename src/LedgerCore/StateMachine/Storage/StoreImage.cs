namespace LedgerCore.StateMachine.Storage;

/// <summary>
/// What a checkpoint records of the store files it leaves the history in (snapshot format 5,
/// docs/storage.md): how far each store reaches at the batch boundary, the id index's tables, and the
/// pending transfers still open, whose states are the only stored bytes below those lengths that
/// change afterwards (a restore sets them back to pending).
/// </summary>
internal sealed class StoreImage
{
    public required long[] OpenPendings { get; init; }

    /// <summary>Numbers the logs' chunks by address.</summary>
    public required ChunkNumbers Chunks { get; init; }

    public required long ChunkCount { get; init; }

    /// <summary>Balance checkpoints in the store.</summary>
    public required long CheckpointCount { get; init; }

    public required IdIndexState TransferIndex { get; init; }

    /// <summary>The id index's tables, to copy to the checkpoint's files (kept allocated until the copy ends).</summary>
    public required (int Generation, nint Table, long Bytes)[] Tables { get; init; }
}
