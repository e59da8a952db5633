namespace LedgerCore.StateMachine.Storage;

/// <summary>Where a stored transfer stands in its two-phase life. Part of the digest and snapshots.</summary>
internal enum TransferState : byte
{
    /// <summary>Not a pending transfer: single-phase, post or void.</summary>
    Final = 0,
    Pending = 1,
    Posted = 2,
    Voided = 3,
    Expired = 4,
}
