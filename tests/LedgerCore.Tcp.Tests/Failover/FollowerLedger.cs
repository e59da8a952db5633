using System.Net;

namespace LedgerCore.Tcp.Tests;

/// <summary>
/// Stands in for a replica that is not the leader: every operation throws <see cref="NotLeaderException"/>
/// naming <see cref="Leader"/> (its replication endpoint, or null during an election), as
/// LedgerCore.Cluster's ClusterLedger does, and counts the refusals. Its identity is the ledger it follows.
/// </summary>
internal sealed class FollowerLedger(UInt128 ledgerId) : ILedger
{
    private int _refusals;

    /// <summary>The leader's replication endpoint it names; null means it knows none.</summary>
    public EndPoint? Leader { get; set; }

    public int Refusals => Volatile.Read(ref _refusals);

    public UInt128 LedgerId => ledgerId;

    public int MaxBatchSize => LedgerStateMachine.BatchEventsMax;

    public long CommittedSequence => 0;

    public Exception? Fault => null;

    public Task<CreateAccountsResult[]> CreateAccountsAsync(ReadOnlyMemory<Account> accounts, CancellationToken cancellationToken = default) => Refuse<CreateAccountsResult[]>();

    public Task<CreateTransfersResult[]> CreateTransfersAsync(ReadOnlyMemory<Transfer> transfers, CancellationToken cancellationToken = default) => Refuse<CreateTransfersResult[]>();

    public Task<Account[]> LookupAccountsAsync(ReadOnlyMemory<UInt128> ids, CancellationToken cancellationToken = default) => Refuse<Account[]>();

    public Task<Transfer[]> LookupTransfersAsync(ReadOnlyMemory<UInt128> ids, CancellationToken cancellationToken = default) => Refuse<Transfer[]>();

    public Task<Transfer[]> GetAccountTransfersAsync(AccountFilter filter, CancellationToken cancellationToken = default) => Refuse<Transfer[]>();

    public Task<AccountBalance[]> GetAccountBalancesAsync(AccountFilter filter, CancellationToken cancellationToken = default) => Refuse<AccountBalance[]>();

    public Task<Account[]> QueryAccountsAsync(QueryFilter filter, CancellationToken cancellationToken = default) => Refuse<Account[]>();

    public Task<Transfer[]> QueryTransfersAsync(QueryFilter filter, CancellationToken cancellationToken = default) => Refuse<Transfer[]>();

    public Task<ChangeEvent[]> GetChangeEventsAsync(ChangeEventsFilter filter, CancellationToken cancellationToken = default) => Refuse<ChangeEvent[]>();

    public Task<UInt128> ComputeDigestAsync(CancellationToken cancellationToken = default) => Refuse<UInt128>();

    public IAsyncEnumerable<CommittedBatch> ReadCommittedAsync(long fromSequence, CancellationToken cancellationToken = default) => throw NotLeader();

    public IAsyncEnumerable<ChangeEvent> ReadChangeEventsAsync(ulong timestampMin, CancellationToken cancellationToken = default) => throw NotLeader();

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private Task<T> Refuse<T>()
    {
        Interlocked.Increment(ref _refusals);
        return Task.FromException<T>(NotLeader());
    }

    private NotLeaderException NotLeader() => new("This replica is not the leader (replication endpoint details stay on the server).", Leader);
}
