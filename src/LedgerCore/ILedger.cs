namespace LedgerCore;

/// <summary>
/// One API for one node or many: what a host writes and reads through, whether it holds a
/// <see cref="LedgerEngine"/> (one machine) or a replica of a replicated ledger. The TCP server, the
/// hosting extensions and the health check work with this interface, so a service changes how its
/// ledger is made, never how it is used.
/// </summary>
/// <remarks>
/// <para>Every implementation keeps the engine's promises: a create completes only after its batch is
/// durable (on a replicated ledger: fsynced on a majority) and applied; a create that fails with an
/// <see cref="IOException"/> has an unknown outcome and is safe to resubmit with the same ids
/// (creation is idempotent: <c>Exists</c>); a read sees every write completed before it was called.</para>
/// <para>A replica of a replicated ledger that is not the leader refuses creates with
/// <see cref="NotLeaderException"/>, an <see cref="IOException"/> naming the leader when it knows one:
/// refused on arrival nothing was applied, but a write in flight when its leader was deposed has an
/// unknown outcome (the next leader may still commit it). Either way resubmit the same ids to the
/// leader. A single-node <see cref="LedgerEngine"/> never throws it.</para>
/// <para>Implementations are thread-safe.</para>
/// </remarks>
public interface ILedger : IAsyncDisposable
{
    /// <summary>The ledger's identity, fixed when it was created (the same on every replica).</summary>
    UInt128 LedgerId { get; }

    /// <summary>The most events one create call accepts (the configured limit in force, at most <see cref="LedgerStateMachine.BatchEventsMax"/>).</summary>
    int MaxBatchSize { get; }

    /// <summary>The sequence of the last batch known durable (0 before the first).</summary>
    long CommittedSequence { get; }

    /// <summary>The error that stopped the ledger accepting writes, or null while it accepts them.</summary>
    Exception? Fault { get; }

    /// <summary>Creates accounts durably; see <see cref="LedgerStateMachine.CreateAccounts"/> for the rules.</summary>
    /// <returns>The events that failed, ordered by index (indexes into <paramref name="accounts"/>).</returns>
    /// <exception cref="ArgumentException">More than <see cref="MaxBatchSize"/> events.</exception>
    /// <exception cref="LedgerFaultedException">The ledger faulted earlier.</exception>
    /// <exception cref="NotLeaderException">A replica that is not the leader (or was deposed while the write was in flight: outcome unknown); resubmit the same ids to the leader it names.</exception>
    /// <exception cref="IOException">The write failed: the outcome is unknown.</exception>
    /// <exception cref="ObjectDisposedException">The ledger is disposed.</exception>
    /// <exception cref="OperationCanceledException">Cancelled while waiting.</exception>
    Task<CreateAccountsResult[]> CreateAccountsAsync(ReadOnlyMemory<Account> accounts, CancellationToken cancellationToken = default);

    /// <summary>Creates transfers durably; see <see cref="LedgerStateMachine.CreateTransfers"/> for the rules.</summary>
    /// <returns>The events that failed, ordered by index (indexes into <paramref name="transfers"/>).</returns>
    /// <exception cref="ArgumentException">More than <see cref="MaxBatchSize"/> events.</exception>
    /// <exception cref="LedgerFaultedException">The ledger faulted earlier.</exception>
    /// <exception cref="NotLeaderException">A replica that is not the leader (or was deposed while the write was in flight: outcome unknown); resubmit the same ids to the leader it names.</exception>
    /// <exception cref="IOException">The write failed: the outcome is unknown.</exception>
    /// <exception cref="ObjectDisposedException">The ledger is disposed.</exception>
    /// <exception cref="OperationCanceledException">Cancelled while waiting.</exception>
    Task<CreateTransfersResult[]> CreateTransfersAsync(ReadOnlyMemory<Transfer> transfers, CancellationToken cancellationToken = default);

    /// <summary>The accounts with these ids that exist, in request order.</summary>
    /// <exception cref="ArgumentException">More than <see cref="LedgerStateMachine.BatchEventsMax"/> ids.</exception>
    Task<Account[]> LookupAccountsAsync(ReadOnlyMemory<UInt128> ids, CancellationToken cancellationToken = default);

    /// <summary>The transfers with these ids that exist, in request order.</summary>
    /// <exception cref="ArgumentException">More than <see cref="LedgerStateMachine.BatchEventsMax"/> ids.</exception>
    Task<Transfer[]> LookupTransfersAsync(ReadOnlyMemory<UInt128> ids, CancellationToken cancellationToken = default);

    /// <summary>See <see cref="LedgerStateMachine.GetAccountTransfers"/>.</summary>
    Task<Transfer[]> GetAccountTransfersAsync(AccountFilter filter, CancellationToken cancellationToken = default);

    /// <summary>See <see cref="LedgerStateMachine.GetAccountBalances"/>.</summary>
    Task<AccountBalance[]> GetAccountBalancesAsync(AccountFilter filter, CancellationToken cancellationToken = default);

    /// <summary>See <see cref="LedgerStateMachine.QueryAccounts"/>.</summary>
    Task<Account[]> QueryAccountsAsync(QueryFilter filter, CancellationToken cancellationToken = default);

    /// <summary>See <see cref="LedgerStateMachine.QueryTransfers"/>.</summary>
    Task<Transfer[]> QueryTransfersAsync(QueryFilter filter, CancellationToken cancellationToken = default);

    /// <summary>See <see cref="LedgerStateMachine.GetChangeEvents"/>: transfers and expiries in timestamp order, each with both accounts as they stood right after it.</summary>
    Task<ChangeEvent[]> GetChangeEventsAsync(ChangeEventsFilter filter, CancellationToken cancellationToken = default);

    /// <summary>The state machine's digest (<see cref="LedgerStateMachine.ComputeDigest"/>): equal on every
    /// replica, and after any replay of the same batches.</summary>
    Task<UInt128> ComputeDigestAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// The change feed of submitted batches: every committed batch the state machine applied, from
    /// <paramref name="fromSequence"/> on, in order and once each, then live, until cancelled or disposed.
    /// </summary>
    /// <exception cref="InvalidOperationException">The requested sequences were compacted away.</exception>
    IAsyncEnumerable<CommittedBatch> ReadCommittedAsync(long fromSequence, CancellationToken cancellationToken = default);

    /// <summary>
    /// The feed of outcomes: every change event with a timestamp at or after <paramref name="timestampMin"/>,
    /// in timestamp order and once each (expiries included), then live as batches are applied, until
    /// cancelled or disposed. To resume, pass one past the last timestamp seen.
    /// </summary>
    IAsyncEnumerable<ChangeEvent> ReadChangeEventsAsync(ulong timestampMin, CancellationToken cancellationToken = default);
}
