using NUnit.Framework;

namespace LedgerCore.Amqp.Tests;

/// <summary>
/// A fixture with a broker for its whole life (the shared one, or one of its own it may kill), and a new
/// ledger directory and exchange per test, so tests never see each other's events.
/// </summary>
public abstract class BrokerFixture
{
    private protected TestBroker Broker { get; private set; } = null!;

    private protected string LedgerDirectory { get; private set; } = null!;

    private protected string Exchange { get; private set; } = null!;

    [OneTimeSetUp]
    public async Task StartBroker() => Broker = await StartBrokerAsync();

    [OneTimeTearDown]
    public async Task StopBroker() => await Broker.DisposeAsync();

    [SetUp]
    public void NewLedger()
    {
        LedgerDirectory = Path.Combine(Path.GetTempPath(), $"ledgercore-amqp-tests-{Guid.NewGuid():N}");
        Exchange = $"ledgercore.test.{Guid.NewGuid():N}";
    }

    [TearDown]
    public void DeleteLedger()
    {
        if (Directory.Exists(LedgerDirectory)) Directory.Delete(LedgerDirectory, recursive: true);
    }

    /// <summary>The broker this fixture's tests run against.</summary>
    private protected abstract Task<TestBroker> StartBrokerAsync();
}
