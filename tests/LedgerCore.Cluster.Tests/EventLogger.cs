using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace LedgerCore.Cluster.Tests;

/// <summary>Keeps every log event's name and message from every category, so tests can check what a replica told its operator.</summary>
internal sealed class EventLogger : ILoggerProvider, ILogger
{
    private readonly ConcurrentQueue<(string Event, string Message)> _events = new();

    public IReadOnlyCollection<(string Event, string Message)> Events => _events;

    public ILogger CreateLogger(string categoryName) => this;

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        _events.Enqueue((eventId.Name ?? "", formatter(state, exception)));

    public void Dispose()
    {
    }
}
