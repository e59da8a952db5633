using System.Net;

namespace LedgerCore;

/// <summary>
/// A write reached a replica of a replicated ledger that is not (or no longer) the leader. It derives from
/// <see cref="IOException"/> because, as <see cref="ILedger"/> documents for that type, the outcome may
/// be unknown: a write refused on arrival was not applied, but one in flight when its leader was deposed
/// may still be committed by the next leader. Either way the remedy is the same: resubmit the same
/// events (same ids) to <see cref="LeaderEndpoint"/>; creation is idempotent, so what was applied
/// answers <c>Exists</c>.
/// </summary>
/// <remarks>
/// It lives in the core package so that whatever fronts an <see cref="ILedger"/> (the TCP server, a
/// host) can recognise it without depending on the replication package. <see cref="LeaderEndpoint"/>
/// is the leader's replication endpoint as the replica knows it; a front that serves clients on other
/// ports maps it to its own (the TCP server's <c>LeaderEndpointMap</c>).
/// </remarks>
public sealed class NotLeaderException : IOException
{
    /// <summary>Creates the exception with a message and no known leader.</summary>
    public NotLeaderException()
        : this("This replica is not the leader.", (EndPoint?)null)
    {
    }

    /// <summary>Creates the exception with a message and no known leader.</summary>
    /// <param name="message">What happened.</param>
    public NotLeaderException(string message)
        : this(message, (EndPoint?)null)
    {
    }

    /// <summary>Creates the exception with a message, no known leader and the error that caused it.</summary>
    /// <param name="message">What happened.</param>
    /// <param name="innerException">The cause.</param>
    public NotLeaderException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception naming the leader this replica knows of.</summary>
    /// <param name="message">What happened.</param>
    /// <param name="leaderEndpoint">The leader's address, or null during an election.</param>
    /// <param name="innerException">The cause, if any.</param>
    public NotLeaderException(string message, EndPoint? leaderEndpoint, Exception? innerException = null)
        : base(message, innerException)
    {
        LeaderEndpoint = leaderEndpoint;
    }

    /// <summary>The leader as this replica knew it when the write failed, or null when it knew none (an election).</summary>
    public EndPoint? LeaderEndpoint { get; }
}
