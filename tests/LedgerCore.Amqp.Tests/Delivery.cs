using System.Globalization;
using NUnit.Framework;

namespace LedgerCore.Amqp.Tests;

/// <summary>
/// The consumer's rule of docs/cdc.md, checked against the ledger: process a message only if its
/// previous_timestamp is the last event processed. Any other message is dropped: a duplicate (its id at or
/// below the last processed, which must repeat an id seen before with the same body), or one that arrived
/// ahead of an event the broker refused (its predecessor is missing; the publisher sends both again). What
/// is processed must be exactly the ledger's change events, in order.
/// </summary>
internal static class Delivery
{
    /// <summary>The events the rule processes, failing the test on a foreign duplicate or a broken chain.</summary>
    public static List<ulong> Accepted(List<Received> messages)
    {
        var seen = new Dictionary<ulong, string>();
        var accepted = new List<ulong>();
        ulong last = 0;
        foreach (Received m in messages)
        {
            Assert.That(m.MessageId, Is.EqualTo(m.EventTimestamp.ToString(CultureInfo.InvariantCulture)), "the message id is the event's timestamp");
            Assert.That(m.PreviousTimestamp, Is.LessThan(m.EventTimestamp), "previous_timestamp is earlier");
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
                Assert.That(accepted, Does.Contain(m.EventTimestamp), $"{m.EventTimestamp} arrived after {last} but was never processed: not a duplicate");
                continue;
            }

            if (m.PreviousTimestamp != last)
            {
                Assert.That(m.PreviousTimestamp, Is.GreaterThan(last), $"{m.EventTimestamp} names {m.PreviousTimestamp} as its predecessor, before the last processed {last}");
                continue; // ahead of a refused event: it comes again after it
            }

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
