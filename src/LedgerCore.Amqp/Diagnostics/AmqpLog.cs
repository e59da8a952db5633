using Microsoft.Extensions.Logging;

namespace LedgerCore.Amqp.Diagnostics;

/// <summary>The publisher's log events: structured, source-generated, per connection or batch, never per event.</summary>
internal static partial class AmqpLog
{
    [LoggerMessage(1, LogLevel.Information, "Publishing change events to exchange {Exchange} on {Host}:{Port}, resuming after timestamp {Checkpoint} (checkpoint queue {CheckpointQueue})")]
    public static partial void Connected(ILogger logger, string exchange, string host, int port, ulong checkpoint, string checkpointQueue);

    [LoggerMessage(2, LogLevel.Warning, "Change-event publishing to the broker failed after timestamp {LastPublished}; reconnecting in {DelayMs} ms")]
    public static partial void Reconnecting(ILogger logger, Exception exception, ulong lastPublished, long delayMs);

    [LoggerMessage(3, LogLevel.Information, "Change-event publisher stopped after timestamp {LastPublished}")]
    public static partial void Stopped(ILogger logger, ulong lastPublished);

    [LoggerMessage(4, LogLevel.Debug, "{Count} change events confirmed through timestamp {Timestamp}")]
    public static partial void BatchConfirmed(ILogger logger, int count, ulong timestamp);
}
