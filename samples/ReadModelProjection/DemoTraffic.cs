using LedgerCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ReadModelProjection;

/// <summary>Optional: writes some accounts and transfers at start, so a first run has something to project.</summary>
/// <remarks>Resolves the engine in <see cref="StartAsync"/>: at construction it is not open yet (see <see cref="ProjectionWorker"/>).</remarks>
internal sealed class DemoTraffic(IServiceProvider services, int transfers) : IHostedService
{
    private const int Accounts = 10;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var ledger = services.GetRequiredService<LedgerEngine>();
        var accounts = new Account[Accounts];
        for (int i = 0; i < Accounts; i++) accounts[i] = new Account { Id = (UInt128)(i + 1), Ledger = 840, Code = 10 };
        await ledger.CreateAccountsAsync(accounts, cancellationToken).ConfigureAwait(false); // Exists on later runs: fine.

        // Ids from the clock, so each run adds new transfers rather than answering Exists.
        UInt128 next = (UInt128)(ulong)DateTime.UtcNow.Ticks;
        var batch = new Transfer[transfers];
        for (int i = 0; i < transfers; i++)
        {
            batch[i] = new Transfer
            {
                Id = next + (UInt128)i,
                DebitAccountId = (UInt128)(i % Accounts + 1),
                CreditAccountId = (UInt128)((i + 1) % Accounts + 1),
                Amount = (UInt128)(100 + i),
                Ledger = 840,
                Code = 1,
            };
        }
        foreach (Transfer[] chunk in batch.Chunk(LedgerOptions.BatchEventsMax))
        {
            await ledger.CreateTransfersAsync(chunk, cancellationToken).ConfigureAwait(false);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
