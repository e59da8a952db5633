using System.Globalization;
using System.Text;
using LedgerCore;

// Opens a ledger on the directory given, then four writers create transfers (1 -> 2, amount 1) until the
// process is killed. Each acknowledged transfer id is printed on its own line, after the await returns:
// a printed id was durable. Ids are (epoch, writer << 40 | counter), unique across restarts.
// With a backup root, it also backs up into <root>/0, <root>/1, ... one after the other, printing
// "backup <n> <sequence> <digest>" once each completes. With --transfer-cache-bytes=N the stores are in
// files and snapshots are checkpoints naming them (so a kill can land in a checkpoint's flush).
const string CacheOption = "--transfer-cache-bytes=";
long transferCache = 0;
if (args.FirstOrDefault(a => a.StartsWith(CacheOption, StringComparison.Ordinal)) is { } cacheArgument)
{
    transferCache = long.Parse(cacheArgument.AsSpan(CacheOption.Length), CultureInfo.InvariantCulture);
    args = args.Where(a => a != cacheArgument).ToArray();
}

if (args.Length is < 1 or > 3)
{
    await Console.Error.WriteLineAsync("usage: LedgerCore.CrashChild <data directory> [snapshot interval events] [backup root] [--transfer-cache-bytes=N]");
    return 2;
}

long snapshotInterval = args.Length > 1 ? long.Parse(args[1], CultureInfo.InvariantCulture) : 0;
await using LedgerEngine ledger = await LedgerEngine.OpenAsync(new LedgerOptions { DataDirectory = args[0], SnapshotIntervalEvents = snapshotInterval, TransferCacheBytes = transferCache });
await ledger.CreateAccountsAsync(new[]
{
    new Account { Id = 1, Ledger = 1, Code = 1 },
    new Account { Id = 2, Ledger = 1, Code = 1 },
});

var stdout = new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false)) { AutoFlush = true };
var gate = new Lock();
lock (gate) stdout.Write($"ready {ledger.Epoch}\n");

ulong epoch = ledger.Epoch;
List<Task> writers = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
{
    ulong counter = 0;
    for (int round = 0; ; round++)
    {
        var batch = new Transfer[1 + (round % 16)];
        for (int i = 0; i < batch.Length; i++)
        {
            batch[i] = new Transfer
            {
                Id = new UInt128(epoch, ((ulong)w << 40) | counter++),
                DebitAccountId = 1,
                CreditAccountId = 2,
                Amount = 1,
                Ledger = 1,
                Code = 1,
            };
        }

        CreateTransfersResult[] failures = await ledger.CreateTransfersAsync(batch);
        if (failures.Length > 0)
        {
            await Console.Error.WriteLineAsync($"unexpected failure: {failures[0].Result}");
            Environment.Exit(3);
        }

        var lines = new StringBuilder();
        foreach (Transfer t in batch) lines.Append(t.Id.ToString(CultureInfo.InvariantCulture)).Append('\n');
        lock (gate) stdout.Write(lines.ToString());
    }
})).ToList();

if (args.Length > 2)
{
    writers.Add(Task.Run(async () =>
    {
        for (int n = 0; ; n++)
        {
            LedgerBackup backup = await ledger.BackupAsync(Path.Combine(args[2], n.ToString(CultureInfo.InvariantCulture)));
            lock (gate) stdout.Write($"backup {n} {backup.Sequence} {backup.Digest}\n");
        }
    }));
}

await Task.WhenAll(writers);
return 0;
