using System.Diagnostics;
using LedgerCore.Cluster.Tests.Processes;
using NUnit.Framework;

namespace LedgerCore.Cluster.Tests;

/// <summary>
/// Issue 11, test 2: under load, SIGKILL the leader and a follower at the same moment. The survivor
/// alone acknowledges nothing. The follower restarts first, so the two replicas that were not the leader
/// elect one of themselves: every batch acknowledged before the kill must be in their logs (an
/// acknowledgement needs the batch fsynced on the leader and one follower), not only in the old
/// leader's. Then the old leader restarts and the history is checked.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class ProcessMajorityLossTests
{
    private static readonly TimeSpan Alone = TimeSpan.FromSeconds(3);

    [Test]
    public async Task Leader_and_follower_SIGKILLed_together_the_survivor_acknowledges_nothing_and_no_acknowledged_batch_is_lost()
    {
        var total = Stopwatch.StartNew();
        int seed = TestContext.CurrentContext.Random.Next(1, 1 << 20);
        var random = new Random(seed);
        await using var cluster = new ProcessCluster();
        await cluster.StartAllAsync();
        await cluster.WaitForLeaderAsync();
        var history = new History();
        var workload = new Workload(cluster, history, clients: 4, maxBatch: 8, seed);
        await workload.CreateAccountsAsync();

        using var stop = new CancellationTokenSource();
        Task load = workload.RunAsync(TimeSpan.FromMinutes(2), stop.Token);
        TimeSpan killedAt, restartedAt;
        int leader, follower, survivor;
        try
        {
            await Task.Delay(random.Next(1000, 2000));
            leader = await cluster.WaitForLeaderAsync();
            follower = (leader + 1 + random.Next(2)) % 3;
            survivor = 3 - leader - follower;
            cluster.Kill(leader, follower);
            killedAt = history.Now;
            int acknowledged = history.Operations.Count(o => o.Outcome == Outcome.Ok);

            // Alone for longer than the longest election timeout: it stands for election and must not win.
            await Task.Delay(Alone);
            ReplicaStatus alone = await cluster.StatusAsync(survivor);
            Assert.That(alone.IsLeader, Is.False, "a replica alone cannot lead");
            restartedAt = history.Now;
            int refused = history.Operations.Count(o => o.Invoked > killedAt && o.Invoked < restartedAt);
            TestContext.Out.WriteLine($"seed {seed}: killed leader {leader} and follower {follower} after {acknowledged} acknowledged writes; survivor {survivor} refused {refused} writes while alone (term {alone.Term})");

            await cluster.StartAsync(follower);
            int next = await cluster.WaitForLeaderAsync(not: leader);
            TestContext.Out.WriteLine($"replica {next} leads without the old leader");
            await ProcessFailoverTests.WaitUntilAsync(() => history.Operations.Any(o => o.Outcome == Outcome.Ok && o.Invoked > restartedAt), "a write acknowledged after the restart");
            await cluster.StartAsync(leader);
        }
        finally
        {
            await stop.CancelAsync();
            await load.WaitAsync(TimeSpan.FromSeconds(30));
        }

        List<Operation> aloneOks = history.Operations.Where(o => o.Outcome == Outcome.Ok && o.Invoked > killedAt && o.Invoked < restartedAt).ToList();
        Assert.That(aloneOks, Is.Empty, "nothing is acknowledged by a minority");
        (List<string> violations, string stats) = await HistoryChecker.CheckAsync(cluster, history);
        TestContext.Out.WriteLine($"{stats}; in {total.ElapsedMilliseconds} ms");
        Assert.That(violations, Is.Empty, cluster.Describe());
    }
}
