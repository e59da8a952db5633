using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace LedgerCore.Cluster.Tests.Processes;

/// <summary>
/// Concurrent clients writing batches of transfers with fresh unique ids to whichever replica leads,
/// recording each call in the <see cref="History"/>. A call with an unknown outcome is retried with the
/// same ids (on the leader of the moment) until it is answered; an answer of <c>Exists</c> means an
/// earlier try was applied. Each client stops at its token or its time bound, leaving at most one
/// batch unresolved.
/// </summary>
internal sealed class Workload(ProcessCluster cluster, History history, int clients, int maxBatch, int seed)
{
    public static readonly uint[] Ledgers = [1, 2];
    private static readonly UInt128[][] AccountsByLedger = [[1, 2, 3, 4, 5, 6], [101, 102, 103, 104]];

    /// <summary>Creates the accounts (bounded retries through failovers).</summary>
    public async Task CreateAccountsAsync()
    {
        var accounts = new List<Account>();
        for (int l = 0; l < Ledgers.Length; l++)
        {
            foreach (UInt128 id in AccountsByLedger[l]) accounts.Add(new Account { Id = id, Ledger = Ledgers[l], Code = 1 });
        }

        history.Accounts.AddRange(accounts);
        string request = "accounts " + string.Join(' ', accounts.Select(a => FormattableString.Invariant($"{a.Id}:{a.Ledger}")));
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < ProcessCluster.Patience)
        {
            int leader = cluster.LeaderGuess >= 0 ? cluster.LeaderGuess : await cluster.RefreshLeaderAsync();
            if (leader >= 0 && cluster.Replicas[leader] is { } replica)
            {
                try
                {
                    string answer = await replica.RequestAsync(request, ProcessCluster.RequestTimeout);
                    if (answer == "ok" || (answer.StartsWith("fail ", StringComparison.Ordinal) && answer.Split(' ').Skip(1).All(r => r.EndsWith(":Exists", StringComparison.Ordinal)))) return;
                    if (!answer.StartsWith("unknown", StringComparison.Ordinal)) throw new InvalidOperationException($"creating accounts: {answer}");
                }
                catch (ReplicaUnavailableException)
                {
                    // Retried below.
                }
            }

            await Task.Delay(100);
            await cluster.RefreshLeaderAsync();
        }

        throw new TimeoutException("accounts not created");
    }

    /// <summary>Runs every client until <paramref name="stop"/> or <paramref name="bound"/>.</summary>
    public Task RunAsync(TimeSpan bound, CancellationToken stop) =>
        Task.WhenAll(Enumerable.Range(0, clients).Select(c => Task.Run(() => ClientAsync(c, bound, stop), CancellationToken.None)));

    /// <summary>The fields of transfer <paramref name="id"/>: fixed, so a retry is the same event.</summary>
    public static Transfer Spec(UInt128 id)
    {
        ulong low = (ulong)(id & ulong.MaxValue);
        int l = low % 3 == 0 ? 1 : 0;
        UInt128[] accounts = AccountsByLedger[l];
        int n = accounts.Length;
        int debit = (int)(low % (ulong)n);
        int credit = (debit + 1 + (int)(low / 7 % (ulong)(n - 1))) % n;
        return new Transfer { Id = id, DebitAccountId = accounts[debit], CreditAccountId = accounts[credit], Amount = 1 + (low % 5), Ledger = Ledgers[l], Code = 1 };
    }

    private async Task ClientAsync(int client, TimeSpan bound, CancellationToken stop)
    {
        var random = new Random(seed + client);
        var clock = Stopwatch.StartNew();
        ulong counter = 0;
        UInt128[]? batch = null;
        string request = "";
        while (!stop.IsCancellationRequested && clock.Elapsed < bound)
        {
            if (batch is null)
            {
                batch = new UInt128[random.Next(1, maxBatch + 1)];
                var text = new StringBuilder("transfers");
                for (int i = 0; i < batch.Length; i++)
                {
                    // Unique across clients and tests of this run: client in the high bits.
                    batch[i] = new UInt128((ulong)(client + 1), ((ulong)seed << 24) | counter++);
                    Transfer t = Spec(batch[i]);
                    history.Transfers[t.Id] = t;
                    text.Append(CultureInfo.InvariantCulture, $" {t.Id}:{t.DebitAccountId}:{t.CreditAccountId}:{t.Amount}:{t.Ledger}");
                }

                request = text.ToString();
            }

            // The leader of the moment; without one, any running replica (it must refuse).
            int node = cluster.LeaderGuess;
            if (node < 0 || cluster.Replicas[node] is null) node = random.Next(3);
            if (cluster.Replicas[node] is not { } replica)
            {
                await Task.Delay(20, CancellationToken.None);
                continue;
            }

            Operation operation = history.Invoke(client, node, batch);
            string answer;
            try
            {
                answer = await replica.RequestAsync(request, ProcessCluster.RequestTimeout);
            }
            catch (ReplicaUnavailableException e)
            {
                history.Complete(operation, Outcome.Unknown, e.Message);
                await BackOffAsync();
                continue;
            }

            if (answer == "ok")
            {
                history.Complete(operation, Outcome.Ok);
                batch = null;
            }
            else if (answer.StartsWith("fail ", StringComparison.Ordinal))
            {
                foreach (string failure in answer.Split(' ').Skip(1))
                {
                    string[] f = failure.Split(':');
                    operation.Failures[int.Parse(f[0], CultureInfo.InvariantCulture)] = f[1];
                }

                history.Complete(operation, Outcome.Fail, answer[5..]);
                batch = null;
            }
            else
            {
                history.Complete(operation, Outcome.Unknown, answer);
                await BackOffAsync();
            }
        }
    }

    private async Task BackOffAsync()
    {
        await Task.Delay(50, CancellationToken.None);
        await cluster.RefreshLeaderAsync();
    }
}
