using LedgerCore.Amqp.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace LedgerCore.Amqp.Publishing;

/// <summary>
/// Streams the ledger's change events to the exchange (docs/cdc.md): reads a batch, publishes it with
/// confirms, waits for every confirm, then advances the checkpoint in the broker. Any failure drops the
/// connection and reconnects after a capped exponential backoff, resuming after the last confirmed event;
/// nothing is read from the ledger meanwhile, so a slow or absent broker holds at most one batch here.
/// </summary>
internal sealed class ChangeEventPublisher : BackgroundService
{
    private readonly IServiceProvider _services;
    private readonly AmqpPublisherOptions _options;
    private readonly ILogger _logger;
    private readonly AmqpMetrics _metrics;

    // The last event the broker confirmed, across connections: the next connection resumes after it (or
    // after the broker's checkpoint if that is later, e.g. written by a previous process).
    private ulong _confirmed;
    private bool _confirmedKnown;

    public ChangeEventPublisher(IServiceProvider services, IOptions<AmqpPublisherOptions> options, ILogger<ChangeEventPublisher> logger)
    {
        _services = services;
        _options = options.Value;
        _logger = logger;
        _metrics = new AmqpMetrics(() => State.Connected);
    }

    public PublisherState State { get; } = new();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Off the host's start path: the ledger was opened by a hosted service registered before this one.
        await Task.Yield();
        ILedger ledger = _services.GetRequiredService<ILedger>();
        State.Running = true;
        try
        {
            int failures = 0;
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    await RunConnectionAsync(ledger, () => failures = 0, stoppingToken).ConfigureAwait(false);
                    return; // the ledger's feed ended: it is being disposed
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    State.Failed(e);
                    _metrics.Reconnecting();
                    TimeSpan delay = Backoff(failures++);
                    AmqpLog.Reconnecting(_logger, e, State.LastPublishedTimestamp, (long)delay.TotalMilliseconds);
                    await Task.Delay(delay, stoppingToken).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            State.Connected = false;
            State.Running = false;
            AmqpLog.Stopped(_logger, State.LastPublishedTimestamp);
        }
    }

    public override void Dispose()
    {
        base.Dispose();
        _metrics.Dispose();
    }

    /// <summary>Capped exponential: min, 2 min, 4 min ... max, with up to 20% jitter so restarted publishers do not retry in step.</summary>
    internal TimeSpan Backoff(int failures)
    {
        double min = _options.ReconnectDelayMin.TotalMilliseconds;
        double max = _options.ReconnectDelayMax.TotalMilliseconds;
        double delay = Math.Min(max, min * Math.Pow(2, Math.Min(failures, 30)));
        return TimeSpan.FromMilliseconds(delay * (0.8 + 0.2 * Random.Shared.NextDouble()));
    }

    private async Task RunConnectionAsync(ILedger ledger, Action connected, CancellationToken stoppingToken)
    {
        var factory = new ConnectionFactory
        {
            HostName = _options.HostName!,
            Port = _options.Port,
            VirtualHost = _options.VirtualHost,
            UserName = _options.UserName!,
            Password = _options.Password!,
            ClientProvidedName = "ledgercore-cdc",
            // Recovery is ours: a new connection must re-read the checkpoint and republish the unconfirmed.
            AutomaticRecoveryEnabled = false,
            TopologyRecoveryEnabled = false,
            RequestedConnectionTimeout = _options.BrokerTimeout,
            ContinuationTimeout = _options.BrokerTimeout,
            HandshakeContinuationTimeout = _options.BrokerTimeout,
            RequestedHeartbeat = TimeSpan.FromSeconds(Math.Clamp(_options.BrokerTimeout.TotalSeconds / 2, 1, 60)),
        };

        // Cancelled when the host stops or the connection dies, so an idle wait for events ends at once.
        using var lost = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        CancellationToken token = lost.Token;
        string checkpointQueue = _options.CheckpointQueueFor(ledger.LedgerId);

        IConnection connection;
        using (var connect = CancellationTokenSource.CreateLinkedTokenSource(token))
        {
            connect.CancelAfter(_options.BrokerTimeout);
            connection = await factory.CreateConnectionAsync(connect.Token).ConfigureAwait(false);
        }

        await using (connection.ConfigureAwait(false))
        {
            IChannel channel = await connection.CreateChannelAsync(
                new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), token).ConfigureAwait(false);
            await using (channel.ConfigureAwait(false))
            {
                Exception? shutdown = null;
                channel.ChannelShutdownAsync += (_, args) =>
                {
                    shutdown = args.Exception ?? new IOException($"The broker closed the channel: {args.ReplyCode} {args.ReplyText}");
                    try { lost.Cancel(); } catch (ObjectDisposedException) { }
                    return Task.CompletedTask;
                };

                await channel.ExchangeDeclareAsync(_options.Exchange!, _options.ExchangeType, durable: true, autoDelete: false, cancellationToken: token).ConfigureAwait(false);
                // Held while this connection lives: a second publisher for the same checkpoint is refused
                // (RESOURCE_LOCKED) and retries with backoff, so two never interleave.
                await channel.QueueDeclareAsync(checkpointQueue + AmqpPublisherOptions.LockSuffix, durable: false, exclusive: true, autoDelete: true, cancellationToken: token).ConfigureAwait(false);
                await BrokerCheckpoint.DeclareAsync(channel, checkpointQueue, token).ConfigureAwait(false);
                ulong checkpoint = await BrokerCheckpoint.ReadAsync(channel, checkpointQueue, token).ConfigureAwait(false);

                ulong published = _confirmedKnown ? Math.Max(checkpoint, _confirmed) : checkpoint;
                SetConfirmed(published);
                State.ConnectedNow();
                connected();
                AmqpLog.Connected(_logger, _options.Exchange!, _options.HostName!, _options.Port, published, checkpointQueue);

                try
                {
                    await PublishAsync(ledger, channel, checkpointQueue, checkpoint, token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (shutdown is not null && !stoppingToken.IsCancellationRequested)
                {
                    throw new IOException("The connection to the broker was lost.", shutdown);
                }
            }
        }
    }

    private async Task PublishAsync(ILedger ledger, IChannel channel, string checkpointQueue, ulong checkpoint, CancellationToken token)
    {
        ulong published = _confirmed;
        var confirms = new Task[_options.BatchSize];
        while (true)
        {
            ChangeEvent[] batch = await ledger.GetChangeEventsAsync(new ChangeEventsFilter(published + 1, 0, (uint)_options.BatchSize), token).ConfigureAwait(false);
            if (batch.Length == 0)
            {
                if (checkpoint != published)
                {
                    await WithTimeout(t => BrokerCheckpoint.WriteAsync(channel, checkpointQueue, published, t), token).ConfigureAwait(false);
                    checkpoint = published;
                }

                State.CaughtUp();
                if (!await WaitForEventsAsync(ledger, published + 1, token).ConfigureAwait(false)) return;
                continue;
            }

            State.Read(batch.Length, batch[^1].Timestamp);
            ulong previous = published;
            for (int i = 0; i < batch.Length; i++)
            {
                ChangeEvent e = batch[i];
                confirms[i] = channel.BasicPublishAsync(_options.Exchange!, ChangeEventMessage.RoutingKey(e), mandatory: false,
                    ChangeEventMessage.Properties(e, previous), ChangeEventMessage.Body(e), token).AsTask();
                previous = e.Timestamp;
            }

            // Every confirm of the batch, in order; a nack, a timeout or a lost connection throws and the next
            // connection republishes from the last confirmed event.
            await WithTimeout(async _ =>
            {
                for (int i = 0; i < batch.Length; i++)
                {
                    await confirms[i].ConfigureAwait(false);
                    confirms[i] = Task.CompletedTask;
                }
            }, token).ConfigureAwait(false);

            published = batch[^1].Timestamp;
            SetConfirmed(published);
            _metrics.Published(batch.Length);
            AmqpLog.BatchConfirmed(_logger, batch.Length, published);

            // The checkpoint follows the confirms, never leads them.
            await WithTimeout(t => BrokerCheckpoint.WriteAsync(channel, checkpointQueue, published, t), token).ConfigureAwait(false);
            checkpoint = published;
        }
    }

    private void SetConfirmed(ulong timestamp)
    {
        _confirmed = timestamp;
        _confirmedKnown = true;
        State.Published(timestamp);
    }

    /// <summary>Waits until the ledger has an event at or after <paramref name="timestampMin"/>; false when its feed ended (disposed).</summary>
    private static async Task<bool> WaitForEventsAsync(ILedger ledger, ulong timestampMin, CancellationToken token)
    {
        IAsyncEnumerator<ChangeEvent> feed = ledger.ReadChangeEventsAsync(timestampMin, token).GetAsyncEnumerator(token);
        await using (feed.ConfigureAwait(false))
        {
            return await feed.MoveNextAsync().ConfigureAwait(false);
        }
    }

    private async Task WithTimeout(Func<CancellationToken, Task> operation, CancellationToken token)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(token);
        timeout.CancelAfter(_options.BrokerTimeout);
        try
        {
            await operation(timeout.Token).WaitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !token.IsCancellationRequested)
        {
            throw new TimeoutException($"The broker did not confirm within {_options.BrokerTimeout}.");
        }
    }
}
