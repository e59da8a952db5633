namespace LedgerCore.StateMachine.Storage;

/// <summary>
/// An <see cref="IdIndex{TSource}"/> at a batch boundary, as a checkpoint records it: its table (and,
/// while a growth is under way, the old one and how far it is moved) by generation and length.
/// </summary>
/// <param name="Prints">Whether the tables keep prints beside the slots.</param>
/// <param name="Length">Slots of the table in use.</param>
/// <param name="Count">Entries.</param>
/// <param name="Generation">The table in use.</param>
/// <param name="OldLength">Slots of the table being moved from, or 0 when no growth is under way.</param>
/// <param name="OldGeneration">The table being moved from.</param>
/// <param name="Moved">Slots of the old table moved already.</param>
internal readonly record struct IdIndexState(bool Prints, long Length, long Count, int Generation, long OldLength, int OldGeneration, long Moved)
{
    /// <summary>The largest table: homes are taken from the hash's top 31 bits.</summary>
    public const long MaxSlots = 1L << 31;
}
