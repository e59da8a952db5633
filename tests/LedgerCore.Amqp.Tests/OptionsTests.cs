using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using NUnit.Framework;

namespace LedgerCore.Amqp.Tests;

/// <summary>Bad options fail at host start with a message naming the option; the backoff is capped.</summary>
[TestFixture]
public sealed class OptionsTests
{
    private static AmqpPublisherOptions Valid() => new() { HostName = "127.0.0.1", UserName = "u", Password = "p", Exchange = "ledger" };

    private static IEnumerable<TestCaseData> Invalid()
    {
        yield return new TestCaseData(new Action<AmqpPublisherOptions>(o => o.HostName = " "), "HostName").SetName("Missing host");
        yield return new TestCaseData(new Action<AmqpPublisherOptions>(o => o.Port = 0), "Port").SetName("Port 0");
        yield return new TestCaseData(new Action<AmqpPublisherOptions>(o => o.Port = 65536), "Port").SetName("Port 65536");
        yield return new TestCaseData(new Action<AmqpPublisherOptions>(o => o.VirtualHost = ""), "VirtualHost").SetName("Empty vhost");
        yield return new TestCaseData(new Action<AmqpPublisherOptions>(o => o.UserName = null), "UserName").SetName("Missing user");
        yield return new TestCaseData(new Action<AmqpPublisherOptions>(o => o.Password = ""), "Password").SetName("Missing password");
        yield return new TestCaseData(new Action<AmqpPublisherOptions>(o => o.Exchange = ""), "Exchange").SetName("Default exchange");
        yield return new TestCaseData(new Action<AmqpPublisherOptions>(o => o.Exchange = "amq.topic"), "Exchange").SetName("Reserved exchange");
        yield return new TestCaseData(new Action<AmqpPublisherOptions>(o => o.Exchange = new string('x', 256)), "Exchange").SetName("Exchange too long");
        yield return new TestCaseData(new Action<AmqpPublisherOptions>(o => o.ExchangeType = "x-delayed"), "ExchangeType").SetName("Unknown exchange type");
        yield return new TestCaseData(new Action<AmqpPublisherOptions>(o => o.CheckpointQueue = ""), "CheckpointQueue").SetName("Empty checkpoint queue");
        yield return new TestCaseData(new Action<AmqpPublisherOptions>(o => o.CheckpointQueue = new string('q', 251)), "CheckpointQueue").SetName("Checkpoint queue too long for its lock");
        yield return new TestCaseData(new Action<AmqpPublisherOptions>(o => o.BatchSize = 0), "BatchSize").SetName("Batch size 0");
        yield return new TestCaseData(new Action<AmqpPublisherOptions>(o => o.BatchSize = LedgerStateMachine.ChangeEventsMax + 1), "BatchSize").SetName("Batch size above a page");
        yield return new TestCaseData(new Action<AmqpPublisherOptions>(o => o.ReconnectDelayMin = TimeSpan.Zero), "ReconnectDelayMin").SetName("Zero reconnect delay");
        yield return new TestCaseData(new Action<AmqpPublisherOptions>(o => o.ReconnectDelayMax = TimeSpan.FromMilliseconds(10)), "ReconnectDelayMax").SetName("Max below min");
        yield return new TestCaseData(new Action<AmqpPublisherOptions>(o => o.BrokerTimeout = TimeSpan.Zero), "BrokerTimeout").SetName("Zero broker timeout");
    }

    [Test]
    public void Valid_options_pass() => Assert.DoesNotThrow(() => Valid().Validate());

    [TestCaseSource(nameof(Invalid))]
    public void An_invalid_option_is_named(Action<AmqpPublisherOptions> spoil, string option)
    {
        AmqpPublisherOptions options = Valid();
        spoil(options);
        ArgumentException e = Assert.Throws<ArgumentException>(options.Validate)!;
        Assert.That(e.ParamName, Is.EqualTo(option));
        Assert.That(e.Message, Does.StartWith($"AmqpPublisherOptions.{option} "));
    }

    [Test]
    public async Task A_host_with_bad_options_fails_to_start_naming_the_option()
    {
        string directory = Path.Combine(Path.GetTempPath(), $"ledgercore-amqp-tests-{Guid.NewGuid():N}");
        HostApplicationBuilder builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddLogging();
        builder.Services.AddLedgerCore(o => o.DataDirectory = directory);
        builder.Services.AddLedgerCoreAmqp(o => { o.HostName = "127.0.0.1"; o.UserName = "u"; o.Password = "p"; });
        using IHost host = builder.Build();
        OptionsValidationException e = (await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync()))!;
        Assert.That(e.Message, Does.Contain("AmqpPublisherOptions.Exchange is required"));
        if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
    }

    [Test]
    public void The_reconnect_backoff_doubles_from_the_minimum_and_is_capped()
    {
        var services = new ServiceCollection().AddLogging();
        services.AddLedgerCoreAmqp(o =>
        {
            o.HostName = "127.0.0.1"; o.UserName = "u"; o.Password = "p"; o.Exchange = "e";
            o.ReconnectDelayMin = TimeSpan.FromMilliseconds(100);
            o.ReconnectDelayMax = TimeSpan.FromSeconds(2);
        });
        using ServiceProvider provider = services.BuildServiceProvider();
        var publisher = provider.GetRequiredService<Publishing.ChangeEventPublisher>();
        Assert.That(publisher.Backoff(0).TotalMilliseconds, Is.InRange(80, 100));
        Assert.That(publisher.Backoff(3).TotalMilliseconds, Is.InRange(640, 800));
        Assert.That(publisher.Backoff(1_000).TotalMilliseconds, Is.InRange(1600, 2000));
    }
}
