using System.Globalization;
using System.Text;
using System.Text.Json;
using Spectre.Console;

namespace LedgerCore.Load;

/// <summary>Everything the load run measured, printed as a table and, on request, as one JSON line.</summary>
internal sealed class LoadReport
{
    public required LoadOptions Options { get; init; }
    public double StateMachineTransfersPerSecond { get; set; }
    public double StateMachineTransfersPerCpuSecond { get; set; }
    public double TransfersPerSecond { get; set; }
    public double BatchesPerSecond { get; set; }
    public long FailedTransfers { get; set; }
    public double P50Us { get; set; }
    public double P99Us { get; set; }
    public double P999Us { get; set; }
    public double MaxUs { get; set; }
    public long Fsyncs { get; set; }
    public double JournalBytesPerTransfer { get; set; }
    public double FsyncMeanUs { get; set; }
    public long PeakMemoryBytes { get; set; }
    public double HeapBytesPerAccount { get; set; }
    public double HeapBytesPerTransfer { get; set; }

    /// <summary>Resident set growth over the durable run per transfer (managed heap, native pages, mapped files).</summary>
    public double RssBytesPerTransfer { get; set; }

    /// <summary>The largest resident set sampled during the durable run.</summary>
    public long PeakRssBytes { get; set; }

    public double FirstDecileTransfersPerSecond { get; set; }

    public double LastDecileTransfersPerSecond { get; set; }

    /// <summary>Resident set growth per transfer over the second half of the run.</summary>
    public double RssBytesPerTransferSlope { get; set; }

    /// <summary>Bytes in the data directory after the run, per transfer.</summary>
    public double DiskBytesPerTransfer { get; set; }

    /// <summary>Whether the page cache was dropped before the read probes (needs root); otherwise they read warm pages too.</summary>
    public bool ProbeCacheDropped { get; set; }

    public double ColdLookupP99Us { get; set; }

    public double AccountTransfersP99Us { get; set; }
    public int SnapshotsWritten { get; set; }
    public double RecoverySeconds { get; set; }
    public double GcPauseSeconds { get; set; }

    /// <summary>CPU time of the timed run (every thread of the process) per transfer: less distorted by a busy machine than
    /// throughput, though cache and scheduler contention still inflate it.</summary>
    public double CpuUsPerTransfer { get; set; }
    public int Gen2Collections { get; set; }
    public double SnapshotLoadSeconds { get; set; }
    public double RecoveryGcPauseSeconds { get; set; }
    public long RecoveryEventsReplayed { get; set; }
    public long RecoverySnapshotSequence { get; set; }
    public double RecoveryTransfersPerSecond { get; set; }
    public bool DigestOk { get; set; }

    // The online backup (--backup-at).
    public long BackupStartedAtTransfers { get; set; }
    public double BackupSeconds { get; set; }
    public long BackupBytes { get; set; }
    public long BackupSequence { get; set; }
    public bool BackupDigestOk { get; set; }

    // The cluster run (--cluster), reported beside the single-node figures above.
    public double ClusterFirstElectionSeconds { get; set; }
    public double ClusterSeconds { get; set; }
    public double ClusterTransfersPerSecond { get; set; }
    public double ClusterBatchesPerSecond { get; set; }
    public long ClusterFailedTransfers { get; set; }
    public double ClusterP50Us { get; set; }
    public double ClusterP99Us { get; set; }
    public double ClusterP999Us { get; set; }
    public double ClusterMaxUs { get; set; }
    public int ClusterLeader { get; set; }
    public long ElectionsDuringLoad { get; set; }
    public double[] ReplicaCpuSeconds { get; set; } = [];
    public double[] ReplicaGcPauseSeconds { get; set; } = [];
    public double[] ReplicaGen2Collections { get; set; } = [];
    public double[] ReplicaDiskBytesPerTransfer { get; set; } = [];
    public double ClientCpuSeconds { get; set; }
    public double ClientGcPauseSeconds { get; set; }
    public double FailoverSeconds { get; set; }
    public int FailoverNewLeader { get; set; }
    public long FailoverWriteErrors { get; set; }
    public long FailoverRejected { get; set; }
    public long FailoverTermIncrease { get; set; }
    public double CatchUpSeconds { get; set; }
    public long ClusterAppliedSequence { get; set; }
    public bool ClusterDigestOk { get; set; }

    /// <summary>CPU time of every replica and of the clients during the cluster's timed run, per transfer.</summary>
    public double ClusterCpuUsPerTransfer => (ReplicaCpuSeconds.Sum() + ClientCpuSeconds) * 1e6 / Options.Transfers;

    /// <summary>Every check of the run passed: the single-node reopen digest and, with --cluster, equal digests on every replica.</summary>
    public bool AllDigestsOk => DigestOk && (Options.Cluster == 0 || ClusterDigestOk) && (Options.BackupAt == 0 || BackupDigestOk);

    /// <summary>No transfer of the timed runs failed (the failover's retries may answer Exists: not a failure).</summary>
    public bool NoFailures => FailedTransfers == 0 && ClusterFailedTransfers == 0 && FailoverRejected == 0;

    public void PrintTable()
    {
        var table = new Table().AddColumn("measure").AddColumn(new TableColumn("value").RightAligned());
        string durability = Options.NoFsync ? "[red]NOT DURABLE (--no-fsync)[/]" : "durable (fsync per group commit)";
        table.AddRow("mode", durability);
        table.AddRow("workload", $"{Options.Accounts:N0} accounts, {Options.Transfers:N0} transfers, batch {Options.Batch}, {Options.Clients} clients, hot {Options.HotAccountsPercent}%{(Options.Preallocate ? ", preallocated" : "")}{(Options.RandomIds ? ", random ids" : "")}{(Options.Tcp || Options.Cluster > 0 ? ", over TCP loopback" : ", in process")}");
        table.AddRow("state machine alone", $"{StateMachineTransfersPerSecond:N0} transfers/s ({StateMachineTransfersPerCpuSecond:N0} per CPU-second)");
        table.AddRow("end to end", $"{TransfersPerSecond:N0} transfers/s, {BatchesPerSecond:N0} batches/s");
        table.AddRow("CPU time per transfer (all threads)", $"{CpuUsPerTransfer:F2} µs");
        table.AddRow("failed transfers", FailedTransfers.ToString("N0", CultureInfo.InvariantCulture));
        table.AddRow("commit latency p50 / p99 / p99.9 / max", $"{P50Us / 1000:F2} / {P99Us / 1000:F2} / {P999Us / 1000:F2} / {MaxUs / 1000:F2} ms");
        table.AddRow("fsyncs (group commits)", $"{Fsyncs:N0}, mean write+fsync {FsyncMeanUs / 1000:F2} ms");
        table.AddRow("journal bytes per transfer", $"{JournalBytesPerTransfer:F1}");
        table.AddRow("managed heap: peak", $"{PeakMemoryBytes / (1024.0 * 1024):N0} MiB");
        table.AddRow("managed heap: per account / per transfer", $"{HeapBytesPerAccount:F0} B / {HeapBytesPerTransfer:F0} B");
        table.AddRow("resident set: peak / per transfer", $"{PeakRssBytes / (1024.0 * 1024):N0} MiB / {RssBytesPerTransfer:F0} B{(Options.TransferCacheMiB > 0 ? $" (transfers in files, {Options.TransferCacheMiB} MiB resident)" : "")}");
        table.AddRow("tenths of the run: first / last", $"{FirstDecileTransfersPerSecond:N0} / {LastDecileTransfersPerSecond:N0} transfers/s");
        table.AddRow("resident set slope (second half)", $"{RssBytesPerTransferSlope:F1} B per transfer");
        table.AddRow("disk after the run", $"{DiskBytesPerTransfer:F0} B per transfer");
        table.AddRow("after reopen: lookup of 1 random id / page of 100 of a random account, p99", $"{ColdLookupP99Us:N0} µs / {AccountTransfersP99Us:N0} µs{(ProbeCacheDropped ? " (page cache dropped first)" : " (page cache not dropped: needs root)")}");
        table.AddRow("snapshots written", SnapshotsWritten.ToString(CultureInfo.InvariantCulture));
        table.AddRow("recovery (restart)", $"{RecoverySeconds:F2} s: snapshot at batch {RecoverySnapshotSequence} loaded in {SnapshotLoadSeconds:F2} s, then {RecoveryEventsReplayed:N0} journaled events replayed at {RecoveryTransfersPerSecond:N0}/s");
        table.AddRow("GC pauses: durable run / recovery", $"{GcPauseSeconds:F2} s ({Gen2Collections} gen2 collections) / {RecoveryGcPauseSeconds:F2} s");
        table.AddRow("digest after reopen", DigestOk ? "[green]equal[/]" : "[red]DIFFERENT[/]");
        if (Options.BackupAt > 0)
        {
            table.AddRow("online backup (under load)", $"started at {BackupStartedAtTransfers:N0} transfers acknowledged: batch {BackupSequence}, {BackupBytes / (1024.0 * 1024):N0} MiB in {BackupSeconds:F2} s; restored digest {(BackupDigestOk ? "[green]equal[/]" : "[red]DIFFERENT[/]")}");
        }

        if (Options.Cluster > 0) AddClusterRows(table);
        AnsiConsole.Write(table);
    }

    private void AddClusterRows(Table table)
    {
        table.AddRow("[bold]cluster[/]", $"{Options.Cluster} replica processes on loopback, own data directories, the same workload over TCP to the leader");
        table.AddRow("cluster: first leader", $"replica {ClusterLeader} after {ClusterFirstElectionSeconds:F2} s");
        table.AddRow("cluster: durable replicated", $"{ClusterTransfersPerSecond:N0} transfers/s ({ClusterTransfersPerSecond / TransfersPerSecond:P0} of the single node over TCP), {ClusterBatchesPerSecond:N0} batches/s");
        table.AddRow("cluster: failed transfers / elections under load", $"{ClusterFailedTransfers:N0} / {ElectionsDuringLoad}");
        table.AddRow("cluster: commit latency p50 / p99 / p99.9 / max", $"{ClusterP50Us / 1000:F2} / {ClusterP99Us / 1000:F2} / {ClusterP999Us / 1000:F2} / {ClusterMaxUs / 1000:F2} ms");
        table.AddRow("cluster: CPU time per transfer (replicas + clients)", $"{ClusterCpuUsPerTransfer:F2} µs ({ClusterCpuUsPerTransfer / CpuUsPerTransfer:F1}× the single node's)");
        table.AddRow("cluster: CPU seconds per replica (leader first)", string.Join(" / ", LeaderFirst(ReplicaCpuSeconds).Select(c => c.ToString("F1", CultureInfo.InvariantCulture))) + $" of {ClusterSeconds:F1} s; clients {ClientCpuSeconds:F1} s");
        table.AddRow("cluster: GC pause seconds (gen2 collections) per replica", string.Join(" / ", LeaderFirst(ReplicaGcPauseSeconds).Zip(LeaderFirst(ReplicaGen2Collections), (p, g) => FormattableString.Invariant($"{p:F2} ({g:F0})"))));
        table.AddRow("cluster: disk bytes written per transfer per replica", string.Join(" / ", LeaderFirst(ReplicaDiskBytesPerTransfer).Select(c => c.ToString("F0", CultureInfo.InvariantCulture))));
        table.AddRow("failover (SIGKILL leader -> first write acknowledged)", $"{FailoverSeconds:F2} s, new leader replica {FailoverNewLeader}, term +{FailoverTermIncrease}, {FailoverWriteErrors} failed tries");
        table.AddRow("cluster digests (killed replica restarted)", $"{(ClusterDigestOk ? "[green]all equal[/]" : "[red]DIFFERENT[/]")} at batch {ClusterAppliedSequence}, converged {CatchUpSeconds:F1} s after restart");
    }

    private double[] LeaderFirst(double[] perReplica) =>
        perReplica.Length == 0 ? perReplica : [perReplica[ClusterLeader], .. perReplica.Where((_, i) => i != ClusterLeader)];

    /// <summary>One JSON object, snake_case keys, for scripts that compare runs.</summary>
    public string ToJson()
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteBoolean("durable", !Options.NoFsync);
            json.WriteNumber("accounts", Options.Accounts);
            json.WriteNumber("transfers", Options.Transfers);
            json.WriteNumber("batch", Options.Batch);
            json.WriteNumber("clients", Options.Clients);
            json.WriteNumber("hot_accounts_pct", Options.HotAccountsPercent);
            json.WriteBoolean("preallocated", Options.Preallocate);
            json.WriteBoolean("tcp", Options.Tcp || Options.Cluster > 0);
            json.WriteNumber("state_machine_transfers_per_second", Math.Round(StateMachineTransfersPerSecond));
            json.WriteNumber("state_machine_transfers_per_cpu_second", Math.Round(StateMachineTransfersPerCpuSecond));
            json.WriteNumber("transfers_per_second", Math.Round(TransfersPerSecond));
            json.WriteNumber("batches_per_second", Math.Round(BatchesPerSecond, 1));
            json.WriteNumber("failed_transfers", FailedTransfers);
            json.WriteNumber("cpu_us_per_transfer", Math.Round(CpuUsPerTransfer, 3));
            json.WriteNumber("p50_us", P50Us);
            if (Options.Cluster == 0) json.WriteNumber("p99_us", P99Us);
            json.WriteNumber("p999_us", P999Us);
            json.WriteNumber("max_us", MaxUs);
            json.WriteNumber("fsyncs", Fsyncs);
            json.WriteNumber("fsync_mean_us", FsyncMeanUs);
            json.WriteNumber("journal_bytes_per_transfer", Math.Round(JournalBytesPerTransfer, 2));
            json.WriteNumber("peak_memory_bytes", PeakMemoryBytes);
            json.WriteNumber("heap_bytes_per_account", Math.Round(HeapBytesPerAccount, 1));
            json.WriteNumber("heap_bytes_per_transfer", Math.Round(HeapBytesPerTransfer, 1));
            json.WriteNumber("peak_rss_bytes", PeakRssBytes);
            json.WriteNumber("rss_bytes_per_transfer", Math.Round(RssBytesPerTransfer, 1));
            json.WriteNumber("transfer_cache_bytes", Options.TransferCacheMiB * 1024 * 1024);
            json.WriteBoolean("random_ids", Options.RandomIds);
            json.WriteNumber("first_decile_transfers_per_second", Math.Round(FirstDecileTransfersPerSecond));
            json.WriteNumber("last_decile_transfers_per_second", Math.Round(LastDecileTransfersPerSecond));
            json.WriteNumber("rss_bytes_per_transfer_slope", Math.Round(RssBytesPerTransferSlope, 2));
            json.WriteNumber("disk_bytes_per_transfer", Math.Round(DiskBytesPerTransfer, 1));
            json.WriteBoolean("probe_cache_dropped", ProbeCacheDropped);
            json.WriteNumber("cold_lookup_p99_us", Math.Round(ColdLookupP99Us, 1));
            json.WriteNumber("account_transfers_p99_us", Math.Round(AccountTransfersP99Us, 1));
            json.WriteNumber("snapshots_written", SnapshotsWritten);
            json.WriteNumber("recovery_seconds", Math.Round(RecoverySeconds, 3));
            json.WriteNumber("gc_pause_seconds", Math.Round(GcPauseSeconds, 3));
            json.WriteNumber("gen2_collections", Gen2Collections);
            json.WriteNumber("recovery_gc_pause_seconds", Math.Round(RecoveryGcPauseSeconds, 3));
            json.WriteNumber("recovery_events_replayed", RecoveryEventsReplayed);
            json.WriteNumber("snapshot_load_seconds", Math.Round(SnapshotLoadSeconds, 3));
            json.WriteNumber("recovery_transfers_per_second", Math.Round(RecoveryTransfersPerSecond));
            if (Options.BackupAt > 0)
            {
                json.WriteNumber("backup_started_at_transfers", BackupStartedAtTransfers);
                json.WriteNumber("backup_seconds", Math.Round(BackupSeconds, 3));
                json.WriteNumber("backup_bytes", BackupBytes);
                json.WriteNumber("backup_sequence", BackupSequence);
                json.WriteBoolean("backup_digest_ok", BackupDigestOk);
            }

            if (Options.Cluster > 0) WriteCluster(json);
            else json.WriteBoolean("digest_ok", DigestOk);
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>
    /// The cluster's keys. <c>p99_us</c> and <c>digest_ok</c> then speak for the cluster (the single node's
    /// move to <c>single_node_p99_us</c> and <c>single_node_digest_ok</c>); <c>digest_ok</c> is true only if
    /// every replica's digest is equal and the single node's reopen digest matched too.
    /// </summary>
    private void WriteCluster(Utf8JsonWriter json)
    {
        json.WriteNumber("replicas", Options.Cluster);
        json.WriteNumber("single_node_transfers_per_second", Math.Round(TransfersPerSecond));
        json.WriteNumber("single_node_p99_us", P99Us);
        json.WriteBoolean("single_node_digest_ok", DigestOk);
        json.WriteNumber("cluster_transfers_per_second", Math.Round(ClusterTransfersPerSecond));
        json.WriteNumber("cluster_failed_transfers", ClusterFailedTransfers);
        json.WriteNumber("cluster_p50_us", ClusterP50Us);
        json.WriteNumber("cluster_p999_us", ClusterP999Us);
        json.WriteNumber("cluster_max_us", ClusterMaxUs);
        json.WriteNumber("cluster_first_election_seconds", Math.Round(ClusterFirstElectionSeconds, 3));
        json.WriteNumber("elections_during_load", ElectionsDuringLoad);
        WriteArray(json, "replica_cpu_seconds", LeaderFirst(ReplicaCpuSeconds), 2);
        WriteArray(json, "replica_gc_pause_seconds", LeaderFirst(ReplicaGcPauseSeconds), 3);
        WriteArray(json, "replica_gen2_collections", LeaderFirst(ReplicaGen2Collections), 0);
        WriteArray(json, "replica_disk_bytes_per_transfer", LeaderFirst(ReplicaDiskBytesPerTransfer), 1);
        json.WriteNumber("client_cpu_seconds", Math.Round(ClientCpuSeconds, 2));
        json.WriteNumber("cluster_cpu_us_per_transfer", Math.Round(ClusterCpuUsPerTransfer, 3));
        json.WriteNumber("cluster_seconds", Math.Round(ClusterSeconds, 2));
        json.WriteNumber("failover_seconds", Math.Round(FailoverSeconds, 3));
        json.WriteNumber("failover_failed_tries", FailoverWriteErrors);
        json.WriteNumber("failover_term_increase", FailoverTermIncrease);
        json.WriteNumber("failover_rejected_transfers", FailoverRejected);
        json.WriteNumber("catch_up_seconds", Math.Round(CatchUpSeconds, 2));
        json.WriteNumber("p99_us", ClusterP99Us);
        json.WriteBoolean("cluster_digest_ok", ClusterDigestOk);
        json.WriteBoolean("digest_ok", AllDigestsOk);
    }

    private static void WriteArray(Utf8JsonWriter json, string name, double[] values, int digits)
    {
        json.WriteStartArray(name);
        foreach (double value in values) json.WriteNumberValue(Math.Round(value, digits));
        json.WriteEndArray();
    }
}
