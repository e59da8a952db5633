using System.Globalization;
using NUnit.Framework;

namespace LedgerCore.Amqp.Tests;

/// <summary>
/// The consumer's rule of docs/cdc.md, checked against the ledger: drop a message whose id is not above the
/// last one processed (a duplicate, which must repeat an id seen before with the same body); every other
/// message must name the last processed one as its previous_timestamp (no gap); what remains is exactly
/// the ledger's change events, in order.
/// </summary>
internal static class Delivery
{
    /// <summary>The events the rule accepts, failing the test on a gap, a foreign duplicate or a mismatch.</summary>
    public static List<ulong> Accepted(List<Received> messages)
    {
        var seen = new Dictionary<ulong, string>();
        var accepted = new List<ulong>();
        ulong last = 0;
        foreach (Received m in messages)
        {
            Assert.That(m.MessageId, Is.EqualTo(m.EventTimestamp.ToString(CultureInfo.InvariantCulture)), "the message id is the event's timestamp");
            if (seen.TryGetValue(m.EventTimestamp, out string? body))
            {
                Assert.That(m.Body, Is.EqualTo(body), $"a duplicate of {m.EventTimestamp} carries the same body");
            }
            else
            {
                seen.Add(m.EventTimestamp, m.Body);
            }

            if (m.EventTimestamp <= last)
            {
                Assert.That(accepted, Does.Contain(m.EventTimestamp), $"{m.EventTimestamp} arrived after {last} without having arrived before: out of order, not a duplicate");
                continue;
            }

            Assert.That(m.PreviousTimestamp, Is.EqualTo(last), $"{m.EventTimestamp} follows {m.PreviousTimestamp}, but the last event received was {last}: a gap");
            accepted.Add(m.EventTimestamp);
            last = m.EventTimestamp;
        }

        return accepted;
    }

    public static bool Complete(List<Received> messages, ulong lastTimestamp)
    {
        foreach (Received m in messages)
        {
            if (m.EventTimestamp == lastTimestamp) return true;
        }

        return false;
    }

    public static List<ulong> Timestamps(List<ChangeEvent> events)
    {
        var timestamps = new List<ulong>(events.Count);
        foreach (ChangeEvent e in events) timestamps.Add(e.Timestamp);
        return timestamps;
    }

    /// <summary>Polls until <paramref name="condition"/> holds; bounded.</summary>
    public static async Task WaitUntilAsync(Func<bool> condition, TimeSpan limit, string what)
    {
        DateTime deadline = DateTime.UtcNow + limit;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"Timed out after {limit} waiting for {what}.");
            await Task.Delay(10);
        }
    }
}
