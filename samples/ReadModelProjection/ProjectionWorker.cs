using LedgerCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace ReadModelProjection;

/// <summary>Runs the projection for the life of the host: catch up from the stored checkpoint, then follow live commits.</summary>
/// <remarks>
/// Takes the service provider, not <see cref="LedgerEngine"/>: hosts construct every hosted service before
/// starting the first, and the engine only exists once its own hosted service has opened it.
/// </remarks>
internal sealed partial class ProjectionWorker(IServiceProvider services, NpgsqlDataSource database, ILogger<ProjectionWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var projection = new LedgerProjection(services.GetRequiredService<LedgerEngine>(), database);
        await projection.EnsureSchemaAsync(stoppingToken).ConfigureAwait(false);

        ProjectionProgress caughtUp = await projection.CatchUpAsync(stoppingToken).ConfigureAwait(false);
        CaughtUp(logger, caughtUp.ThroughSequence, caughtUp.Batches, caughtUp.ThroughTimestamp, caughtUp.Events);

        try
        {
            ProjectionProgress live = await projection.RunAsync(stoppingToken).ConfigureAwait(false);
            Stopped(logger, live.ThroughSequence, live.ThroughTimestamp);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            (long sequence, ulong timestamp) = await projection.GetCheckpointAsync(CancellationToken.None).ConfigureAwait(false);
            Stopped(logger, sequence, timestamp);
        }
    }

    [LoggerMessage(1, LogLevel.Information, "Caught up: accounts through batch {Sequence} ({Batches} batches read), change events through {Timestamp} ({Events} applied); following live")]
    private static partial void CaughtUp(ILogger logger, long sequence, int batches, ulong timestamp, int events);

    [LoggerMessage(2, LogLevel.Information, "Projection stopped at batch {Sequence} and change event {Timestamp}")]
    private static partial void Stopped(ILogger logger, long sequence, ulong timestamp);
}
