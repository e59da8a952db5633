using Microsoft.Extensions.Hosting;

namespace LedgerCore.Hosting;

/// <summary>
/// Owns a ledger's lifetime inside a host, for <c>AddLedgerCore</c> (an engine) and <c>AddLedgerCoreCluster</c>
/// (a replica) alike: opens it at start (so recovery finishes before the host reports started) and disposes it
/// at stop, which drains accepted work before the directory is released.
/// </summary>
internal sealed class LedgerHost<TLedger>(Func<CancellationToken, Task<TLedger>> open, string notOpen) : IHostedService, IAsyncDisposable
    where TLedger : class, ILedger
{
    private TLedger? _ledger;

    /// <summary>The open ledger.</summary>
    /// <exception cref="InvalidOperationException">Before start or after stop.</exception>
    public TLedger Ledger => Volatile.Read(ref _ledger) ?? throw new InvalidOperationException(notOpen);

    /// <summary>The open ledger, or null before start and after stop.</summary>
    public TLedger? Current => Volatile.Read(ref _ledger);

    public async Task StartAsync(CancellationToken cancellationToken) =>
        Volatile.Write(ref _ledger, await open(cancellationToken).ConfigureAwait(false));

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        TLedger? ledger = Interlocked.Exchange(ref _ledger, null);
        if (ledger is null) return;

        // The drain goes on even if the host's shutdown timeout fires first: disposal never drops accepted work.
        await ledger.DisposeAsync().AsTask().WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        TLedger? ledger = Interlocked.Exchange(ref _ledger, null);
        if (ledger is not null) await ledger.DisposeAsync().ConfigureAwait(false);
    }
}
