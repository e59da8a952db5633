namespace LedgerCore;

/// <summary>
/// One durable batch as the change feed (<see cref="LedgerEngine.ReadCommittedAsync"/>) delivers it: the
/// events exactly as journaled, with the sequence, timestamp and fencing token the sequencer gave them.
/// Replaying these through a <see cref="LedgerStateMachine"/> in order rebuilds the ledger; a read
/// model that wants outcomes (balances, expiries) rather than requests reads <see cref="LedgerEngine.ReadChangeEventsAsync"/> instead.
/// </summary>
/// <param name="Sequence">Position in the journal, from 1, without gaps.</param>
/// <param name="Timestamp">The batch timestamp (ns); event i of n has <c>Timestamp - n + i + 1</c> unless imported, or later when expiries released first took those stamps (<see cref="LedgerStateMachine.GetChangeEvents"/>).</param>
/// <param name="FencingToken">The epoch of the writer that journaled it.</param>
/// <param name="Operation">Which of <paramref name="Accounts"/> or <paramref name="Transfers"/> holds the events.</param>
/// <param name="Accounts">The events of a <see cref="LedgerOperation.CreateAccounts"/> batch; empty otherwise.</param>
/// <param name="Transfers">The events of a <see cref="LedgerOperation.CreateTransfers"/> batch; empty otherwise.</param>
public sealed record CommittedBatch(
    long Sequence,
    ulong Timestamp,
    ulong FencingToken,
    LedgerOperation Operation,
    ReadOnlyMemory<Account> Accounts,
    ReadOnlyMemory<Transfer> Transfers);
