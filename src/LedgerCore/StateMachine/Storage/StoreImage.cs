namespace LedgerCore.StateMachine.Storage;

/// <summary>
/// What a checkpoint records of the store files it leaves the history in (snapshot format 6,
/// docs/storage.md): how far each store reaches at the batch boundary, the id index's runs, and the
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

    /// <summary>The runs holding every transfer id, oldest first; the newest may still be being written (the checkpoint's writer waits for them).</summary>
    public required Task<IdRun>[] TransferRuns { get; init; }
}
