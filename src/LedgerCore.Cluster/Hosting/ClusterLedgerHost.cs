using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace LedgerCore.Cluster.Hosting;

/// <summary>
/// Owns the replica's lifetime inside a host: starts it (its snapshot restored, Raft listening) when the
/// host starts, without waiting for a leader, and disposes it when the host stops.
/// </summary>
internal sealed class ClusterLedgerHost(IOptions<ClusterOptions> options, ILogger<ClusterLedger> logger) : IHostedService, IAsyncDisposable
{
    private ClusterLedger? _replica;

    public ClusterLedger Replica => Volatile.Read(ref _replica)
        ?? throw new InvalidOperationException("The replica is not started: the host has not started (or has stopped).");

    /// <summary>The started replica, or null before start and after stop.</summary>
    public ClusterLedger? Current => Volatile.Read(ref _replica);

    public async Task StartAsync(CancellationToken cancellationToken) =>
        Volatile.Write(ref _replica, await ClusterLedger.StartAsync(options.Value, logger, cancellationToken).ConfigureAwait(false));

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        ClusterLedger? replica = Interlocked.Exchange(ref _replica, null);
        if (replica is null) return;

        // Leaving goes on even if the host's shutdown timeout fires first: the directory is always released.
        await replica.DisposeAsync().AsTask().WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        ClusterLedger? replica = Interlocked.Exchange(ref _replica, null);
        if (replica is not null) await replica.DisposeAsync().ConfigureAwait(false);
    }
}
