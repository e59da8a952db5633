using LedgerCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace ReadModelProjection;

/// <summary>The sample's host, built here (not in Program.cs) so a test can run the real thing in-process.</summary>
public static class ProjectionHost
{
    /// <summary>
    /// Builds the host from the command line: <c>--ConnectionStrings:ReadModel</c> (required),
    /// <c>--Ledger:DataDirectory</c>, <c>--Demo:Transfers</c>.
    /// </summary>
    public static IHost Build(string[] args)
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder(args);
        string dataDirectory = builder.Configuration["Ledger:DataDirectory"] ?? "projection-ledger-data";
        string connectionString = builder.Configuration.GetConnectionString("ReadModel")
            ?? throw new InvalidOperationException("Set the PostgreSQL connection string: --ConnectionStrings:ReadModel \"Host=...;Username=...;Database=...\"");

        // The ledger's hosted service is registered first, so it has opened the engine before the services
        // below start (hosts start them in registration order); they resolve LedgerEngine in StartAsync/ExecuteAsync.
        builder.Services.AddLedgerCore(o => o.DataDirectory = Path.GetFullPath(dataDirectory));
        builder.Services.AddSingleton(_ => NpgsqlDataSource.Create(connectionString));
        int demoTransfers = builder.Configuration.GetValue("Demo:Transfers", 0);
        if (demoTransfers > 0) builder.Services.AddHostedService(p => new DemoTraffic(p, demoTransfers));
        builder.Services.AddHostedService<ProjectionWorker>();
        return builder.Build();
    }
}
