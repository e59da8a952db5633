using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NUnit.Framework;
using static LedgerCore.Cluster.Tests.ReplicationTests;

namespace LedgerCore.Cluster.Tests;

/// <summary><see cref="LedgerCoreClusterServiceCollectionExtensions.AddLedgerCoreCluster"/> in three generic hosts on loopback.</summary>
[TestFixture]
[NonParallelizable]
public sealed class HostingTests
{
    private string _root = null!;

    [SetUp]
    public void SetUp() => _root = Directory.CreateTempSubdirectory("ledgercore-cluster-hosting-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_root, recursive: true);

    [Test]
    public async Task Hosted_replicas_elect_report_health_meters_and_logs_and_survive_a_leader_stop()
    {
        IPEndPoint[] endpoints = [TestCluster.FreeEndpoint(), TestCluster.FreeEndpoint(), TestCluster.FreeEndpoint()];
        var logs = new EventLogger();
        var measurements = new ConcurrentQueue<(string Instrument, long Value, string Replica)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == ClusterDiagnostics.MeterName && instrument.Meter.Version == ClusterDiagnostics.MeterVersion) l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => measurements.Enqueue((instrument.Name, value, ReplicaOf(tags))));
        listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => measurements.Enqueue((instrument.Name, value, ReplicaOf(tags))));
        listener.Start();

        var hosts = new IHost?[3];
        try
        {
            for (int i = 0; i < 3; i++) hosts[i] = Build(endpoints, i, logs);
            var health = hosts.Select(h => h!.Services.GetRequiredService<ClusterHealthCheck>()).ToArray();
            Assert.That((await health[0].CheckHealthAsync(new HealthCheckContext())).Status, Is.EqualTo(HealthStatus.Unhealthy), "not started");
            Assert.Throws<InvalidOperationException>(() => hosts[0]!.Services.GetRequiredService<ClusterLedger>(), "resolving before start says why");

            await Task.WhenAll(hosts.Select(h => h!.StartAsync()));
            ClusterLedger[] replicas = hosts.Select(h => h!.Services.GetRequiredService<ClusterLedger>()).ToArray();
            Assert.That(hosts[0]!.Services.GetRequiredService<ILedger>(), Is.SameAs(replicas[0]));
            int leader = await WaitForLeaderAsync(replicas, except: -1);
            Assert.That(await replicas[leader].CreateAccountsAsync(Accounts(1, 10)), Is.Empty);
            await WaitUntilAsync(() => replicas.All(r => r.LeaderEndpoint is not null && r.AppliedSequence == 1 && r.ApplyLag == 0 && r.CommitLag == 0));

            for (int i = 0; i < 3; i++)
            {
                HealthCheckResult result = await health[i].CheckHealthAsync(new HealthCheckContext());
                Assert.That(result.Status, Is.EqualTo(HealthStatus.Healthy), result.Description);
                Assert.That(result.Data["role"], Is.EqualTo(i == leader ? "leader" : "follower"));
                Assert.That(result.Data["leader"], Is.EqualTo(endpoints[leader].ToString()));
                Assert.That(result.Data["term"], Is.EqualTo(replicas[leader].Term));
                Assert.That(result.Data["commitLag"], Is.EqualTo(0L));
                Assert.That(result.Data["applyLag"], Is.EqualTo(0L));
            }

            listener.RecordObservableInstruments();
            string leaderName = endpoints[leader].ToString();
            Assert.That(measurements.Where(m => m.Instrument == "ledgercore.cluster.leader" && m.Replica == leaderName).Select(m => m.Value), Has.Member(1L));
            Assert.That(measurements.Where(m => m.Instrument == "ledgercore.cluster.term").Select(m => m.Value), Has.Member(replicas[leader].Term));
            Assert.That(measurements.Where(m => m.Instrument == "ledgercore.cluster.apply.lag").Select(m => m.Replica).Distinct().Count(), Is.EqualTo(3), "one lag per replica");
            Assert.That(measurements.Where(m => m.Instrument == "ledgercore.cluster.commit.lag").Select(m => m.Replica).Distinct().Count(), Is.EqualTo(3));
            Assert.That(measurements.Count(m => m.Instrument == "ledgercore.cluster.leader.changes"), Is.GreaterThanOrEqualTo(2), "every replica saw a leader appear");
            Assert.That(logs.Events.Count(e => e.Event == "Leading"), Is.EqualTo(1));

            // Stop the leader's host: a survivor counts the change, logs it, and a new leader is elected.
            int changesBefore = measurements.Count(m => m.Instrument == "ledgercore.cluster.leader.changes");
            await hosts[leader]!.StopAsync();
            Assert.That((await health[leader].CheckHealthAsync(new HealthCheckContext())).Status, Is.EqualTo(HealthStatus.Unhealthy), "stopped");
            int next = await WaitForLeaderAsync(replicas, except: leader);
            Assert.That(await replicas[next].CreateTransfersAsync(Transfers(100, 5)), Is.Empty);
            Assert.That(measurements.Count(m => m.Instrument == "ledgercore.cluster.leader.changes"), Is.GreaterThan(changesBefore));
            Assert.That(logs.Events.Where(e => e.Event == "LeaderChanged").Select(e => e.Message), Has.Some.Contains(endpoints[next].ToString()));
            Assert.That(logs.Events.Count(e => e.Event == "Leading"), Is.EqualTo(2));
            Assert.That(logs.Events.Count(e => e.Event is "StoppedLeading" or "Deposed"), Is.EqualTo(1), "the stopped leader logged the end of its term");
            HealthCheckResult after = await health[next].CheckHealthAsync(new HealthCheckContext());
            Assert.That(after.Data["role"], Is.EqualTo("leader"));
            Assert.That((long)after.Data["term"], Is.GreaterThan(replicas[leader].Term));
        }
        finally
        {
            foreach (IHost? host in hosts)
            {
                if (host is null) continue;
                await host.StopAsync();
                host.Dispose();
            }
        }
    }

    [Test]
    public async Task Invalid_options_fail_the_start_naming_the_option()
    {
        using IHost host = Host.CreateDefaultBuilder().ConfigureServices(s => s.AddLedgerCoreCluster(o =>
        {
            o.EndPoint = TestCluster.FreeEndpoint();
            o.Members = [o.EndPoint];
            o.DataDirectory = Path.Combine(_root, "bad");
            o.LedgerId = 0;
        })).Build();

        var e = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.That(e!.Message, Does.Contain("LedgerId"));
        Assert.That(Directory.Exists(Path.Combine(_root, "bad")), Is.False, "nothing was created");
    }

    private IHost Build(IPEndPoint[] endpoints, int i, EventLogger logs) =>
        Host.CreateDefaultBuilder()
            .ConfigureLogging(l => l.ClearProviders().AddProvider(logs).SetMinimumLevel(LogLevel.Information))
            .ConfigureServices(s => s.AddLedgerCoreCluster(o =>
            {
                o.EndPoint = endpoints[i];
                o.Members = endpoints;
                o.DataDirectory = Path.Combine(_root, i.ToString(System.Globalization.CultureInfo.InvariantCulture));
                o.LedgerId = TestCluster.LedgerId;
            }))
            .Build();

    private static string ReplicaOf(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        foreach (KeyValuePair<string, object?> tag in tags)
        {
            if (tag.Key == "replica") return tag.Value as string ?? "";
        }

        return "";
    }

    private static async Task<int> WaitForLeaderAsync(ClusterLedger[] replicas, int except)
    {
        int found = -1;
        await WaitUntilAsync(() =>
        {
            found = Array.FindIndex(replicas, r => r.IsLeader);
            return found >= 0 && found != except;
        });
        return found;
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
