using System.Text;
using RabbitMQ.Client;

namespace LedgerCore.Amqp.Tests;

/// <summary>One message as a consumer received it.</summary>
internal sealed record Received(string MessageId, string RoutingKey, ulong EventTimestamp, ulong PreviousTimestamp, string ContentType, bool Persistent, string Body);

/// <summary>
/// A consumer as an application would bind one: a durable queue bound to the exchange with <c>#</c>, so
/// it keeps what the broker accepted across a broker crash. Drains with basic.get, reconnecting while the
/// broker is down; every wait is bounded.
/// </summary>
internal sealed class TestConsumer(Uri broker, string exchange)
{
    public string Queue { get; } = $"{exchange}.consumer";

    public List<Received> Messages { get; } = [];

    /// <summary>Declares the exchange (as the publisher will) and the bound queue, before the publisher starts.</summary>
    /// <param name="lengthMax">If set, the queue holds at most this many messages and the broker refuses (nacks) more.</param>
    public async Task BindAsync(int? lengthMax = null)
    {
        await using IConnection connection = await Factory().CreateConnectionAsync();
        await using IChannel channel = await connection.CreateChannelAsync();
        await channel.ExchangeDeclareAsync(exchange, "topic", durable: true, autoDelete: false);
        Dictionary<string, object?>? arguments = lengthMax is { } max
            ? new Dictionary<string, object?> { ["x-max-length"] = max, ["x-overflow"] = "reject-publish" }
            : null;
        await channel.QueueDeclareAsync(Queue, durable: true, exclusive: false, autoDelete: false, arguments: arguments);
        await channel.QueueBindAsync(Queue, exchange, "#");
    }

    /// <summary>Drains until <paramref name="done"/> holds for everything received so far.</summary>
    /// <exception cref="TimeoutException">Not within <paramref name="limit"/>.</exception>
    public async Task DrainUntilAsync(Func<List<Received>, bool> done, TimeSpan limit)
    {
        DateTime deadline = DateTime.UtcNow + limit;
        Exception? last = null;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                await using IConnection connection = await Factory().CreateConnectionAsync();
                await using IChannel channel = await connection.CreateChannelAsync();
                while (DateTime.UtcNow < deadline)
                {
                    BasicGetResult? message = await channel.BasicGetAsync(Queue, autoAck: true);
                    if (message is not null)
                    {
                        Messages.Add(Parse(message));
                        continue;
                    }

                    if (done(Messages)) return;
                    await Task.Delay(50);
                }
            }
            catch (Exception e) when (e is RabbitMQ.Client.Exceptions.BrokerUnreachableException or RabbitMQ.Client.Exceptions.OperationInterruptedException or IOException or RabbitMQ.Client.Exceptions.AlreadyClosedException)
            {
                last = e;
                await Task.Delay(200);
            }
        }

        throw new TimeoutException($"After {limit}: {Messages.Count} messages received; last error: {last?.Message ?? "none"}.");
    }

    /// <summary>The checkpoint the publisher keeps in the broker (0: none).</summary>
    public async Task<ulong> ReadCheckpointAsync(string checkpointQueue)
    {
        await using IConnection connection = await Factory().CreateConnectionAsync();
        await using IChannel channel = await connection.CreateChannelAsync();
        BasicGetResult? message = await channel.BasicGetAsync(checkpointQueue, autoAck: false);
        if (message is null) return 0;
        await channel.BasicNackAsync(message.DeliveryTag, multiple: false, requeue: true);
        return ulong.Parse(Encoding.UTF8.GetString(message.Body.Span), System.Globalization.CultureInfo.InvariantCulture);
    }

    private ConnectionFactory Factory() => new() { Uri = broker, AutomaticRecoveryEnabled = false, RequestedConnectionTimeout = TimeSpan.FromSeconds(5) };

    private static Received Parse(BasicGetResult message)
    {
        IDictionary<string, object?> headers = message.BasicProperties.Headers!;
        return new Received(
            message.BasicProperties.MessageId!,
            message.RoutingKey,
            (ulong)(long)headers["event_timestamp"]!,
            (ulong)(long)headers["previous_timestamp"]!,
            message.BasicProperties.ContentType!,
            message.BasicProperties.Persistent,
            Encoding.UTF8.GetString(message.Body.Span));
    }
}
