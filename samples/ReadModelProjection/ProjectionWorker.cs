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
        if (caughtUp.Batches == 0) UpToDate(logger, caughtUp.ThroughSequence);
        else CaughtUp(logger, caughtUp.FromSequence, caughtUp.ThroughSequence, caughtUp.AccountsInserted, caughtUp.TransfersInserted);

        try
        {
            ProjectionProgress live = await projection.RunAsync(stoppingToken).ConfigureAwait(false);
            Stopped(logger, live.ThroughSequence);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            Stopped(logger, await projection.GetProjectedSequenceAsync(CancellationToken.None).ConfigureAwait(false));
        }
    }

    [LoggerMessage(1, LogLevel.Information, "Projected batches {From} to {Through}: {Accounts} accounts and {Transfers} transfers inserted; following live commits")]
    private static partial void CaughtUp(ILogger logger, long from, long through, int accounts, int transfers);

    [LoggerMessage(3, LogLevel.Information, "The tables are up to date at batch {Through}; following live commits")]
    private static partial void UpToDate(ILogger logger, long through);

    [LoggerMessage(2, LogLevel.Information, "Projection stopped at batch {Through}")]
    private static partial void Stopped(ILogger logger, long through);
}
