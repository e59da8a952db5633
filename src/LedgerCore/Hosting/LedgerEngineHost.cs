using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace LedgerCore.Hosting;

/// <summary>
/// Owns the engine's lifetime inside a host: opens it at start (so recovery finishes before the host
/// reports started) and disposes it at stop, which drains accepted work before the directory is released.
/// </summary>
internal sealed class LedgerEngineHost(IOptions<LedgerOptions> options, ILogger<LedgerEngine> logger) : IHostedService, IAsyncDisposable
{
    private LedgerEngine? _engine;

    public LedgerEngine Engine => Volatile.Read(ref _engine)
        ?? throw new InvalidOperationException("The ledger is not open: the host has not started (or has stopped).");

    /// <summary>The open engine, or null before start and after stop.</summary>
    public LedgerEngine? Current => Volatile.Read(ref _engine);

    public async Task StartAsync(CancellationToken cancellationToken) =>
        Volatile.Write(ref _engine, await LedgerEngine.OpenAsync(options.Value, logger, cancellationToken).ConfigureAwait(false));

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        LedgerEngine? engine = Interlocked.Exchange(ref _engine, null);
        if (engine is null) return;

        // The drain goes on even if the host's shutdown timeout fires first: disposal never drops accepted work.
        await engine.DisposeAsync().AsTask().WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        LedgerEngine? engine = Interlocked.Exchange(ref _engine, null);
        if (engine is not null) await engine.DisposeAsync().ConfigureAwait(false);
    }
}
