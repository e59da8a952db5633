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
        int leaderIndex = await cluster.WaitForLeaderAsync();
        ClusterLedger leader = cluster.Replicas[leaderIndex]!;
        Assert.That(await leader.CreateAccountsAsync(Accounts(1, 10)), Is.Empty);
        for (int i = 0; i < 10; i++) Assert.That(await leader.CreateTransfersAsync(Transfers(100 + ((ulong)i * 5), 5)), Is.Empty);

        // The joiner starts with no members: it waits, without voting, for the leader to add it.
        string directory = Directory.CreateTempSubdirectory("ledgercore-cluster-joiner-").FullName;
        IPEndPoint endpoint = TestCluster.FreeEndpoint();
        ClusterLedger? joiner = await ClusterLedger.StartAsync(new ClusterOptions { EndPoint = endpoint, Members = [], DataDirectory = directory, LedgerId = TestCluster.LedgerId });
        try
        {
            ClusterLedger follower = cluster.Replicas[(leaderIndex + 1) % 3]!;
            Assert.That(async () => await follower.AddMemberAsync(endpoint), Throws.InstanceOf<NotLeaderException>(), "leader only");

            var clock = Stopwatch.StartNew();
            Assert.That(await leader.AddMemberAsync(endpoint), Is.True);
            TestContext.Out.WriteLine($"member added in {clock.ElapsedMilliseconds} ms");
            Assert.That(await leader.CreateTransfersAsync(Transfers(200, 5)), Is.Empty);
            await cluster.WaitForAppliedAsync(leader.AppliedSequence);
            await WaitUntilAsync(() => joiner.AppliedSequence >= leader.AppliedSequence);
            Assert.That(joiner.LeaderEndpoint, Is.EqualTo(cluster.Endpoints[leaderIndex]));
            Assert.That(await joiner.ComputeDigestAsync(), Is.EqualTo(await leader.ComputeDigestAsync()), "the new replica holds the same ledger");
            Assert.That(joiner.Adapter.SnapshotsInstalled, Is.GreaterThan(0), "the log was compacted: it caught up from a snapshot, then the log");

            // Remove it, stop it, and stop one more follower: two of three is a majority only if it is no longer a member.
            Assert.That(await leader.RemoveMemberAsync(endpoint), Is.True);
            await joiner.DisposeAsync();
            joiner = null;
            await cluster.StopAsync((leaderIndex + 1) % 3);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            Assert.That(await leader.CreateTransfersAsync(Transfers(300, 5), timeout.Token), Is.Empty, "committed by the leader and one follower");
            Assert.That(leader.IsLeader, Is.True);
        }
        finally
        {
            if (joiner is not null) await joiner.DisposeAsync();
            Directory.Delete(directory, recursive: true);
        }
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
