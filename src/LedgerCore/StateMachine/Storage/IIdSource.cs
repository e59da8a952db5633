namespace LedgerCore.StateMachine.Storage;

/// <summary>Where an <see cref="IdIndex{TSource}"/> reads the id stored at an index.</summary>
/// <remarks>Implemented by structs so the JIT specialises and inlines the call.</remarks>
internal interface IIdSource
{
    UInt128 IdAt(long index);

    /// <summary>The number of records: indexes run from 0 below it.</summary>
    long Count { get; }
}
