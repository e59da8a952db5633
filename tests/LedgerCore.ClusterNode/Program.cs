using System.Globalization;
using System.Net;
using System.Text;
using LedgerCore;
using LedgerCore.Cluster;

// One replica of a replicated ledger, driven by a test over stdin/stdout (one line per request, one per
// answer, each starting with the request's number; requests run concurrently, answers come as they end):
//   <n> status                          -> <n> status leader|follower <term> <leader endpoint|-> <applied sequence> <fault|->
//   <n> accounts id:ledger ...          -> <n> ok | <n> fail index:Result ... | <n> unknown <exception type>
//   <n> transfers id:debit:credit:amount:ledger ...   (same answers; fixed code 1)
//   <n> lookup id ...                   -> <n> found id:debit:credit:amount:ledger:timestamp ... (transfers that exist)
//   <n> balances id ...                 -> <n> balances id:ledger:debits_posted:credits_posted ... (accounts that exist)
//   <n> digest                          -> <n> digest <hex>
//   <n> log                             -> <n> log <last entry index> <last committed index> (of the Raft log)
// "unknown" is any exception from a create: the outcome is unknown (NotLeaderException, a fault, ...).
// The process ends when stdin closes (the test went away), disposing the replica.
// Arguments: <endpoint> <members, comma-separated> <data directory> <ledger id> [--snapshot-interval N]
//            [--unsafe-skip-follower-flush] (the bug DurableWriteAheadLog fixes, for the tests' power check)
if (args.Length < 4)
{
    await Console.Error.WriteLineAsync("usage: LedgerCore.ClusterNode <endpoint> <members> <data directory> <ledger id> [--snapshot-interval N] [--unsafe-skip-follower-flush]");
    return 2;
}

long snapshotInterval = 0;
bool skipFollowerFlush = false;
for (int i = 4; i < args.Length; i++)
{
    if (args[i] == "--snapshot-interval" && i + 1 < args.Length) snapshotInterval = long.Parse(args[++i], CultureInfo.InvariantCulture);
    else if (args[i] == "--unsafe-skip-follower-flush") skipFollowerFlush = true;
    else
    {
        await Console.Error.WriteLineAsync($"unknown argument {args[i]}");
        return 2;
    }
}

var options = new ClusterOptions
{
    EndPoint = IPEndPoint.Parse(args[0]),
    Members = args[1].Split(',').Select(IPEndPoint.Parse).ToArray(),
    DataDirectory = args[2],
    LedgerId = UInt128.Parse(args[3], CultureInfo.InvariantCulture),
    SnapshotIntervalEvents = snapshotInterval,
};

var stdout = new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false)) { AutoFlush = true };
var gate = new Lock();
void Answer(string line)
{
    lock (gate) stdout.Write(line + "\n");
}

await using ClusterLedger ledger = await ClusterLedger.StartAsync(options);
ledger.Log.UnsafeSkipFollowerFlush = skipFollowerFlush;
ledger.LeadershipChanged += (_, _) => Console.Error.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} leadership: leader={ledger.IsLeader} term={ledger.Term} known={ledger.LeaderEndpoint}");
Answer("ready");

var running = new List<Task>();
while (await Console.In.ReadLineAsync() is { } line)
{
    running.RemoveAll(t => t.IsCompleted);
    running.Add(Task.Run(() => HandleAsync(line)));
}

await Task.WhenAll(running).WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
return 0;

async Task HandleAsync(string line)
{
    string[] words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
    if (words.Length < 2) return;
    string n = words[0];
    string[] items = words[2..];
    try
    {
        string answer = words[1] switch
        {
            "status" => $"status {(ledger.IsLeader ? "leader" : "follower")} {ledger.Term} {ledger.LeaderEndpoint?.ToString() ?? "-"} {ledger.AppliedSequence} {(ledger.Fault is null ? "-" : ledger.Fault.GetType().Name)}",
            "accounts" => await CreateAsync(() => ledger.CreateAccountsAsync(items.Select(ParseAccount).ToArray()), r => (r.Index, r.Result.ToString())),
            "transfers" => await CreateAsync(() => ledger.CreateTransfersAsync(items.Select(ParseTransfer).ToArray()), r => (r.Index, r.Result.ToString())),
            "lookup" => "found " + string.Join(' ', (await ledger.LookupTransfersAsync(items.Select(Id).ToArray())).Select(t =>
                FormattableString.Invariant($"{t.Id}:{t.DebitAccountId}:{t.CreditAccountId}:{t.Amount}:{t.Ledger}:{t.Timestamp}"))),
            "balances" => "balances " + string.Join(' ', (await ledger.LookupAccountsAsync(items.Select(Id).ToArray())).Select(a =>
                FormattableString.Invariant($"{a.Id}:{a.Ledger}:{a.DebitsPosted}:{a.CreditsPosted}"))),
            "digest" => "digest " + (await ledger.ComputeDigestAsync()).ToString("x", CultureInfo.InvariantCulture),
            "log" => FormattableString.Invariant($"log {ledger.Log.LastEntryIndex} {ledger.Log.LastCommittedEntryIndex}"),
            "feed" => await FeedAsync(long.Parse(items[0], CultureInfo.InvariantCulture)),
            _ => "error unknown command",
        };
        Answer(n + " " + answer.TrimEnd());
    }
    catch (Exception e)
    {
        Answer($"{n} error {e.GetType().Name}");
    }
}

// The applied batches from a sequence up to what is applied now, as "seq:timestamp:token:events";
// "feed compacted" when a snapshot covers the sequence (the feed reaches back to the newest snapshot only).
async Task<string> FeedAsync(long from)
{
    long until = ledger.AppliedSequence;
    var items = new List<string>();
    using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
    try
    {
        if (from <= until)
        {
            await foreach (CommittedBatch b in ledger.ReadCommittedAsync(from, timeout.Token))
            {
                int events = b.Operation == LedgerOperation.CreateAccounts ? b.Accounts.Length : b.Transfers.Length;
                items.Add(FormattableString.Invariant($"{b.Sequence}:{b.Timestamp}:{b.FencingToken}:{events}"));
                if (b.Sequence >= until) break;
            }
        }
    }
    catch (InvalidOperationException)
    {
        return "feed compacted";
    }

    return "feed " + string.Join(' ', items);
}

static async Task<string> CreateAsync<TResult>(Func<Task<TResult[]>> create, Func<TResult, (int Index, string Result)> describe)
{
    TResult[] results;
    try
    {
        results = await create();
    }
#pragma warning disable CA1031 // Any exception from a create is an unknown outcome for the test's history.
    catch (Exception e)
#pragma warning restore CA1031
    {
        return "unknown " + e.GetType().Name;
    }

    if (results.Length == 0) return "ok";
    return "fail " + string.Join(' ', results.Select(r =>
    {
        (int index, string result) = describe(r);
        return FormattableString.Invariant($"{index}:{result}");
    }));
}

static UInt128 Id(string text) => UInt128.Parse(text, CultureInfo.InvariantCulture);

static Account ParseAccount(string text)
{
    string[] f = text.Split(':');
    return new Account { Id = Id(f[0]), Ledger = uint.Parse(f[1], CultureInfo.InvariantCulture), Code = 1 };
}

static Transfer ParseTransfer(string text)
{
    string[] f = text.Split(':');
    return new Transfer
    {
        Id = Id(f[0]),
        DebitAccountId = Id(f[1]),
        CreditAccountId = Id(f[2]),
        Amount = Id(f[3]),
        Ledger = uint.Parse(f[4], CultureInfo.InvariantCulture),
        Code = 1,
    };
}
