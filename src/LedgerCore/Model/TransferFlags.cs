namespace LedgerCore;

/// <summary>Transfer flags, with the reference's bit values.</summary>
[Flags]
#pragma warning disable CA1028 // The reference's wire layout is 16 bits.
public enum TransferFlags : ushort
#pragma warning restore CA1028
{
    /// <summary>No flag: a single-phase transfer.</summary>
    None = 0,

    /// <summary>Links this event with the next one in the batch: the chain succeeds or fails as a whole.</summary>
    Linked = 1,

    /// <summary>Reserve the amount (phase one of a two-phase transfer).</summary>
    Pending = 2,

    /// <summary>Post (all or part of) the pending transfer named by <see cref="Transfer.PendingId"/>.</summary>
    PostPendingTransfer = 4,

    /// <summary>Void the pending transfer named by <see cref="Transfer.PendingId"/>.</summary>
    VoidPendingTransfer = 8,

    /// <summary>Debit at most what the debit account's limit allows; <see cref="Transfer.Amount"/> is the maximum.</summary>
    BalancingDebit = 16,

    /// <summary>Credit at most what the credit account's limit allows; <see cref="Transfer.Amount"/> is the maximum.</summary>
    BalancingCredit = 32,

    /// <summary>A pending transfer that closes the debit account.</summary>
    ClosingDebit = 64,

    /// <summary>A pending transfer that closes the credit account.</summary>
    ClosingCredit = 128,

    /// <summary>The transfer carries a user-supplied timestamp (data migration).</summary>
    Imported = 256,
}
