using NUnit.Framework;
using System.Diagnostics;
using LedgerCore.Cluster;

namespace LedgerCore.Cluster.Tests;

[TestFixture]
[NonParallelizable]
public sealed class ReplicationTests
{
    private const uint Ledger = 1;
    private const ushort Code = 1;

    [Test]
    public async Task Writes_on_the_leader_are_applied_on_every_replica_with_equal_digests()
    {
        await using var cluster = new TestCluster();
        var clock = Stopwatch.StartNew();
        await cluster.StartAllAsync();
        ClusterLedger leader = cluster.Replicas[await cluster.WaitForLeaderAsync()]!;
        TestContext.Out.WriteLine($"first leader after {clock.ElapsedMilliseconds} ms, term {leader.Term}");

        Assert.That(await leader.CreateAccountsAsync(Accounts(1, 10)), Is.Empty);
        for (int i = 0; i < 20; i++)
        {
            Assert.That(await leader.CreateTransfersAsync(Transfers(1000 + ((ulong)i * 5), 5)), Is.Empty);
        }

        await cluster.WaitForAppliedAsync(leader.AppliedSequence);
        UInt128 digest = await leader.ComputeDigestAsync();
        foreach (ClusterLedger replica in cluster.Running)
        {
            Assert.That(await replica.ComputeDigestAsync(), Is.EqualTo(digest));
            Account[] accounts = await replica.LookupAccountsAsync(new UInt128[] { 1 });
            Assert.That(accounts[0].DebitsPosted, Is.EqualTo((UInt128)(20 * 5 * 100)), "20 writes of 5 transfers of 100, all from account 1");
        }
    }

    [Test]
    public async Task A_write_on_a_follower_throws_NotLeaderException_naming_the_leader()
    {
        await using var cluster = new TestCluster();
        await cluster.StartAllAsync();
        int leaderIndex = await cluster.WaitForLeaderAsync();
        ClusterLedger follower = cluster.Replicas[(leaderIndex + 1) % 3]!;
        await WaitUntilAsync(() => follower.LeaderEndpoint is not null);

        NotLeaderException? error = await Assert.ThrowsAsync<NotLeaderException>(() => follower.CreateAccountsAsync(Accounts(1, 1)));
        Assert.That(error!.LeaderEndpoint, Is.EqualTo(cluster.Endpoints[leaderIndex]));
        Assert.That(error, Is.InstanceOf<IOException>(), "an unknown outcome, as ILedger documents IOException");
        Assert.That(follower.IsLeader, Is.False);
    }

    [Test]
    public async Task After_the_leader_stops_a_new_one_takes_writes_retries_answer_Exists_and_the_restarted_replica_catches_up()
    {
        // Small snapshot interval: snapshots are taken and the log compacted while the replica is away.
        await using var cluster = new TestCluster(snapshotIntervalEvents: 40);
        await cluster.StartAllAsync();
        int first = await cluster.WaitForLeaderAsync();
        ClusterLedger leader = cluster.Replicas[first]!;
        Assert.That(await leader.CreateAccountsAsync(Accounts(1, 10)), Is.Empty);
        Transfer[] before = Transfers(1000, 20);
        Assert.That(await leader.CreateTransfersAsync(before), Is.Empty);
        long term = leader.Term;

        var clock = Stopwatch.StartNew();
        await cluster.StopAsync(first);
        int second = await cluster.WaitForLeaderAsync();
        TestContext.Out.WriteLine($"new leader {second} after {clock.ElapsedMilliseconds} ms (term {term} -> {cluster.Replicas[second]!.Term})");
        ClusterLedger next = cluster.Replicas[second]!;
        Assert.That(second, Is.Not.EqualTo(first));
        Assert.That(next.Term, Is.GreaterThan(term));

        // The same ids again: applied before the failover, so every one answers Exists.
        CreateTransfersResult[] retried = await next.CreateTransfersAsync(before);
        Assert.That(retried, Has.Length.EqualTo(before.Length));
        Assert.That(retried.Select(r => r.Result), Is.All.EqualTo(CreateTransferResult.Exists));
        for (int i = 0; i < 10; i++)
        {
            Assert.That(await next.CreateTransfersAsync(Transfers(2000 + ((ulong)i * 10), 10)), Is.Empty);
        }

        await cluster.StartAsync(first);
        await cluster.WaitForAppliedAsync(next.AppliedSequence);
        UInt128 digest = await next.ComputeDigestAsync();
        foreach (ClusterLedger replica in cluster.Running)
        {
            Assert.That(await replica.ComputeDigestAsync(), Is.EqualTo(digest));
        }

        Assert.That(next.Adapter.SnapshotsTaken, Is.GreaterThan(0), "snapshots were taken at the interval");
        // It was away for 100 events, more than two intervals: the leader sent a snapshot, not only log.
        Assert.That(cluster.Replicas[first]!.Adapter.SnapshotsInstalled, Is.GreaterThan(0), "the restarted replica installed the leader's snapshot");
    }

    [Test]
    public async Task Follower_replies_never_go_out_with_unflushed_entries()
    {
        await using var cluster = new TestCluster();
        await cluster.StartAllAsync();
        ClusterLedger leader = cluster.Replicas[await cluster.WaitForLeaderAsync()]!;
        Assert.That(await leader.CreateAccountsAsync(Accounts(1, 10)), Is.Empty);

        // Concurrent small writes: many AppendEntries rounds, each followed by more appends on the leader.
        var clock = Stopwatch.StartNew();
        const int Writers = 8;
        const int WritesEach = 60;
        await Task.WhenAll(Enumerable.Range(0, Writers).Select(async w =>
        {
            for (int i = 0; i < WritesEach; i++)
            {
                Assert.That(await leader.CreateTransfersAsync(Transfers(10_000 + ((ulong)((w * WritesEach) + i) * 4), 4)), Is.Empty);
            }
        }));
        TestContext.Out.WriteLine($"{Writers * WritesEach} writes of 4 transfers in {clock.ElapsedMilliseconds} ms");

        long replies = 0;
        long unflushed = 0;
        foreach (ClusterLedger replica in cluster.Running)
        {
            if (replica == leader) continue;
            replies += replica.Log.AppendReplies;
            unflushed += replica.Log.RepliesWithUnflushedEntries;
        }

        TestContext.Out.WriteLine($"follower AppendEntries replies: {replies}, with unflushed entries: {unflushed}");
        Assert.That(replies, Is.GreaterThan(50), "the follower append path goes through DurableWriteAheadLog");
        Assert.That(unflushed, Is.Zero);
    }

    internal static Account[] Accounts(ulong firstId, int count)
    {
        var accounts = new Account[count];
        for (int i = 0; i < count; i++) accounts[i] = new Account { Id = firstId + (ulong)i, Ledger = Ledger, Code = Code };
        return accounts;
    }

    /// <summary>Transfers of 100 from account 1 to accounts 2..10 in turn.</summary>
    internal static Transfer[] Transfers(ulong firstId, int count)
    {
        var transfers = new Transfer[count];
        for (int i = 0; i < count; i++)
        {
            transfers[i] = new Transfer { Id = firstId + (ulong)i, DebitAccountId = 1, CreditAccountId = 2 + ((firstId + (ulong)i) % 9), Amount = 100, Ledger = Ledger, Code = Code };
        }

        return transfers;
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > TestCluster.Patience) throw new TimeoutException("Condition not met in time.");
            await Task.Delay(20);
        }
    }
}
