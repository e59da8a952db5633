using LedgerCore.Tcp;

namespace LedgerCore.Tcp.Tests;

/// <summary>A durable engine on a temporary directory with a server in front of it, on an ephemeral loopback port.</summary>
internal sealed class TestLedger : IAsyncDisposable
{
    private readonly string _directory;

    private TestLedger(string directory, LedgerEngine engine, LedgerTcpServer server)
    {
        _directory = directory;
        Engine = engine;
        Server = server;
    }

    public LedgerEngine Engine { get; }

    public LedgerTcpServer Server { get; }

    public int Port => Server.Port;

    public static async Task<TestLedger> StartAsync(Action<LedgerTcpServerOptions>? configure = null, Action<LedgerOptions>? configureEngine = null, Microsoft.Extensions.Logging.ILogger? logger = null)
    {
        string directory = Path.Combine(Path.GetTempPath(), $"ledgercore-tcp-tests-{Guid.NewGuid():N}");
        var engineOptions = new LedgerOptions { DataDirectory = directory };
        configureEngine?.Invoke(engineOptions);
        LedgerEngine engine = await LedgerEngine.OpenAsync(engineOptions);
        var options = new LedgerTcpServerOptions();
        configure?.Invoke(options);
        var server = new LedgerTcpServer(engine, options, logger);
        await server.StartAsync();
        return new TestLedger(directory, engine, server);
    }

    public LedgerTcpClientOptions ClientOptions(Action<LedgerTcpClientOptions>? configure = null)
    {
        var options = new LedgerTcpClientOptions { Port = Port, RequestTimeout = TimeSpan.FromSeconds(20) };
        configure?.Invoke(options);
        return options;
    }

    public Task<LedgerTcpClient> ConnectAsync(Action<LedgerTcpClientOptions>? configure = null) =>
        LedgerTcpClient.ConnectAsync(ClientOptions(configure));

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        await Engine.DisposeAsync();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort.
        }
    }
}
