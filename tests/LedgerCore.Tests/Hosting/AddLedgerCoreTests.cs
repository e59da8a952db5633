using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using NUnit.Framework;

namespace LedgerCore.Tests.Hosting;

/// <summary>
/// <see cref="LedgerCoreServiceCollectionExtensions.AddLedgerCore"/> in a real generic host: the engine
/// opens at start, bad options stop the start, stop drains accepted work, and the health check follows.
/// </summary>
public class AddLedgerCoreTests
{
    private string _directory = null!;

    [SetUp]
    public void SetUp() => _directory = Directory.CreateTempSubdirectory("ledgercore-hosting-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_directory, recursive: true);

    [Test]
    public async Task Engine_is_resolvable_after_start_and_health_follows_its_lifetime()
    {
        using IHost host = Build(o => o.DataDirectory = _directory);
        var health = host.Services.GetRequiredService<LedgerHealthCheck>();

        Assert.That((await health.CheckHealthAsync(new HealthCheckContext())).Status, Is.EqualTo(HealthStatus.Unhealthy), "not open before start");
        Assert.Throws<InvalidOperationException>(() => host.Services.GetRequiredService<LedgerEngine>(), "resolving before start says why");

        await host.StartAsync();
        var ledger = host.Services.GetRequiredService<LedgerEngine>();
        Assert.That(host.Services.GetRequiredService<ILedger>(), Is.SameAs(ledger), "hosts that write through ILedger get the same engine");
        Assert.That(await ledger.CreateAccountsAsync(new[] { new Account { Id = 1, Ledger = 1, Code = 1 } }), Is.Empty);
        HealthCheckResult healthy = await health.CheckHealthAsync(new HealthCheckContext());
        Assert.That(healthy.Status, Is.EqualTo(HealthStatus.Healthy));
        Assert.That(healthy.Description, Does.Contain("batch 1"));

        await host.StopAsync();
        HealthCheckResult stopped = await health.CheckHealthAsync(new HealthCheckContext());
        Assert.That(stopped.Status, Is.EqualTo(HealthStatus.Unhealthy));
        Assert.That(stopped.Description, Does.Contain("not open"));
    }

    [TestCase(0, TestName = "Invalid_MaxBatchSize_fails_the_start")]
    [TestCase(-1, TestName = "Missing_DataDirectory_fails_the_start")]
    public async Task Invalid_options_fail_at_start(int maxBatchSize)
    {
        using IHost host = Build(o =>
        {
            o.DataDirectory = maxBatchSize < 0 ? " " : _directory;
            o.MaxBatchSize = Math.Max(maxBatchSize, 0);
        });

        var e = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.That(e!.Message, Does.Contain(maxBatchSize < 0 ? "DataDirectory" : "MaxBatchSize"), "the message names the option");
        Assert.That(Directory.EnumerateFileSystemEntries(_directory), Is.Empty, "nothing was opened");
    }

    [Test]
    public async Task Stop_drains_accepted_writes_before_releasing_the_directory()
    {
        // Below the request queue's capacity (16 x QueueDepthMax), so every call is accepted before stop begins.
        const int Transfers = 500;
        using (IHost host = Build(o => o.DataDirectory = _directory))
        {
            await host.StartAsync();
            var ledger = host.Services.GetRequiredService<LedgerEngine>();
            Assert.That(await ledger.CreateAccountsAsync(new[] { new Account { Id = 1, Ledger = 1, Code = 1 }, new Account { Id = 2, Ledger = 1, Code = 1 } }), Is.Empty);

            // Many single-transfer calls in flight, then stop while they are queued.
            var writes = Enumerable.Range(1, Transfers)
                .Select(i => ledger.CreateTransfersAsync(new[] { new Transfer { Id = (UInt128)(100 + i), DebitAccountId = 1, CreditAccountId = 2, Amount = 1, Ledger = 1, Code = 1 } }))
                .ToArray();
            await host.StopAsync();

            // The engine answered every accepted request before stop returned; a caller's own task
            // completes a moment later, on a continuation (answers are never delivered inline).
            CreateTransfersResult[][] answers = await Task.WhenAll(writes).WaitAsync(TimeSpan.FromSeconds(30));
            Assert.That(answers.SelectMany(a => a), Is.Empty, "every accepted write was applied, none refused as disposed");
        }

        // The directory is released (the lock would refuse a second opener) and holds every transfer.
        await using LedgerEngine reopened = await LedgerEngine.OpenAsync(new LedgerOptions { DataDirectory = _directory });
        Account[] accounts = await reopened.LookupAccountsAsync(new UInt128[] { 1 });
        Assert.That(accounts[0].DebitsPosted, Is.EqualTo((UInt128)Transfers));
    }

    [Test]
    public async Task A_hosted_service_registered_after_AddLedgerCore_finds_the_engine_open_at_its_start()
    {
        // Hosts construct every hosted service before starting the first, so a service resolves the
        // engine in StartAsync (the pattern the ReadModelProjection sample uses), not in its constructor.
        var seen = new TaskCompletionSource<long>();
        using IHost host = Build(o => o.DataDirectory = _directory, services =>
            services.AddHostedService(p => new StartProbe(p, seen)));

        await host.StartAsync();
        Assert.That(await seen.Task.WaitAsync(TimeSpan.FromSeconds(10)), Is.Zero, "open, and nothing committed yet");
        await host.StopAsync();
    }

    private static IHost Build(Action<LedgerOptions> configure, Action<IServiceCollection>? more = null)
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddLedgerCore(configure);
        more?.Invoke(builder.Services);
        return builder.Build();
    }

    private sealed class StartProbe(IServiceProvider services, TaskCompletionSource<long> seen) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            seen.SetResult(services.GetRequiredService<LedgerEngine>().CommittedSequence);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
