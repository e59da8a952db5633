namespace LedgerCore.StateMachine.Storage;

/// <summary>
/// The state machine frozen at a batch boundary, cheap to take on the processor and safe to read from
/// another thread while the processor moves on. Accounts, two-phase states, history and reserved ids
/// change in place, so they are copied; stored transfers never change once appended, so the image
/// only borrows their pages up to <see cref="TransferCount"/>.
/// </summary>
internal sealed class SnapshotImage
{
    public required ulong CommitTimestamp { get; init; }

    /// <summary>The first stored transfer that is a change event (see <see cref="LedgerStateMachine.GetChangeEvents"/>).</summary>
    public required long ChangeEventsFrom { get; init; }

    /// <summary>Expiries are append-only too (never rolled back): borrowed like transfers.</summary>
    public required ExpiryRecord[][] ExpiryPages { get; init; }

    public required int ExpiryPageSize { get; init; }

    public required long ExpiryCount { get; init; }

    public required Account[] Accounts { get; init; }

    public required NativePages<Transfer> TransferPages { get; init; }

    public required long TransferCount { get; init; }

    /// <summary>A copy (states change after the freeze), in arrays of consecutive states; null in a checkpoint (<see cref="Store"/>).</summary>
    public required TransferState[][]? TransferStates { get; init; }

    public required UInt128[] OrphanedIds { get; init; }

    /// <summary>For each History account with balances: its index and its balances, in order.</summary>
    public required (long AccountIndex, AccountBalance[] Balances)[] History { get; init; }

    /// <summary>Each account's transfer log, expiries and checkpoints (see <see cref="FrozenLog"/>).</summary>
    public required FrozenLog[] Logs { get; init; }

    /// <summary>The balance checkpoints the logs name (by index), up to the freeze.</summary>
    public required NativePages<BalanceCheckpoint> Checkpoints { get; init; }

    /// <summary>The pages the logs' chunks and checkpoints are in: held so they outlive the machine while the image is written.</summary>
    public required StorePages Pages { get; init; }

    /// <summary>
    /// Set for a checkpoint that leaves the history in the store's files (snapshot format 6): what
    /// names it there. Transfers, states, log entries and balance checkpoints are then not written.
    /// </summary>
    public StoreImage? Store { get; init; }

}
