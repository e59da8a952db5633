using System.Diagnostics;
using System.Globalization;
using System.Text;
using LedgerCore.Cluster.Tests.Processes;
using NUnit.Framework;

namespace LedgerCore.Cluster.Tests;

/// <summary>
/// Issue 11, test 4: three replica processes, each in its own network namespace on a private bridge
/// (<see cref="NetworkLab"/>; needs root). Under load, the leader's link goes down: from then on it
/// acknowledges nothing (no quorum), the other two elect a leader that acknowledges writes, and after
/// the link comes back the old leader follows and converges. Besides the load (whose clients retry an
/// unknown outcome elsewhere), probes send fresh ids only to the isolated leader and never retry them:
/// none is acknowledged, and after heal none exists anywhere, so whatever the old leader appended alone
/// was discarded. Then the history is checked as in the other process tests.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class ProcessPartitionTests
{
    private const int MaxProbes = 40;
    private static readonly TimeSpan ElectionBound = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan IsolatedAfterElection = TimeSpan.FromSeconds(2);

    [Test]
    public async Task Isolated_leader_acknowledges_nothing_the_majority_elects_another_and_on_heal_it_follows_and_discards_its_suffix()
    {
        var total = Stopwatch.StartNew();
        int seed = TestContext.CurrentContext.Random.Next(1, 1 << 20);
        TestContext.Out.WriteLine($"seed {seed}");
        using var lab = new NetworkLab(3);
        TestContext.Out.WriteLine($"network set up in {total.ElapsedMilliseconds} ms");
        await using var cluster = new ProcessCluster([NetworkLab.EndPoint(0), NetworkLab.EndPoint(1), NetworkLab.EndPoint(2)], lab.Launcher);
        var phase = Stopwatch.StartNew();
        await cluster.StartAllAsync();
        await cluster.WaitForLeaderAsync();
        TestContext.Out.WriteLine($"started, first leader in {phase.ElapsedMilliseconds} ms");
        var history = new History();
        var workload = new Workload(cluster, history, clients: 4, maxBatch: 8, seed);
        await workload.CreateAccountsAsync();

        using var stop = new CancellationTokenSource();
        Task load = workload.RunAsync(TimeSpan.FromMinutes(2), stop.Token);
        int old;
        TimeSpan isolatedAt, healedAt;
        var probes = new List<(Operation Operation, Task<string> Answer)>();
        try
        {
            await ProcessFailoverTests.WaitUntilAsync(() => history.Operations.Count(o => o.Outcome == Outcome.Ok) >= 20, "some load acknowledged");
            old = await cluster.WaitForLeaderAsync();
            ReplicaProcess isolated = cluster.Replicas[old]!;
            lab.Isolate(old);
            isolatedAt = history.Now;
            phase.Restart();

            // Probes go out every 100 ms while the old leader is cut off, each awaited only at the end (an
            // isolated leader may hold a write until its request times out).
            using var probing = new CancellationTokenSource();
            Task probe = Task.Run(async () =>
            {
                for (int k = 0; k < MaxProbes && !probing.IsCancellationRequested; k++)
                {
                    probes.Add(SendProbe(history, isolated, old, seed, k));
                    await Task.Delay(100, CancellationToken.None);
                }
            });

            int next = await cluster.WaitForLeaderAsync(not: old);
            long elected = phase.ElapsedMilliseconds;
            Assert.That(elected, Is.LessThan(ElectionBound.TotalMilliseconds), $"the majority elected a leader within {ElectionBound}");
            await ProcessFailoverTests.WaitUntilAsync(() => history.Operations.Any(o => o.Outcome == Outcome.Ok && o.Node == next && o.Invoked > isolatedAt), "a write acknowledged by the new leader");
            long acknowledged = phase.ElapsedMilliseconds;
            await Task.Delay(IsolatedAfterElection);
            await probing.CancelAsync();
            await probe.WaitAsync(ProcessCluster.Patience);
            string before = await cluster.Replicas[old]!.RequestAsync("log", ProcessCluster.RequestTimeout);

            lab.Heal(old);
            healedAt = history.Now;
            phase.Restart();
            ReplicaStatus follower = await WaitForFollowerAsync(cluster, old);
            long rejoined = phase.ElapsedMilliseconds;
            await ProcessFailoverTests.WaitForAppliedAsync(cluster, old, (await cluster.StatusAsync(next)).AppliedSequence);
            TestContext.Out.WriteLine($"isolated leader {old}: replica {next} elected after {elected} ms, acknowledged a write after {acknowledged} ms; healed: {old} followed (term {follower.Term}, leader {follower.Leader}) after {rejoined} ms, caught up after {phase.ElapsedMilliseconds} ms");
            TestContext.Out.WriteLine($"old leader's Raft log (last entry, last committed) before heal: {before}; after catch-up: {await cluster.Replicas[old]!.RequestAsync("log", ProcessCluster.RequestTimeout)}");
        }
        finally
        {
            await stop.CancelAsync();
            await load.WaitAsync(TimeSpan.FromSeconds(30));
        }

        string[] answers = await Task.WhenAll(probes.Select(p => p.Answer)).WaitAsync(ProcessCluster.Patience);
        TestContext.Out.WriteLine($"{probes.Count} probes to the isolated leader answered: " + string.Join(", ", answers.GroupBy(a => a).Select(g => $"{g.Count()} x {g.Key}")));
        Assert.That(probes, Is.Not.Empty);
        List<Operation> isolatedOks = history.Operations.Where(o => o.Node == old && o.Outcome == Outcome.Ok && o.Invoked > isolatedAt && o.Invoked < healedAt).ToList();
        Assert.That(isolatedOks, Is.Empty, "an isolated leader acknowledges nothing");

        (List<string> violations, string stats) = await HistoryChecker.CheckAsync(cluster, history);
        UInt128[] probeIds = probes.SelectMany(p => p.Operation.Ids).ToArray();
        for (int i = 0; i < 3; i++)
        {
            foreach (UInt128 id in (await HistoryChecker.LookupAsync(cluster, i, probeIds)).Keys) violations.Add($"replica {i}: probe {id}, sent only to the isolated leader, exists");
        }

        TestContext.Out.WriteLine($"{stats}; total {total.ElapsedMilliseconds} ms{cluster.Describe()}");
        Assert.That(violations, Is.Empty, cluster.Describe());
    }

    /// <summary>Sends one batch of fresh ids (high bits 200: no workload client uses them) to the isolated replica, recorded and never retried.</summary>
    private static (Operation, Task<string>) SendProbe(History history, ReplicaProcess replica, int node, int seed, int k)
    {
        UInt128[] ids = [new UInt128(200, ((ulong)seed << 24) | (uint)k)];
        var text = new StringBuilder("transfers");
        foreach (UInt128 id in ids)
        {
            Transfer t = Workload.Spec(id);
            history.Transfers[id] = t;
            text.Append(CultureInfo.InvariantCulture, $" {t.Id}:{t.DebitAccountId}:{t.CreditAccountId}:{t.Amount}:{t.Ledger}");
        }

        Operation operation = history.Invoke(200, node, ids);
        return (operation, AnswerAsync());

        async Task<string> AnswerAsync()
        {
            string answer;
            try
            {
                answer = await replica.RequestAsync(text.ToString(), ProcessCluster.RequestTimeout);
            }
            catch (ReplicaUnavailableException e)
            {
                history.Complete(operation, Outcome.Unknown, e.Message);
                return "no answer";
            }

            history.Complete(operation, answer == "ok" ? Outcome.Ok : answer.StartsWith("fail ", StringComparison.Ordinal) ? Outcome.Fail : Outcome.Unknown, answer);
            return answer;
        }
    }

    /// <summary>Waits (bounded) until replica <paramref name="i"/> reports itself a follower that knows a leader other than itself.</summary>
    private static async Task<ReplicaStatus> WaitForFollowerAsync(ProcessCluster cluster, int i)
    {
        var clock = Stopwatch.StartNew();
        string self = cluster.Endpoints[i].ToString();
        while (clock.Elapsed < ProcessCluster.Patience)
        {
            ReplicaStatus status = await cluster.StatusAsync(i);
            if (!status.IsLeader && status.Leader != "-" && status.Leader != self) return status;
            await Task.Delay(50);
        }

        throw new TimeoutException($"Replica {i} did not follow another leader within {ProcessCluster.Patience}.{cluster.Describe()}");
    }
}
