namespace LedgerCore;

/// <summary>The failure of event <paramref name="Index"/> of a create-transfers batch.</summary>
/// <param name="Index">Zero-based position of the event in its batch.</param>
/// <param name="Result">Why it failed (never <see cref="CreateTransferResult.Ok"/>).</param>
public readonly record struct CreateTransfersResult(int Index, CreateTransferResult Result);
