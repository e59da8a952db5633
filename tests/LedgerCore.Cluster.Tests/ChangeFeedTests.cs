using NUnit.Framework;
using static LedgerCore.Cluster.Tests.ReplicationTests;

namespace LedgerCore.Cluster.Tests;

[TestFixture]
[NonParallelizable]
public sealed class ChangeFeedTests
{
    [Test]
    public async Task A_follower_feed_delivers_every_applied_batch_in_order_then_live_and_ends_when_disposed()
    {
        await using var cluster = new TestCluster();
        await cluster.StartAllAsync();
        int leaderIndex = await cluster.WaitForLeaderAsync();
        ClusterLedger leader = cluster.Replicas[leaderIndex]!;
        int followerIndex = (leaderIndex + 1) % 3;
        ClusterLedger follower = cluster.Replicas[followerIndex]!;

        Assert.That(await leader.CreateAccountsAsync(Accounts(1, 10)), Is.Empty);
        for (int i = 0; i < 5; i++) Assert.That(await leader.CreateTransfersAsync(Transfers(100 + ((ulong)i * 3), 3)), Is.Empty);
        await cluster.WaitForAppliedAsync(leader.AppliedSequence);

        // Read the history, then stay on the feed while more is written (live).
        using var timeout = new CancellationTokenSource(TestCluster.Patience);
        var received = new List<CommittedBatch>();
        var reading = Task.Run(async () =>
        {
            await foreach (CommittedBatch batch in follower.ReadCommittedAsync(0, timeout.Token)) lock (received) received.Add(batch);
        });
        for (int i = 5; i < 10; i++) Assert.That(await leader.CreateTransfersAsync(Transfers(100 + ((ulong)i * 3), 3)), Is.Empty);
        long last = leader.AppliedSequence;
        await WaitUntilAsync(() => { lock (received) return received.Count > 0 && received[^1].Sequence >= last; });

        CommittedBatch[] batches;
        lock (received) batches = [.. received];
        Assert.That(batches.Select(b => b.Sequence), Is.EqualTo(Enumerable.Range(1, (int)last).Select(s => (long)s)), "every batch once, in order, from the first");
        Assert.That(batches[0].Operation, Is.EqualTo(LedgerOperation.CreateAccounts));
        Assert.That(batches[0].Accounts.ToArray().Select(a => a.Id), Is.EqualTo(Enumerable.Range(1, 10).Select(i => (UInt128)i)));
        Assert.That(batches.Skip(1).SelectMany(b => b.Transfers.ToArray()).Select(t => t.Id), Is.EqualTo(Enumerable.Range(0, 30).Select(i => (UInt128)(100 + i))));
        Assert.That(batches.Select(b => b.FencingToken), Is.All.EqualTo((ulong)leader.Term), "the fencing token is the leader's term");
        Assert.That(batches.Zip(batches.Skip(1)).All(p => p.Second.Timestamp > p.First.Timestamp), "timestamps rise");

        // From the middle: starts exactly there.
        var tail = new List<long>();
        await foreach (CommittedBatch batch in follower.ReadCommittedAsync(last - 2, timeout.Token))
        {
            tail.Add(batch.Sequence);
            if (batch.Sequence == last) break;
        }

        Assert.That(tail, Is.EqualTo(new[] { last - 2, last - 1, last }));

        await cluster.StopAsync(followerIndex);
        Assert.That(await Task.WhenAny(reading, Task.Delay(TestCluster.Patience)), Is.SameAs(reading), "disposing the replica ends its feed");
        await reading;
    }

    [Test]
    public async Task Change_events_are_equal_on_every_replica_and_a_follower_feed_delivers_them_live()
    {
        await using var cluster = new TestCluster();
        await cluster.StartAllAsync();
        int leaderIndex = await cluster.WaitForLeaderAsync();
        ClusterLedger leader = cluster.Replicas[leaderIndex]!;
        ClusterLedger follower = cluster.Replicas[(leaderIndex + 1) % 3]!;
        Assert.That(await leader.CreateAccountsAsync(Accounts(1, 10)), Is.Empty);
        Assert.That(await leader.CreateTransfersAsync(Transfers(100, 3)), Is.Empty);

        using var timeout = new CancellationTokenSource(TestCluster.Patience);
        var received = new List<ChangeEvent>();
        var reading = Task.Run(async () =>
        {
            await foreach (ChangeEvent e in follower.ReadChangeEventsAsync(0, timeout.Token)) lock (received) received.Add(e);
        });
        for (int i = 1; i < 5; i++) Assert.That(await leader.CreateTransfersAsync(Transfers(100 + ((ulong)i * 3), 3)), Is.Empty);
        await cluster.WaitForAppliedAsync(leader.AppliedSequence);
        await WaitUntilAsync(() => { lock (received) return received.Count >= 15; });

        ChangeEvent[] onLeader = await leader.GetChangeEventsAsync(new ChangeEventsFilter(0, 0, 100));
        Assert.That(onLeader.Select(e => e.Transfer.Id), Is.EqualTo(Enumerable.Range(0, 15).Select(i => (UInt128)(100 + i))));
        foreach (ClusterLedger replica in cluster.Running)
        {
            Assert.That(await replica.GetChangeEventsAsync(new ChangeEventsFilter(0, 0, 100)), Is.EqualTo(onLeader), "the same events, with the same accounts after each, everywhere");
        }

        lock (received) Assert.That(received, Is.EqualTo(onLeader), "the follower's live feed: each event once, in order");
        await cluster.StopAsync((leaderIndex + 1) % 3);
        Assert.That(await Task.WhenAny(reading, Task.Delay(TestCluster.Patience)), Is.SameAs(reading), "disposing the replica ends its feed");
        await reading;
    }

    [Test]
    public async Task The_feed_on_a_surviving_replica_has_no_gap_and_no_duplicate_across_a_leader_change()
    {
        await using var cluster = new TestCluster();
        await cluster.StartAllAsync();
        int first = await cluster.WaitForLeaderAsync();
        ClusterLedger leader = cluster.Replicas[first]!;
        Assert.That(await leader.CreateAccountsAsync(Accounts(1, 10)), Is.Empty);
        for (int i = 0; i < 10; i++) Assert.That(await leader.CreateTransfersAsync(Transfers(1000 + ((ulong)i * 4), 4)), Is.Empty);
        long firstTerm = leader.Term;

        using var timeout = new CancellationTokenSource(TestCluster.Patience * 2);
        var feeds = new Dictionary<int, List<CommittedBatch>>();
        var readers = new List<Task>();
        foreach (int i in Enumerable.Range(0, 3).Where(i => i != first))
        {
            var list = new List<CommittedBatch>();
            feeds[i] = list;
            ClusterLedger replica = cluster.Replicas[i]!;
            readers.Add(Task.Run(async () =>
            {
                await foreach (CommittedBatch batch in replica.ReadCommittedAsync(1, timeout.Token)) lock (list) list.Add(batch);
            }));
        }

        await cluster.StopAsync(first);
        int second = await cluster.WaitForLeaderAsync();
        ClusterLedger next = cluster.Replicas[second]!;
        for (int i = 10; i < 20; i++)
        {
            Transfer[] transfers = Transfers(1000 + ((ulong)i * 4), 4);
            CreateTransfersResult[] results = await next.CreateTransfersAsync(transfers);
            Assert.That(results, Is.Empty);
        }

        long last = next.AppliedSequence;
        await cluster.WaitForAppliedAsync(last);
        foreach ((int i, List<CommittedBatch> list) in feeds)
        {
            await WaitUntilAsync(() => { lock (list) return list.Count > 0 && list[^1].Sequence >= last; });
            CommittedBatch[] batches;
            lock (list) batches = [.. list];
            Assert.That(batches.Select(b => b.Sequence), Is.EqualTo(Enumerable.Range(1, (int)last).Select(s => (long)s)), $"replica {i}: gap-free, once each");
            Assert.That(batches.SelectMany(b => b.Transfers.ToArray()).Select(t => t.Id), Is.EqualTo(Enumerable.Range(0, 80).Select(k => (UInt128)(1000 + k))), $"replica {i}: every transfer once");
            Assert.That(batches.Zip(batches.Skip(1)).All(p => p.Second.Timestamp > p.First.Timestamp && p.Second.FencingToken >= p.First.FencingToken), $"replica {i}: timestamps rise, tokens never fall");
            Assert.That(batches[0].FencingToken, Is.EqualTo((ulong)firstTerm));
            Assert.That(batches[^1].FencingToken, Is.EqualTo((ulong)next.Term), "batches after the change carry the new leader's term");
        }

        await timeout.CancelAsync();
        foreach (Task reader in readers)
        {
            Assert.That(async () => await reader, Throws.InstanceOf<OperationCanceledException>());
        }
    }

    [Test]
    public async Task Sequences_behind_the_newest_snapshot_throw_InvalidOperationException_and_the_rest_are_served()
    {
        await using var cluster = new TestCluster(snapshotIntervalEvents: 20);
        await cluster.StartAllAsync();
        ClusterLedger leader = cluster.Replicas[await cluster.WaitForLeaderAsync()]!;
        Assert.That(await leader.CreateAccountsAsync(Accounts(1, 10)), Is.Empty);
        for (int i = 0; i < 8; i++) Assert.That(await leader.CreateTransfersAsync(Transfers(500 + ((ulong)i * 5), 5)), Is.Empty);
        await WaitUntilAsync(() => leader.Adapter.SnapshotsTaken > 0);
        long floor = leader.Adapter.Feed.Floor;
        Assert.That(floor, Is.GreaterThan(1));

        using var timeout = new CancellationTokenSource(TestCluster.Patience);
        Assert.That(async () =>
        {
            await foreach (CommittedBatch _ in leader.ReadCommittedAsync(1, timeout.Token)) { }
        }, Throws.InvalidOperationException);

        // 50 events at an interval of 20. A snapshot due while the previous one is still being written waits for
        // the next batch, so on a slow machine the newest can land on the last batch (CI saw floor 9 of 9): then
        // one-event batches (far below the interval) until a batch stands after the floor.
        for (int i = 0; i < 10 && leader.AppliedSequence <= leader.Adapter.Feed.Floor; i++)
        {
            Assert.That(await leader.CreateTransfersAsync(Transfers(900 + (ulong)i, 1)), Is.Empty);
        }

        floor = leader.Adapter.Feed.Floor;
        long last = leader.AppliedSequence;
        Assert.That(floor, Is.LessThan(last));
        var served = new List<long>();
        await foreach (CommittedBatch batch in leader.ReadCommittedAsync(floor + 1, timeout.Token))
        {
            served.Add(batch.Sequence);
            if (batch.Sequence == last) break;
        }

        Assert.That(served, Is.EqualTo(Enumerable.Range((int)floor + 1, (int)(last - floor)).Select(s => (long)s)));
        Assert.That(async () =>
        {
            await foreach (CommittedBatch _ in leader.ReadCommittedAsync(-1, timeout.Token)) { }
        }, Throws.InstanceOf<ArgumentOutOfRangeException>());
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > TestCluster.Patience) throw new TimeoutException("Condition not met in time.");
            await Task.Delay(20);
        }
    }
}
