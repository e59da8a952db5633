using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using LedgerCore;
using LedgerCore.Cluster;

namespace ClusterQuickStart;

/// <summary>The walk-through: start 3 replicas, write, lose the leader, retry what was in flight, write again, compare.</summary>
public static class ClusterDemo
{
    private const uint Usd = 840;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    /// <summary>Runs the walk-through, telling <paramref name="output"/> each step; removes its directories at the end.</summary>
    public static async Task RunAsync(TextWriter output, CancellationToken cancellationToken = default)
    {
        string root = Directory.CreateTempSubdirectory("ledgercore-cluster-quickstart-").FullName;
        IPEndPoint[] endpoints = [FreeLoopbackEndpoint(), FreeLoopbackEndpoint(), FreeLoopbackEndpoint()];
        var replicas = new ClusterLedger?[3];
        try
        {
            for (int i = 0; i < 3; i++)
            {
                // Every replica gets the same member list and ledger id, and a directory of its own.
                replicas[i] = await ClusterLedger.StartAsync(new ClusterOptions
                {
                    EndPoint = endpoints[i],
                    Members = endpoints,
                    DataDirectory = Path.Combine(root, i.ToString(CultureInfo.InvariantCulture)),
                    LedgerId = 1,
                }, cancellationToken: cancellationToken);
                output.WriteLine($"replica {i} listening on {endpoints[i]}");
            }

            var clock = Stopwatch.StartNew();
            int leader = await WaitForLeaderAsync(replicas, cancellationToken);
            output.WriteLine($"leader: replica {leader} ({endpoints[leader]}), term {replicas[leader]!.Term}, elected after {clock.ElapsedMilliseconds} ms");

            // A write completes once it is fsynced on 2 of the 3 replicas and applied on the leader.
            ClusterLedger first = replicas[leader]!;
            await first.CreateAccountsAsync(new[]
            {
                new Account { Id = 1, Ledger = Usd, Code = 10 },
                new Account { Id = 2, Ledger = Usd, Code = 20 },
                new Account { Id = 3, Ledger = Usd, Code = 20 },
            }, cancellationToken);
            Transfer[] early = Transfers(1, 10);
            await first.CreateTransfersAsync(early, cancellationToken);
            output.WriteLine("created accounts 1-3 and transfers 1-10 through the leader");

            // Stop the leader with a write in flight: its caller cannot know whether it was applied.
            Transfer[] inFlight = Transfers(11, 5);
            Task<CreateTransfersResult[]> pending = first.CreateTransfersAsync(inFlight, cancellationToken);
            output.WriteLine($"stopping the leader (replica {leader}) with transfers 11-15 in flight");
            clock.Restart();
            replicas[leader] = null;
            await first.DisposeAsync();
            try
            {
                await pending;
                output.WriteLine("in-flight write: acknowledged before the leader stopped");
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException)
            {
                // NotLeaderException is an IOException: outcome unknown, resubmit the same ids.
                output.WriteLine($"in-flight write: outcome unknown ({e.GetType().Name})");
            }

            int next = await WaitForLeaderAsync(replicas, cancellationToken);
            ClusterLedger second = replicas[next]!;
            output.WriteLine($"new leader: replica {next} ({endpoints[next]}), term {second.Term}, elected after {clock.ElapsedMilliseconds} ms");

            // Retries with the same ids are safe: what was applied answers Exists, the rest is created now.
            CreateTransfersResult[] retried = await second.CreateTransfersAsync(inFlight, cancellationToken);
            output.WriteLine($"retry of transfers 11-15 with the same ids: {Describe(retried, inFlight.Length)}");
            CreateTransfersResult[] again = await second.CreateTransfersAsync(early, cancellationToken);
            output.WriteLine($"retry of transfers 1-10 with the same ids: {Describe(again, early.Length)}");

            await second.CreateTransfersAsync(Transfers(16, 10), cancellationToken);
            output.WriteLine("created transfers 16-25 through the new leader");

            foreach (Account account in await second.LookupAccountsAsync(new UInt128[] { 1, 2, 3 }, cancellationToken))
            {
                output.WriteLine($"account {account.Id}: debits {account.DebitsPosted}, credits {account.CreditsPosted}");
            }

            // Followers apply what the leader committed a moment later: wait for them, then compare digests.
            await WaitForAppliedAsync(replicas, second.AppliedSequence, cancellationToken);
            var digests = new List<UInt128>();
            foreach (ClusterLedger? replica in replicas)
            {
                if (replica is not null) digests.Add(await replica.ComputeDigestAsync(cancellationToken));
            }

            bool equal = digests.TrueForAll(d => d == digests[0]);
            output.WriteLine($"digests of the {digests.Count} live replicas: {(equal ? "equal" : "DIFFERENT")} ({digests[0]:X32})");
        }
        finally
        {
            foreach (ClusterLedger? replica in replicas)
            {
                if (replica is not null) await replica.DisposeAsync();
            }

            Directory.Delete(root, recursive: true);
            output.WriteLine($"stopped the replicas and removed {root}");
        }
    }

    /// <summary>Transfers of 1.00 from account 1 to accounts 2 and 3 in turn.</summary>
    private static Transfer[] Transfers(ulong firstId, int count)
    {
        var transfers = new Transfer[count];
        for (int i = 0; i < count; i++)
        {
            ulong id = firstId + (ulong)i;
            transfers[i] = new Transfer { Id = id, DebitAccountId = 1, CreditAccountId = 2 + (id % 2), Amount = 100, Ledger = Usd, Code = 1 };
        }

        return transfers;
    }

    private static string Describe(CreateTransfersResult[] failures, int count)
    {
        int exists = 0;
        foreach (CreateTransfersResult failure in failures)
        {
            if (failure.Result == CreateTransferResult.Exists) exists++;
        }

        int created = count - failures.Length;
        return exists == count ? $"Exists x{exists} (applied before)" : $"created {created}, Exists {exists}, other failures {failures.Length - exists}";
    }

    private static async Task<int> WaitForLeaderAsync(ClusterLedger?[] replicas, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < Patience)
        {
            for (int i = 0; i < replicas.Length; i++)
            {
                if (replicas[i] is { IsLeader: true }) return i;
            }

            await Task.Delay(20, cancellationToken);
        }

        throw new TimeoutException($"No leader was elected within {Patience}.");
    }

    private static async Task WaitForAppliedAsync(ClusterLedger?[] replicas, long sequence, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (Array.Exists(replicas, r => r is not null && r.AppliedSequence < sequence))
        {
            if (clock.Elapsed > Patience) throw new TimeoutException($"The replicas did not apply batch {sequence} within {Patience}.");
            await Task.Delay(20, cancellationToken);
        }
    }

    private static IPEndPoint FreeLoopbackEndpoint()
    {
        // Port 0 asks the system for a free port; the replica binds it a moment later.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return (IPEndPoint)listener.LocalEndpoint;
    }
}
