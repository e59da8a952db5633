namespace LedgerCore;

/// <summary>What a <see cref="ChangeEvent"/> did; the values are the reference's (<c>ChangeEventType</c>).</summary>
public enum ChangeEventType : byte
{
    /// <summary>A transfer without <see cref="TransferFlags.Pending"/>, <see cref="TransferFlags.PostPendingTransfer"/> or <see cref="TransferFlags.VoidPendingTransfer"/> moved posted amounts.</summary>
    SinglePhase = 0,

    /// <summary>A <see cref="TransferFlags.Pending"/> transfer reserved its amount.</summary>
    TwoPhasePending = 1,

    /// <summary>A <see cref="TransferFlags.PostPendingTransfer"/> transfer posted (all or part of) a pending transfer.</summary>
    TwoPhasePosted = 2,

    /// <summary>A <see cref="TransferFlags.VoidPendingTransfer"/> transfer released a pending transfer.</summary>
    TwoPhaseVoided = 3,

    /// <summary>A pending transfer reached its timeout and was released; the event's transfer is the pending one.</summary>
    TwoPhaseExpired = 4,
}
