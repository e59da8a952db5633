namespace LedgerCore;

/// <summary>The kind of a journaled batch. Values are part of the journal and wire formats.</summary>
#pragma warning disable CA1028 // One byte in the journal record header.
public enum LedgerOperation : byte
#pragma warning restore CA1028
{
    /// <summary>Not an operation (never written).</summary>
    None = 0,

    /// <summary>A batch of <see cref="Account"/> events.</summary>
    CreateAccounts = 1,

    /// <summary>A batch of <see cref="Transfer"/> events.</summary>
    CreateTransfers = 2,
}
