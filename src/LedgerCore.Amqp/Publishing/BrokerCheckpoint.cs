using System.Globalization;
using System.Text;
using RabbitMQ.Client;

namespace LedgerCore.Amqp.Publishing;

/// <summary>
/// The checkpoint kept in the broker, as the reference's CDC keeps its progress: a durable queue holding at
/// most one persistent message (<c>x-max-length</c> 1, <c>drop-head</c>), whose body is the timestamp of the
/// last event the broker confirmed, in decimal. Writing publishes a new message (the old one is dropped);
/// reading peeks at it and gives it back.
/// </summary>
internal static class BrokerCheckpoint
{
    private static readonly Dictionary<string, object?> QueueArguments = new(StringComparer.Ordinal)
    {
        ["x-max-length"] = 1,
        ["x-overflow"] = "drop-head",
        ["x-queue-type"] = "classic",
    };

    /// <summary>Declares the checkpoint queue (a no-op if it exists with the same arguments).</summary>
    public static Task DeclareAsync(IChannel channel, string queue, CancellationToken cancellationToken) =>
        channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false, arguments: QueueArguments, cancellationToken: cancellationToken);

    /// <summary>The timestamp in the checkpoint queue, or 0 when it holds none (nothing published yet).</summary>
    /// <exception cref="InvalidDataException">The message is not a timestamp: something else wrote to the queue.</exception>
    public static async Task<ulong> ReadAsync(IChannel channel, string queue, CancellationToken cancellationToken)
    {
        BasicGetResult? message = await channel.BasicGetAsync(queue, autoAck: false, cancellationToken).ConfigureAwait(false);
        if (message is null) return 0;

        // Given back at once: an unacknowledged message would not count towards x-max-length, and the next
        // checkpoint must replace it rather than queue behind it.
        await channel.BasicNackAsync(message.DeliveryTag, multiple: false, requeue: true, cancellationToken).ConfigureAwait(false);
        string text = Encoding.UTF8.GetString(message.Body.Span);
        if (!ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out ulong timestamp))
        {
            throw new InvalidDataException($"The checkpoint queue {queue} holds '{(text.Length > 40 ? text[..40] : text)}', not a timestamp: it is written by the publisher only.");
        }

        return timestamp;
    }

    /// <summary>
    /// Records <paramref name="timestamp"/> and returns once the broker confirmed it (mandatory: a missing
    /// queue is an error, not a silent drop).
    /// </summary>
    public static async Task WriteAsync(IChannel channel, string queue, ulong timestamp, CancellationToken cancellationToken)
    {
        var properties = new BasicProperties
        {
            DeliveryMode = DeliveryModes.Persistent,
            ContentType = "text/plain",
            AppId = ChangeEventMessage.AppId,
        };
        byte[] body = Encoding.UTF8.GetBytes(timestamp.ToString(CultureInfo.InvariantCulture));
        await channel.BasicPublishAsync("", queue, mandatory: true, properties, body, cancellationToken).ConfigureAwait(false);
    }
}
