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
/// To give a follower that answers before its fsync no place to hide, the survivor is paused (SIGSTOP)
/// for a stretch before the kill, so every acknowledgement in that stretch counted the follower that is
/// killed; and the follower dies first, so the leader may still acknowledge what the follower's last
/// reply covered.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class ProcessMajorityLossTests
{
    private const int Cycles = 3;
    private static readonly TimeSpan Alone = TimeSpan.FromSeconds(2.5);

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
        TestContext.Out.WriteLine($"seed {seed}");

        using var stop = new CancellationTokenSource();
        Task load = workload.RunAsync(TimeSpan.FromMinutes(2), stop.Token);
        var alone = new List<(TimeSpan From, TimeSpan To)>();
        try
        {
            for (int cycle = 0; cycle < Cycles; cycle++)
            {
                var clock = Stopwatch.StartNew();
                await Task.Delay(random.Next(500, 1000));
                int leader = await cluster.WaitForLeaderAsync();
                int follower = (leader + 1 + random.Next(2)) % 3;
                int survivor = 3 - leader - follower;
                cluster.Replicas[survivor]!.Signal("STOP");
                try
                {
                    await Task.Delay(random.Next(300, 700));
                    cluster.Kill(follower, leader);
                }
                finally
                {
                    cluster.Replicas[survivor]!.Signal("CONT");
                }

                TimeSpan killedAt = history.Now;
                int acknowledged = history.Operations.Count(o => o.Outcome == Outcome.Ok);

                // Alone for longer than the longest election timeout: it stands for election and must not win.
                await Task.Delay(Alone);
                ReplicaStatus status = await cluster.StatusAsync(survivor);
                Assert.That(status.IsLeader, Is.False, "a replica alone cannot lead");
                TimeSpan restartedAt = history.Now;
                alone.Add((killedAt, restartedAt));
                int refused = history.Operations.Count(o => o.Invoked > killedAt && o.Invoked < restartedAt);

                await cluster.StartAsync(follower);
                int next = await cluster.WaitForLeaderAsync(not: leader);
                await ProcessFailoverTests.WaitUntilAsync(() => history.Operations.Any(o => o.Outcome == Outcome.Ok && o.Invoked > restartedAt), "a write acknowledged after the restart");
                await cluster.StartAsync(leader);
                await ProcessFailoverTests.WaitForAppliedAsync(cluster, leader, (await cluster.StatusAsync(next)).AppliedSequence);
                TestContext.Out.WriteLine($"cycle {cycle}: killed follower {follower} and leader {leader} after {acknowledged} acknowledged writes; survivor {survivor} refused {refused} writes alone (term {status.Term}); replica {next} led without the old leader; all back in {clock.ElapsedMilliseconds} ms");
            }
        }
        finally
        {
            await stop.CancelAsync();
            await load.WaitAsync(TimeSpan.FromSeconds(30));
        }

        List<Operation> aloneOks = history.Operations.Where(o => o.Outcome == Outcome.Ok && alone.Any(a => o.Invoked > a.From && o.Invoked < a.To)).ToList();
        Assert.That(aloneOks, Is.Empty, "nothing is acknowledged by a minority");
        (List<string> violations, string stats) = await HistoryChecker.CheckAsync(cluster, history);
        TestContext.Out.WriteLine($"{stats}; {Cycles} cycles in {total.ElapsedMilliseconds} ms");
        Assert.That(violations, Is.Empty, cluster.Describe());
    }
}
