namespace LedgerCore.Load;

/// <summary>How a client sends one batch: the engine in process, or a TCP client.</summary>
internal delegate Task<CreateTransfersResult[]> Submit(ReadOnlyMemory<Transfer> transfers, CancellationToken cancellationToken);
