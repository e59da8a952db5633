namespace LedgerCore.Amqp;

/// <summary>
/// Where and how <see cref="LedgerCoreAmqpServiceCollectionExtensions.AddLedgerCoreAmqp"/> publishes the
/// ledger's change events. <see cref="HostName"/>, <see cref="UserName"/>, <see cref="Password"/> and
/// <see cref="Exchange"/> are required; the rest have defaults. Checked by <see cref="Validate"/> when the
/// host starts.
/// </summary>
public sealed class AmqpPublisherOptions
{
    /// <summary>The most characters AMQP 0.9.1 allows in an exchange or queue name.</summary>
    public const int NameLengthMax = 255;

    /// <summary>The broker's host name or IP address. Required.</summary>
    public string? HostName { get; set; }

    /// <summary>The broker's AMQP port (1-65535). Default 5672.</summary>
    public int Port { get; set; } = 5672;

    /// <summary>The virtual host. Default <c>/</c>.</summary>
    public string VirtualHost { get; set; } = "/";

    /// <summary>The user name (PLAIN authentication). Required.</summary>
    public string? UserName { get; set; }

    /// <summary>The password. Required.</summary>
    public string? Password { get; set; }

    /// <summary>
    /// The exchange the events go to, declared durable with <see cref="ExchangeType"/> if it does not exist
    /// (an existing exchange of another type is an error the publisher reports and retries). Required; not
    /// the default exchange (empty) and not a reserved <c>amq.</c> name.
    /// </summary>
    public string? Exchange { get; set; }

    /// <summary>The exchange type: <c>topic</c> (default), <c>direct</c>, <c>fanout</c> or <c>headers</c>.</summary>
    public string ExchangeType { get; set; } = "topic";

    /// <summary>
    /// The durable queue in the broker that holds the checkpoint (one message: the timestamp of the last
    /// event the broker confirmed). Null (default): <c>ledgercore.cdc.progress.</c> followed by the ledger's
    /// <see cref="ILedger.LedgerId"/> in decimal. The publisher also holds an exclusive queue named this plus
    /// <c>.lock</c> while it runs, so a second publisher for the same checkpoint waits instead of interleaving.
    /// At most <see cref="NameLengthMax"/> - 5 characters; not a reserved <c>amq.</c> name.
    /// </summary>
    public string? CheckpointQueue { get; set; }

    /// <summary>
    /// The most events read from the ledger at once, and so the most published and awaiting the broker's
    /// confirms before the checkpoint advances (1 to <see cref="LedgerStateMachine.ChangeEventsMax"/>).
    /// Default 512.
    /// </summary>
    public int BatchSize { get; set; } = 512;

    /// <summary>The first delay before reconnecting after a failure; doubled per failure up to <see cref="ReconnectDelayMax"/>. Default 100 ms.</summary>
    public TimeSpan ReconnectDelayMin { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The longest delay between reconnection attempts. Default 30 s.</summary>
    public TimeSpan ReconnectDelayMax { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The longest wait for the broker: to connect, to answer a command, to confirm a batch. Past it the
    /// connection is dropped and the publisher reconnects (the unconfirmed events are published again). Default 30 s.
    /// </summary>
    public TimeSpan BrokerTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Checks every option.</summary>
    /// <exception cref="ArgumentException">An option is missing or out of range; the message names it.</exception>
    public void Validate()
    {
        Require(!string.IsNullOrWhiteSpace(HostName), nameof(HostName), "is required (the broker's host name or IP address).");
        Require(Port is >= 1 and <= 65535, nameof(Port), $"must be 1-65535 (was {Port}).");
        Require(VirtualHost is { Length: > 0 }, nameof(VirtualHost), "is required (\"/\" is the broker's default).");
        Require(!string.IsNullOrEmpty(UserName), nameof(UserName), "is required.");
        Require(!string.IsNullOrEmpty(Password), nameof(Password), "is required.");
        Require(!string.IsNullOrEmpty(Exchange), nameof(Exchange), "is required (the default exchange cannot route by event type).");
        RequireName(Exchange!, nameof(Exchange), NameLengthMax);
        Require(ExchangeType is "topic" or "direct" or "fanout" or "headers", nameof(ExchangeType), $"must be topic, direct, fanout or headers (was '{ExchangeType}').");
        if (CheckpointQueue is not null)
        {
            Require(CheckpointQueue.Length > 0, nameof(CheckpointQueue), "must not be empty (null picks the default).");
            RequireName(CheckpointQueue, nameof(CheckpointQueue), NameLengthMax - LockSuffix.Length);
        }

        Require(BatchSize is >= 1 and <= LedgerStateMachine.ChangeEventsMax, nameof(BatchSize), $"must be 1-{LedgerStateMachine.ChangeEventsMax} (was {BatchSize}).");
        Require(ReconnectDelayMin > TimeSpan.Zero, nameof(ReconnectDelayMin), $"must be positive (was {ReconnectDelayMin}).");
        Require(ReconnectDelayMax >= ReconnectDelayMin, nameof(ReconnectDelayMax), $"must be at least ReconnectDelayMin (was {ReconnectDelayMax}).");
        Require(BrokerTimeout > TimeSpan.Zero && BrokerTimeout <= TimeSpan.FromHours(1), nameof(BrokerTimeout), $"must be positive and at most an hour (was {BrokerTimeout}).");
    }

    internal const string LockSuffix = ".lock";

    /// <summary>The checkpoint queue for a ledger: the configured one, or the default named after its id.</summary>
    internal string CheckpointQueueFor(UInt128 ledgerId) =>
        CheckpointQueue ?? "ledgercore.cdc.progress." + ledgerId.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static void RequireName(string name, string option, int lengthMax)
    {
        Require(name.Length <= lengthMax, option, $"must be at most {lengthMax} characters (was {name.Length}).");
        Require(!name.StartsWith("amq.", StringComparison.Ordinal), option, $"must not start with 'amq.' (reserved by the broker; was '{name}').");
    }

    private static void Require(bool condition, string option, string message)
    {
        if (!condition) throw new ArgumentException($"AmqpPublisherOptions.{option} {message}", option);
    }
}
