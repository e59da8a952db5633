using System.Globalization;

namespace LedgerCore.Load;

/// <summary>The load run's command line. Defaults are the figures the performance targets are stated for.</summary>
internal sealed class LoadOptions
{
    public int Accounts { get; private set; } = 100_000;
    public long Transfers { get; private set; } = 10_000_000;
    public int Batch { get; private set; } = LedgerOptions.BatchEventsMax;
    public int Clients { get; private set; } = 4;

    /// <summary>Percent of transfers that move between the ten hot accounts (0 = uniform).</summary>
    public int HotAccountsPercent { get; private set; }

    /// <summary>Where the data lives; null = a fresh temporary directory deleted at the end.</summary>
    public string? Directory { get; private set; }

    public bool NoFsync { get; private set; }
    public bool Preallocate { get; private set; }

    /// <summary>Transfers in files under the data directory with this many MiB resident (0 = in memory).</summary>
    public long TransferCacheMiB { get; private set; }

    /// <summary>Uniformly random 128-bit transfer ids instead of ids rising within each client.</summary>
    public bool RandomIds { get; private set; }

    /// <summary>Drop the machine's page cache before the read probes after reopen (needs root; affects every process).</summary>
    public bool DropCaches { get; private set; }

    /// <summary>Drive the transfers through LedgerCore.Tcp on loopback, one connection per client.</summary>
    public bool Tcp { get; private set; }

    /// <summary>Replica processes of the cluster run (0 = no cluster run); the single-node run then goes over TCP too.</summary>
    public int Cluster { get; private set; }
    public bool Json { get; private set; }
    public bool Help { get; private set; }
    public long SnapshotInterval { get; private set; } = 4_000_000;

    /// <summary>Start an online backup once this many transfers are acknowledged (0 = none).</summary>
    public long BackupAt { get; private set; }
    public ulong Seed { get; private set; } = 42;

    public const string Usage = """
        usage: dotnet run -c Release --project bench/LedgerCore.Load -- [options]
          --accounts N          accounts created before the run (default 100000)
          --transfers N         transfers in the durable run (default 10000000)
          --batch N             transfers per client batch, 1..8190 (default 8190)
          --clients N           concurrent callers (default 4)
          --hot-accounts PCT    PCT% of transfers move between 10 hot accounts (default 0: uniform)
          --snapshot-interval N events between snapshots, 0 = none (default 4000000)
          --dir PATH            keep the data in PATH (must be empty or missing) instead of a temp dir
          --no-fsync            journal without fsync: NOT DURABLE, shows the cost of durability
          --preallocate         allocate storage for all accounts and transfers at open (no index growth
                                pauses; the heap-per-transfer figure then reads ~0)
          --transfer-cache-mb N keep stored transfers in files under the data directory, N MiB of them
                                resident (LedgerOptions.TransferCacheBytes; default: all in memory)
          --random-ids          uniformly random 128-bit transfer ids (as Guids would be) instead of ids
                                rising within each client
          --drop-caches         before the read probes after reopen, sync and drop the machine's page cache
                                (root only; it slows every process on the machine for a while) so the
                                cold lookup figures read from the disk
          --tcp                 send the transfers through the TCP adapter on loopback (one connection
                                per client) instead of calling the engine in process
          --cluster N           also run the workload on N replica processes (3 or 5) on loopback, each
                                with its own data directory, through the leader over TCP (the
                                single-node run then goes over TCP too), then SIGKILL the leader under
                                light load for the failover time, and compare the replicas' digests
          --backup-at N         under load, back the ledger up (LedgerEngine.BackupAsync, into <dir>-backup)
                                once N transfers are acknowledged; reports its time, size and sequence,
                                and opens the copy after the run to check its digest
          --seed N              workload seed (default 42)
          --json                print one JSON object with the results on the last line
          --help                print this
        """;

    /// <exception cref="ArgumentException">An unknown option or a value out of range; the message says which.</exception>
    public static LoadOptions Parse(string[] args)
    {
        var options = new LoadOptions();
        for (int i = 0; i < args.Length; i++)
        {
            string name = args[i];
            switch (name)
            {
                case "--accounts": options.Accounts = (int)Number(args, ref i, 2, int.MaxValue); break;
                case "--transfers": options.Transfers = Number(args, ref i, 1, long.MaxValue); break;
                case "--batch": options.Batch = (int)Number(args, ref i, 1, LedgerOptions.BatchEventsMax); break;
                case "--clients": options.Clients = (int)Number(args, ref i, 1, 1024); break;
                case "--hot-accounts": options.HotAccountsPercent = (int)Number(args, ref i, 0, 100); break;
                case "--snapshot-interval": options.SnapshotInterval = Number(args, ref i, 0, long.MaxValue); break;
                case "--backup-at": options.BackupAt = Number(args, ref i, 1, long.MaxValue); break;
                case "--seed": options.Seed = (ulong)Number(args, ref i, 0, long.MaxValue); break;
                case "--dir": options.Directory = Value(args, ref i); break;
                case "--no-fsync": options.NoFsync = true; break;
                case "--preallocate": options.Preallocate = true; break;
                case "--drop-caches": options.DropCaches = true; break;
                case "--random-ids": options.RandomIds = true; break;
                case "--transfer-cache-mb": options.TransferCacheMiB = Number(args, ref i, 1, 1L << 30); break;
                case "--tcp": options.Tcp = true; break;
                case "--cluster": options.Cluster = (int)Number(args, ref i, 3, 5); break;
                case "--json": options.Json = true; break;
                case "--help" or "-h": options.Help = true; break;
                default: throw new ArgumentException($"unknown option '{name}'");
            }
        }

        if (options.HotAccountsPercent > 0 && options.Accounts < 11)
        {
            throw new ArgumentException("--hot-accounts needs at least 11 accounts");
        }

        if (options.BackupAt > options.Transfers)
        {
            throw new ArgumentException("--backup-at must be at most --transfers");
        }

        if (options.Cluster % 2 == 0 && options.Cluster != 0)
        {
            throw new ArgumentException("--cluster needs an odd number of replicas (3 or 5)");
        }

        if (options.Cluster > 0 && options.NoFsync)
        {
            throw new ArgumentException("--cluster always fsyncs (replicas flush before they answer); drop --no-fsync");
        }

        return options;
    }

    private static string Value(string[] args, ref int i)
    {
        if (i + 1 >= args.Length) throw new ArgumentException($"option '{args[i]}' needs a value");
        return args[++i];
    }

    private static long Number(string[] args, ref int i, long min, long max)
    {
        string name = args[i];
        string text = Value(args, ref i).Replace("_", "", StringComparison.Ordinal);
        if (!long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out long value) || value < min || value > max)
        {
            throw new ArgumentException($"option '{name}' needs a whole number from {min} to {max}, got '{text}'");
        }

        return value;
    }
}
