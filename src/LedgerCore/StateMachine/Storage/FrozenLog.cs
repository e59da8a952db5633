namespace LedgerCore.StateMachine.Storage;

/// <summary>
/// An account's log (<see cref="AccountLog"/>) in a <see cref="SnapshotImage"/>: its arrays by reference
/// with their lengths at the freeze. A log only ever appends past those lengths (or moves to new arrays
/// on growth; a chain rollback removes only what was appended after the freeze), so the prefixes stay
/// as frozen while the background writer reads them.
/// </summary>
internal readonly record struct FrozenLog(
    uint[]? Transfers, int Count, ulong[]? HighStarts, int HighStartCount, int[]? Expiries, int ExpiryCount, BalanceCheckpoint[]? Checkpoints, int CheckpointCount);
