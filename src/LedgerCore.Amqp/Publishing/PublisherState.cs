using System.Diagnostics;

namespace LedgerCore.Amqp.Publishing;

/// <summary>What the publisher is doing, for the health check and tests: written by its loop, read from any thread.</summary>
internal sealed class PublisherState
{
    private long _lastPublished;
    private long _readThrough;
    private long _eventsRead;
    private long _behindSince = Stopwatch.GetTimestamp();
    private volatile bool _caughtUp;
    private volatile bool _connected;
    private volatile bool _running;
    private volatile string? _lastError;

    /// <summary>Started and not stopped.</summary>
    public bool Running { get => _running; set => _running = value; }

    /// <summary>Connected to the broker and publishing (or waiting for events).</summary>
    public bool Connected { get => _connected; set => _connected = value; }

    /// <summary>The timestamp of the last event the broker confirmed (0: none yet).</summary>
    public ulong LastPublishedTimestamp => (ulong)Interlocked.Read(ref _lastPublished);

    /// <summary>The timestamp of the last event read from the ledger: at most one batch past <see cref="LastPublishedTimestamp"/>.</summary>
    public ulong ReadThroughTimestamp => (ulong)Interlocked.Read(ref _readThrough);

    /// <summary>Events read from the ledger since start (re-reads after a reconnect included).</summary>
    public long EventsRead => Interlocked.Read(ref _eventsRead);

    /// <summary>The last failure, until the next successful connection.</summary>
    public string? LastError => _lastError;

    /// <summary>
    /// How stale the published stream may be: zero while the publisher has published everything and waits
    /// for new events; otherwise the time since it last had (or since it started).
    /// </summary>
    public TimeSpan Lag => _caughtUp ? TimeSpan.Zero : Stopwatch.GetElapsedTime(Interlocked.Read(ref _behindSince));

    public void Read(int count, ulong throughTimestamp)
    {
        Interlocked.Add(ref _eventsRead, count);
        Interlocked.Exchange(ref _readThrough, (long)throughTimestamp);
        if (_caughtUp)
        {
            Interlocked.Exchange(ref _behindSince, Stopwatch.GetTimestamp());
            _caughtUp = false;
        }
    }

    public void Published(ulong timestamp) => Interlocked.Exchange(ref _lastPublished, (long)timestamp);

    public void CaughtUp() => _caughtUp = true;

    public void ConnectedNow()
    {
        _lastError = null;
        _connected = true;
    }

    public void Failed(Exception error)
    {
        _connected = false;
        _lastError = error.Message;
        if (_caughtUp)
        {
            Interlocked.Exchange(ref _behindSince, Stopwatch.GetTimestamp());
            _caughtUp = false;
        }
    }
}
