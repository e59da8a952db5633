namespace LedgerCore.StateMachine.Storage;

/// <summary>
/// An account's log (<see cref="AccountLog"/>) in a <see cref="SnapshotImage"/>: its arrays and chunks
/// by reference with their lengths at the freeze. A log only ever appends past those lengths (or moves
/// to new arrays on growth; chunks never move; a chain rollback removes only what was appended after
/// the freeze), so the prefixes stay as frozen while the background writer reads them.
/// </summary>
internal readonly record struct FrozenLog(
    nint[]? Chunks, int Count, ulong[]? HighStarts, int HighStartCount, int[]? Expiries, int ExpiryCount, long[]? Checkpoints, int CheckpointCount)
{
    /// <summary>The low halves of entries [<paramref name="chunk"/> × 64, …) of the log, up to its frozen count.</summary>
    public unsafe ReadOnlySpan<uint> Chunk(int chunk) =>
        new((void*)Chunks![chunk], Math.Min(LogChunks.Entries, Count - (chunk << LogChunks.Shift)));
}
