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

    public required ulong LastStamp { get; init; }

    /// <summary>Change records are append-only too (a chain rollback truncates only past the freeze): borrowed like transfers.</summary>
    public required ChangeRecord[][] ChangePages { get; init; }

    public required int ChangePageSize { get; init; }

    public required int ChangeCount { get; init; }

    public required Account[] Accounts { get; init; }

    public required Transfer[][] TransferPages { get; init; }

    public required int TransferPageSize { get; init; }

    public required int TransferCount { get; init; }

    public required TransferState[] TransferStates { get; init; }

    public required UInt128[] OrphanedIds { get; init; }

    /// <summary>For each History account with balances: its index and its balances, in order.</summary>
    public required (int AccountIndex, AccountBalance[] Balances)[] History { get; init; }

    /// <summary>
    /// Each account's transfer log, by reference with its length at the freeze: a log only ever appends
    /// past that length (or moves to a new array on growth), so the prefix stays as frozen while the
    /// background writer reads it.
    /// </summary>
    public required (int[]? Transfers, int Count)[] Logs { get; init; }

    public ref readonly Transfer TransferAt(int index) => ref TransferPages[index / TransferPageSize][index % TransferPageSize];
}
