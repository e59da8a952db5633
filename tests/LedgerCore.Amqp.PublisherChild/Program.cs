// Usage: LedgerCore.Amqp.PublisherChild DIRECTORY AMQP-URI EXCHANGE BATCHES
// Starts a host that publishes the ledger in DIRECTORY to EXCHANGE (batches of 20, checkpoint queue
// EXCHANGE.checkpoint), writes BATCHES batches of 50 events (accounts first when BATCHES > 0), prints
// "ready <timestamp of the ledger's last event>", then publishes until killed, or until stdin closes
// (then it stops gracefully), or for 60 s at most.
using System.Globalization;
using LedgerCore;
using LedgerCore.Amqp;
using LedgerCore.Amqp.Tests;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

string directory = args[0];
var broker = new Uri(args[1]);
string exchange = args[2];
int batches = int.Parse(args[3], CultureInfo.InvariantCulture);

HostApplicationBuilder builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
builder.Services.AddLogging();
builder.Services.AddLedgerCore(options => options.DataDirectory = directory);
builder.Services.AddLedgerCoreAmqp(options =>
{
    options.HostName = broker.Host;
    options.Port = broker.Port;
    options.UserName = "guest";
    options.Password = "guest";
    options.Exchange = exchange;
    options.CheckpointQueue = exchange + ".checkpoint";
    options.BatchSize = 20;
    options.ReconnectDelayMin = TimeSpan.FromMilliseconds(50);
    options.ReconnectDelayMax = TimeSpan.FromMilliseconds(500);
    options.BrokerTimeout = TimeSpan.FromSeconds(5);
});
using IHost host = builder.Build();
await host.StartAsync();
ILedger ledger = host.Services.GetRequiredService<ILedger>();
if (batches > 0)
{
    await Workload.CreateAccountsAsync(ledger);
    await Workload.WriteAsync(ledger, 1, batches);
}

List<ChangeEvent> events = await Workload.AllEventsAsync(ledger);
Console.WriteLine($"ready {(events.Count == 0 ? 0 : events[^1].Timestamp)}");
Console.Out.Flush();

Task stdinClosed = Task.Run(() => Console.In.ReadToEnd());
await Task.WhenAny(stdinClosed, Task.Delay(TimeSpan.FromSeconds(60)));
await host.StopAsync();
return 0;
