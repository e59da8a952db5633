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
    public int SnapshotsWritten { get; set; }
    public double RecoverySeconds { get; set; }
    public double GcPauseSeconds { get; set; }
    public double SnapshotLoadSeconds { get; set; }
    public double RecoveryGcPauseSeconds { get; set; }
    public long RecoveryEventsReplayed { get; set; }
    public long RecoverySnapshotSequence { get; set; }
    public double RecoveryTransfersPerSecond { get; set; }
    public bool DigestOk { get; set; }

    public void PrintTable()
    {
        var table = new Table().AddColumn("measure").AddColumn(new TableColumn("value").RightAligned());
        string durability = Options.NoFsync ? "[red]NOT DURABLE (--no-fsync)[/]" : "durable (fsync per group commit)";
        table.AddRow("mode", durability);
        table.AddRow("workload", $"{Options.Accounts:N0} accounts, {Options.Transfers:N0} transfers, batch {Options.Batch}, {Options.Clients} clients, hot {Options.HotAccountsPercent}%{(Options.Preallocate ? ", preallocated" : "")}{(Options.Tcp ? ", over TCP loopback" : ", in process")}");
        table.AddRow("state machine alone", $"{StateMachineTransfersPerSecond:N0} transfers/s ({StateMachineTransfersPerCpuSecond:N0} per CPU-second)");
        table.AddRow("end to end", $"{TransfersPerSecond:N0} transfers/s, {BatchesPerSecond:N0} batches/s");
        table.AddRow("failed transfers", FailedTransfers.ToString("N0", CultureInfo.InvariantCulture));
        table.AddRow("commit latency p50 / p99 / p99.9 / max", $"{P50Us / 1000:F2} / {P99Us / 1000:F2} / {P999Us / 1000:F2} / {MaxUs / 1000:F2} ms");
        table.AddRow("fsyncs (group commits)", $"{Fsyncs:N0}, mean write+fsync {FsyncMeanUs / 1000:F2} ms");
        table.AddRow("journal bytes per transfer", $"{JournalBytesPerTransfer:F1}");
        table.AddRow("managed heap: peak", $"{PeakMemoryBytes / (1024.0 * 1024):N0} MiB");
        table.AddRow("managed heap: per account / per transfer", $"{HeapBytesPerAccount:F0} B / {HeapBytesPerTransfer:F0} B");
        table.AddRow("snapshots written", SnapshotsWritten.ToString(CultureInfo.InvariantCulture));
        table.AddRow("recovery (restart)", $"{RecoverySeconds:F2} s: snapshot at batch {RecoverySnapshotSequence} loaded in {SnapshotLoadSeconds:F2} s, then {RecoveryEventsReplayed:N0} journaled events replayed at {RecoveryTransfersPerSecond:N0}/s");
        table.AddRow("GC pauses: durable run / recovery", $"{GcPauseSeconds:F2} s / {RecoveryGcPauseSeconds:F2} s");
        table.AddRow("digest after reopen", DigestOk ? "[green]equal[/]" : "[red]DIFFERENT[/]");
        AnsiConsole.Write(table);
    }

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
            json.WriteBoolean("tcp", Options.Tcp);
            json.WriteNumber("state_machine_transfers_per_second", Math.Round(StateMachineTransfersPerSecond));
            json.WriteNumber("state_machine_transfers_per_cpu_second", Math.Round(StateMachineTransfersPerCpuSecond));
            json.WriteNumber("transfers_per_second", Math.Round(TransfersPerSecond));
            json.WriteNumber("batches_per_second", Math.Round(BatchesPerSecond, 1));
            json.WriteNumber("failed_transfers", FailedTransfers);
            json.WriteNumber("p50_us", P50Us);
            json.WriteNumber("p99_us", P99Us);
            json.WriteNumber("p999_us", P999Us);
            json.WriteNumber("max_us", MaxUs);
            json.WriteNumber("fsyncs", Fsyncs);
            json.WriteNumber("fsync_mean_us", FsyncMeanUs);
            json.WriteNumber("journal_bytes_per_transfer", Math.Round(JournalBytesPerTransfer, 2));
            json.WriteNumber("peak_memory_bytes", PeakMemoryBytes);
            json.WriteNumber("heap_bytes_per_account", Math.Round(HeapBytesPerAccount, 1));
            json.WriteNumber("heap_bytes_per_transfer", Math.Round(HeapBytesPerTransfer, 1));
            json.WriteNumber("snapshots_written", SnapshotsWritten);
            json.WriteNumber("recovery_seconds", Math.Round(RecoverySeconds, 3));
            json.WriteNumber("gc_pause_seconds", Math.Round(GcPauseSeconds, 3));
            json.WriteNumber("recovery_gc_pause_seconds", Math.Round(RecoveryGcPauseSeconds, 3));
            json.WriteNumber("recovery_events_replayed", RecoveryEventsReplayed);
            json.WriteNumber("snapshot_load_seconds", Math.Round(SnapshotLoadSeconds, 3));
            json.WriteNumber("recovery_transfers_per_second", Math.Round(RecoveryTransfersPerSecond));
            json.WriteBoolean("digest_ok", DigestOk);
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
