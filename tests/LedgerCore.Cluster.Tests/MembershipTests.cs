using System.Diagnostics;
using System.Net;
using NUnit.Framework;
using static LedgerCore.Cluster.Tests.ReplicationTests;

namespace LedgerCore.Cluster.Tests;

[TestFixture]
[NonParallelizable]
public sealed class MembershipTests
{
    [Test]
    public async Task A_fourth_replica_added_on_the_leader_catches_up_and_once_removed_the_majority_is_two_of_three_again()
    {
        await using var cluster = new TestCluster(snapshotIntervalEvents: 30);
        await cluster.StartAllAsync();
        await cluster.WaitForLeaderAsync();
        // Writes and membership changes go to the leader of the moment and are retried there on NotLeaderException
        // (TestCluster.OnLeaderAsync): under load an election can end a leader's term at any point of this test.
        Assert.That(await cluster.CreateAccountsAsync(Accounts(1, 10)), Is.Empty);
        for (int i = 0; i < 10; i++) Assert.That(await cluster.CreateTransfersAsync(Transfers(100 + ((ulong)i * 5), 5)), Is.Empty);

        // The joiner starts with no members: it waits, without voting, for the leader to add it.
        string directory = Directory.CreateTempSubdirectory("ledgercore-cluster-joiner-").FullName;
        IPEndPoint endpoint = TestCluster.FreeEndpoint();
        ClusterLedger? joiner = await ClusterLedger.StartAsync(new ClusterOptions { EndPoint = endpoint, Members = [], DataDirectory = directory, LedgerId = TestCluster.LedgerId });
        cluster.Joiners.Add(joiner);
        try
        {
            ClusterLedger follower = cluster.Running.First(r => !r.IsLeader);
            Assert.That(async () => await follower.AddMemberAsync(endpoint), Throws.InstanceOf<NotLeaderException>(), "leader only");

            var clock = Stopwatch.StartNew();
            (bool added, int tries, _) = await cluster.OnLeaderAsync((leader, token) => leader.AddMemberAsync(endpoint, token));
            TestContext.Out.WriteLine($"member added in {clock.ElapsedMilliseconds} ms ({tries} tries, the last answered {added})");
            // After a NotLeaderException (outcome unknown) the next leader answers false when its configuration already
            // names the joiner (DotNext's AddMemberAsync), or when the warm-up failed: the joiner applying the next write
            // and, below, the majority counted with it until it is removed, are what prove the membership.
            if (tries == 1) Assert.That(added, Is.True, "a change answered on its first try is committed");
            Assert.That(await cluster.CreateTransfersAsync(Transfers(200, 5)), Is.Empty);
            long applied = cluster.Running.Append(joiner).Max(r => r.AppliedSequence);
            await cluster.WaitForAppliedAsync(applied);
            await WaitUntilAsync(() => joiner.AppliedSequence >= applied);
            await WaitUntilAsync(() => FollowsTheLeader(cluster, joiner, endpoint));
            UInt128 digest = await joiner.ComputeDigestAsync();
            foreach (ClusterLedger replica in cluster.Running) Assert.That(await replica.ComputeDigestAsync(), Is.EqualTo(digest), "the new replica holds the same ledger");
            Assert.That(joiner.Adapter.SnapshotsInstalled, Is.GreaterThan(0), "the log was compacted: it caught up from a snapshot, then the log");

            // Remove it, stop it, and stop one more replica: two of three is a majority only if it is no longer a member.
            // It votes since it was added, and may have won an election since: a leader is retired by stopping it
            // first and removing it on the next leader (RemoveMemberAsync), so a try that finds it leading does that.
            (bool removed, tries, _) = await cluster.OnLeaderAsync(async (leader, token) =>
            {
                if (leader == joiner)
                {
                    cluster.Joiners.Remove(joiner);
                    await joiner.DisposeAsync();
                    joiner = null;
                    throw new NotLeaderException("The replica to remove was leading: stopped, to be removed on the next leader.");
                }

                return await leader.RemoveMemberAsync(endpoint, token);
            });
            TestContext.Out.WriteLine($"member removed ({tries} tries, the last answered {removed}, {(joiner is null ? "stopped first: it led" : "removed running")})");
            // As for the addition: a retried removal answers false when the configuration no longer names it; the 2-of-3 write decides.
            if (tries == 1) Assert.That(removed, Is.True, "a change answered on its first try is committed");
            if (joiner is not null)
            {
                cluster.Joiners.Remove(joiner);
                await joiner.DisposeAsync();
                joiner = null;
            }

            ClusterLedger current = await cluster.WaitForLeaderReplicaAsync();
            await cluster.StopAsync(Array.FindIndex(cluster.Replicas, r => r is not null && r != current));
            Assert.That(await cluster.CreateTransfersAsync(Transfers(300, 5)), Is.Empty, "committed by the leader and one follower");
            // Two of three keep a leader; two of four could not.
            await cluster.WaitForLeaderReplicaAsync();
        }
        finally
        {
            if (joiner is not null)
            {
                cluster.Joiners.Remove(joiner);
                await joiner.DisposeAsync();
            }

            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>The joiner names the replica that leads now (the first three's or, once it won an election, itself).</summary>
    private static bool FollowsTheLeader(TestCluster cluster, ClusterLedger joiner, IPEndPoint endpoint)
    {
        ClusterLedger? leading = cluster.Running.Append(joiner).FirstOrDefault(r => r.IsLeader);
        if (leading is null || joiner.LeaderEndpoint is not { } named) return false;
        return named.Equals(leading == joiner ? endpoint : cluster.Endpoints[Array.IndexOf(cluster.Replicas, leading)]);
    }

    [Test]
    public void Members_that_do_not_include_the_replica_itself_are_refused()
    {
        var options = new ClusterOptions
        {
            EndPoint = new IPEndPoint(IPAddress.Loopback, 5001),
            Members = [new IPEndPoint(IPAddress.Loopback, 5002), new IPEndPoint(IPAddress.Loopback, 5003)],
            DataDirectory = "unused",
            LedgerId = 1,
        };
        Assert.That(options.Validate, Throws.ArgumentException.With.Message.Contains("Members"));
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
