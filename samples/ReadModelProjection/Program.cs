using LedgerCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using ReadModelProjection;

// An embedded ledger whose change feed is projected into PostgreSQL, following live commits until Ctrl+C.
//   dotnet run --project samples/ReadModelProjection -- --ConnectionStrings:ReadModel "Host=127.0.0.1;Port=5432;Username=me;Database=ledger" --Demo:Transfers 1000
HostApplicationBuilder builder = Host.CreateApplicationBuilder(args);
string dataDirectory = builder.Configuration["Ledger:DataDirectory"] ?? "projection-ledger-data";
string connectionString = builder.Configuration.GetConnectionString("ReadModel")
    ?? throw new InvalidOperationException("Set the PostgreSQL connection string: --ConnectionStrings:ReadModel \"Host=...;Username=...;Database=...\"");

// The ledger opens first (hosted services start in registration order), so the others find it open.
builder.Services.AddLedgerCore(o => o.DataDirectory = Path.GetFullPath(dataDirectory));
builder.Services.AddSingleton(_ => NpgsqlDataSource.Create(connectionString));
int demoTransfers = builder.Configuration.GetValue("Demo:Transfers", 0);
if (demoTransfers > 0) builder.Services.AddHostedService(p => new DemoTraffic(p.GetRequiredService<LedgerEngine>(), demoTransfers));
builder.Services.AddHostedService<ProjectionWorker>();

await builder.Build().RunAsync();
