using Microsoft.Extensions.Hosting;
using ReadModelProjection;

// An embedded ledger whose outcomes (change events, account creations) are projected into PostgreSQL, following live until Ctrl+C.
//   dotnet run --project samples/ReadModelProjection -- --ConnectionStrings:ReadModel "Host=127.0.0.1;Port=5432;Username=me;Database=ledger" --Demo:Transfers 1000
using IHost host = ProjectionHost.Build(args);
await host.RunAsync();
