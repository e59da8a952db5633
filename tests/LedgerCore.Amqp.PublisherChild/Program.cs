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

using IHost host = TestPublisher.Build(directory, broker, exchange, batchSize: 20);
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
