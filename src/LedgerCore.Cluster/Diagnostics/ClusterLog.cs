using Microsoft.Extensions.Logging;

namespace LedgerCore.Cluster;

/// <summary>
/// The replica's log messages (never one per transfer). Defined with <c>LoggerMessage.Define</c>
/// rather than the source generator: referencing Microsoft.Extensions.Logging.Abstractions directly at the
/// repository's pinned version would be a downgrade below what DotNext.Net.Cluster requires.
/// </summary>
internal static class ClusterLog
{
    private static readonly Action<ILogger, long, long, long, Exception?> s_started =
        LoggerMessage.Define<long, long, long>(LogLevel.Information, new EventId(101, "ReplicaStarted"), "Replica started: snapshot at Raft entry {SnapshotIndex} (batch {SnapshotSequence}), term {Term}");

    private static readonly Action<ILogger, long, long, long, Exception?> s_leading =
        LoggerMessage.Define<long, long, long>(LogLevel.Information, new EventId(102, "Leading"), "Leading in term {Term}: sequencing from batch {NextSequence} after Raft entry {AppliedIndex}");

    private static readonly Action<ILogger, long, int, Exception?> s_deposed =
        LoggerMessage.Define<long, int>(LogLevel.Warning, new EventId(103, "Deposed"), "Leadership of term {Term} lost; {InFlight} batches in flight failed with an unknown outcome");

    private static readonly Action<ILogger, long, long, Exception?> s_installed =
        LoggerMessage.Define<long, long>(LogLevel.Information, new EventId(104, "SnapshotInstalled"), "Snapshot from the leader installed: Raft entry {Index}, batch {Sequence}");

    private static readonly Action<ILogger, long, Exception?> s_snapshotFailed =
        LoggerMessage.Define<long>(LogLevel.Warning, new EventId(105, "SnapshotFailed"), "Snapshot at Raft entry {Index} failed; the log keeps everything after the previous one");

    private static readonly Action<ILogger, Exception?> s_faulted =
        LoggerMessage.Define(LogLevel.Critical, new EventId(106, "ReplicaFaulted"), "Replica faulted and applies nothing more");

    private static readonly Action<ILogger, string, long, Exception?> s_leaderChanged =
        LoggerMessage.Define<string, long>(LogLevel.Information, new EventId(107, "LeaderChanged"), "Leader is {Leader} in term {Term}");

    private static readonly Action<ILogger, long, Exception?> s_noLeader =
        LoggerMessage.Define<long>(LogLevel.Warning, new EventId(108, "NoLeader"), "No leader known in term {Term}: an election is under way, writes wait for it");

    private static readonly Action<ILogger, long, Exception?> s_stoppedLeading =
        LoggerMessage.Define<long>(LogLevel.Information, new EventId(109, "StoppedLeading"), "Stopped leading in term {Term}; nothing was in flight");

    public static void LeaderChanged(ILogger logger, System.Net.EndPoint leader, long term)
    {
        // The endpoint is formatted only when the message is written.
        if (logger.IsEnabled(LogLevel.Information)) s_leaderChanged(logger, leader.ToString() ?? "", term, null);
    }

    public static void NoLeader(ILogger logger, long term) => s_noLeader(logger, term, null);

    public static void StoppedLeading(ILogger logger, long term) => s_stoppedLeading(logger, term, null);

    public static void Started(ILogger logger, long snapshotIndex, long snapshotSequence, long term) => s_started(logger, snapshotIndex, snapshotSequence, term, null);

    public static void Leading(ILogger logger, long term, long nextSequence, long appliedIndex) => s_leading(logger, term, nextSequence, appliedIndex, null);

    public static void Deposed(ILogger logger, long term, int inFlight) => s_deposed(logger, term, inFlight, null);

    public static void SnapshotInstalled(ILogger logger, long index, long sequence) => s_installed(logger, index, sequence, null);

    public static void SnapshotFailed(ILogger logger, Exception exception, long index) => s_snapshotFailed(logger, index, exception);

    public static void Faulted(ILogger logger, Exception exception) => s_faulted(logger, exception);
}
