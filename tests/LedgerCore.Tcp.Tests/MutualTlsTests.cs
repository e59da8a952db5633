using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using NUnit.Framework;

namespace LedgerCore.Tcp.Tests;

/// <summary>
/// Client certificates (mutual TLS): a server trusting one test authority, with good, untrusted, expired
/// and missing certificates beside each other; then pins, the token alongside, and the options' checks.
/// </summary>
public sealed class MutualTlsTests
{
    private const string Token = "s3cret-token";
    private readonly ListLogger _log = new();
    private X509Certificate2 _serverCertificate = null!;
    private X509Certificate2 _authority = null!;
    private X509Certificate2 _otherAuthority = null!;
    private X509Certificate2 _good = null!;
    private X509Certificate2 _fromOtherAuthority = null!;
    private X509Certificate2 _selfSigned = null!;
    private X509Certificate2 _expired = null!;
    private X509Certificate2 _serverUsageOnly = null!;
    private TestLedger _ledger = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _serverCertificate = TestCertificates.SelfSigned();
        _authority = TestCertificates.Authority("LedgerCore test clients");
        _otherAuthority = TestCertificates.Authority("Someone else");
        _good = TestCertificates.Client("good-client", _authority);
        _fromOtherAuthority = TestCertificates.Client("other-client", _otherAuthority);
        _selfSigned = TestCertificates.Client("self-signed-client", issuer: null);
        _expired = TestCertificates.Client("expired-client", _authority, DateTimeOffset.UtcNow.AddHours(-2), DateTimeOffset.UtcNow.AddHours(-1));
        _serverUsageOnly = TestCertificates.Client("server-usage-client", _authority, usage: "1.3.6.1.5.5.7.3.1");
        _ledger = await TestLedger.StartAsync(
            o =>
            {
                o.Certificate = _serverCertificate;
                o.HandshakeTimeout = TimeSpan.FromSeconds(5);
                o.ClientCertificates = Trusting(_authority);
            },
            logger: _log);
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await _ledger.DisposeAsync();
        _serverCertificate.Dispose();
        _authority.Dispose();
        _otherAuthority.Dispose();
        _good.Dispose();
        _fromOtherAuthority.Dispose();
        _selfSigned.Dispose();
        _expired.Dispose();
        _serverUsageOnly.Dispose();
    }

    [Test]
    public async Task A_certificate_from_the_trusted_authority_is_accepted_and_works()
    {
        await using LedgerTcpClient client = await _ledger.ConnectAsync(o => Present(o, _good));
        Assert.That(await client.CreateAccountsAsync(new[] { new Account { Id = 1, Ledger = 1, Code = 1 } }), Is.Empty);
        Assert.That(await client.LookupAccountsAsync(new UInt128[] { 1 }), Has.Length.EqualTo(1));
        Assert.That(_log.Messages, Has.Some.Contains("CN=good-client").And.Contains(TestCertificates.Sha256(_good)));
    }

    [Test]
    public async Task A_certificate_from_another_authority_is_refused()
    {
        await RefusedAsync(_ledger, o => Present(o, _fromOtherAuthority));
        Assert.That(_log.Messages, Has.Some.Contains("CN=other-client").And.Contains("does not chain to a trusted root"));
    }

    [Test]
    public async Task A_self_signed_certificate_is_refused()
    {
        await RefusedAsync(_ledger, o => Present(o, _selfSigned));
        Assert.That(_log.Messages, Has.Some.Contains("CN=self-signed-client").And.Contains("does not chain to a trusted root"));
    }

    [Test]
    public async Task An_expired_certificate_from_the_trusted_authority_is_refused()
    {
        await RefusedAsync(_ledger, o => Present(o, _expired));
        Assert.That(_log.Messages, Has.Some.Contains("CN=expired-client").And.Contains(" expired at "));
    }

    [Test]
    public async Task A_certificate_not_meant_for_client_authentication_is_refused()
    {
        await RefusedAsync(_ledger, o => Present(o, _serverUsageOnly));
        Assert.That(_log.Messages, Has.Some.Contains("CN=server-usage-client").And.Contains("does not allow client authentication"));
    }

    [Test]
    public async Task A_client_without_a_certificate_is_refused()
    {
        LedgerTcpConnectionException refused = await RefusedAsync(_ledger, o => o.Tls = TrustingServer());
        Assert.That(refused.Message, Does.Contain("client certificate"));
        Assert.That(_log.Messages, Has.Some.Contains("no client certificate was presented"));
    }

    [Test]
    public async Task Refused_clients_do_not_disturb_a_good_client_on_the_same_server()
    {
        await using LedgerTcpClient good = await _ledger.ConnectAsync(o => Present(o, _good));
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        int refusals = 0;
        Task bad = Task.WhenAll(Enumerable.Range(0, 4).Select(async round =>
        {
            foreach (X509Certificate2? certificate in new[] { _fromOtherAuthority, _selfSigned, _expired, null })
            {
                await RefusedAsync(_ledger, o =>
                {
                    o.Tls = TrustingServer();
                    o.ClientCertificate = certificate;
                });
                Interlocked.Increment(ref refusals);
            }
        }));

        // The good client keeps working, with requests in flight, while the others are refused around it.
        uint created = 0;
        for (int i = 0; i < 1000 && !bad.IsCompleted && !stop.IsCancellationRequested; i++)
        {
            uint id = 1000 + (uint)i;
            Assert.That(await good.CreateAccountsAsync(new[] { new Account { Id = id, Ledger = 1, Code = 1 } }, stop.Token), Is.Empty);
            created++;
        }

        await bad.WaitAsync(stop.Token);
        Assert.That(refusals, Is.EqualTo(16));
        Assert.That(created, Is.GreaterThan(0));
        Assert.That(await good.PingAsync(stop.Token), Is.GreaterThan(TimeSpan.Zero));
        Assert.That(good.IsConnected, Is.True);
    }

    [Test]
    public async Task A_pinned_certificate_is_accepted_and_an_unpinned_one_refused()
    {
        using X509Certificate2 pinned = TestCertificates.Client("pinned-client", issuer: null);
        using X509Certificate2 unpinned = TestCertificates.Client("unpinned-client", issuer: null);
        var clients = new LedgerTcpClientCertificateOptions();
        clients.PinnedSha256Thumbprints.Add(Colons(TestCertificates.Sha256(pinned).ToLowerInvariant()));
        var log = new ListLogger();
        await using TestLedger ledger = await StartAsync(clients, log);

        await using (LedgerTcpClient client = await ledger.ConnectAsync(o => Present(o, pinned)))
        {
            Assert.That(await client.PingAsync(), Is.GreaterThan(TimeSpan.Zero));
        }

        await RefusedAsync(ledger, o => Present(o, unpinned));
        Assert.That(log.Messages, Has.Some.Contains("CN=unpinned-client").And.Contains("is not pinned"));
    }

    [Test]
    public async Task A_pinned_certificate_that_expired_is_refused()
    {
        using X509Certificate2 expired = TestCertificates.Client("pinned-expired", issuer: null, DateTimeOffset.UtcNow.AddHours(-2), DateTimeOffset.UtcNow.AddHours(-1));
        var clients = new LedgerTcpClientCertificateOptions();
        clients.PinnedSha256Thumbprints.Add(TestCertificates.Sha256(expired));
        var log = new ListLogger();
        await using TestLedger ledger = await StartAsync(clients, log);

        await RefusedAsync(ledger, o => Present(o, expired));
        Assert.That(log.Messages, Has.Some.Contains("CN=pinned-expired").And.Contains(" expired at "));
    }

    [Test]
    public async Task With_roots_and_pins_a_certificate_needs_both()
    {
        LedgerTcpClientCertificateOptions clients = Trusting(_authority);
        clients.PinnedSha256Thumbprints.Add(TestCertificates.Sha256(_good));
        using X509Certificate2 unpinned = TestCertificates.Client("trusted-but-unpinned", _authority);
        using X509Certificate2 pinnedOnly = TestCertificates.Client("pinned-but-untrusted", issuer: null);
        clients.PinnedSha256Thumbprints.Add(TestCertificates.Sha256(pinnedOnly));
        await using TestLedger ledger = await StartAsync(clients, _log);

        await using (LedgerTcpClient client = await ledger.ConnectAsync(o => Present(o, _good)))
        {
            Assert.That(await client.PingAsync(), Is.GreaterThan(TimeSpan.Zero));
        }

        await RefusedAsync(ledger, o => Present(o, unpinned));
        await RefusedAsync(ledger, o => Present(o, pinnedOnly));
    }

    [Test]
    public async Task With_a_token_too_a_client_needs_both()
    {
        await using TestLedger ledger = await StartAsync(Trusting(_authority), _log, token: Token);

        await using (LedgerTcpClient client = await ledger.ConnectAsync(o =>
        {
            Present(o, _good);
            o.AuthToken = Token;
        }))
        {
            Assert.That(await client.PingAsync(), Is.GreaterThan(TimeSpan.Zero));
        }

        LedgerTcpException wrongToken = await Assert.ThrowsAsync<LedgerTcpException>(() => ledger.ConnectAsync(o =>
        {
            Present(o, _good);
            o.AuthToken = "wrong";
        }));
        Assert.That(wrongToken.Code, Is.EqualTo(LedgerTcpErrorCode.AuthenticationFailed));
        await RefusedAsync(ledger, o =>
        {
            o.Tls = TrustingServer();
            o.AuthToken = Token;
        });
    }

    [Test]
    public async Task An_optional_certificate_may_be_left_out_but_one_presented_is_checked()
    {
        LedgerTcpClientCertificateOptions clients = Trusting(_authority);
        clients.Required = false;
        await using TestLedger ledger = await StartAsync(clients, _log, token: Token);

        await using (LedgerTcpClient withToken = await ledger.ConnectAsync(o =>
        {
            o.Tls = TrustingServer();
            o.AuthToken = Token;
        }))
        {
            Assert.That(await withToken.PingAsync(), Is.GreaterThan(TimeSpan.Zero));
        }

        await RefusedAsync(ledger, o =>
        {
            Present(o, _fromOtherAuthority);
            o.AuthToken = Token;
        });
    }

    [Test]
    public async Task By_default_a_certificate_whose_revocation_cannot_be_checked_is_refused()
    {
        // The test authority publishes no revocation list: the default (Online) cannot establish the status.
        var clients = new LedgerTcpClientCertificateOptions();
        clients.TrustedRoots.Add(_authority);
        Assert.That(clients.RevocationMode, Is.EqualTo(X509RevocationMode.Online));
        var log = new ListLogger();
        await using TestLedger ledger = await StartAsync(clients, log);

        await RefusedAsync(ledger, o => Present(o, _good));
        Assert.That(log.Messages, Has.Some.Contains("CN=good-client").And.Contains("RevocationStatusUnknown"));
    }

    [Test]
    public void Client_certificates_without_a_server_certificate_are_refused()
    {
        var options = new LedgerTcpServerOptions { ClientCertificates = Trusting(_authority) };
        ArgumentException refused = Assert.Throws<ArgumentException>(options.Validate);
        Assert.That(refused.ParamName, Is.EqualTo(nameof(LedgerTcpServerOptions.ClientCertificates)));
    }

    [Test]
    public void Client_certificates_that_trust_nothing_are_refused()
    {
        var options = new LedgerTcpServerOptions { Certificate = _serverCertificate, ClientCertificates = new LedgerTcpClientCertificateOptions() };
        Assert.Throws<ArgumentException>(options.Validate);
    }

    [TestCase("")]
    [TestCase("ABCDEF")]
    [TestCase("zz00000000000000000000000000000000000000000000000000000000000000")]
    [TestCase("00000000000000000000000000000000000000000000000000000000000000000")]
    public void A_pin_that_is_not_a_sha256_thumbprint_is_refused(string pin)
    {
        var clients = new LedgerTcpClientCertificateOptions();
        clients.PinnedSha256Thumbprints.Add(pin);
        var options = new LedgerTcpServerOptions { Certificate = _serverCertificate, ClientCertificates = clients };
        Assert.Throws<ArgumentException>(options.Validate);
    }

    [Test]
    public async Task A_client_certificate_without_its_private_key_is_refused_before_connecting()
    {
        using X509Certificate2 publicOnly = X509CertificateLoader.LoadCertificate(_good.RawData);
        await Assert.ThrowsAsync<ArgumentException>(() => _ledger.ConnectAsync(o => Present(o, publicOnly)));
    }

    [Test]
    public void An_undefined_revocation_mode_is_refused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new LedgerTcpClientCertificateOptions { RevocationMode = (X509RevocationMode)42 });

    private static LedgerTcpClientCertificateOptions Trusting(X509Certificate2 authority)
    {
        // The test authority publishes no revocation list (see the default's own test).
        var options = new LedgerTcpClientCertificateOptions { RevocationMode = X509RevocationMode.NoCheck };
        options.TrustedRoots.Add(authority);
        return options;
    }

    private static string Colons(string hex) =>
        string.Join(':', Enumerable.Range(0, hex.Length / 2).Select(i => hex.Substring(i * 2, 2)));

    private static async Task<LedgerTcpConnectionException> RefusedAsync(TestLedger ledger, Action<LedgerTcpClientOptions> configure)
    {
        LedgerTcpConnectionException refused = await Assert.ThrowsAsync<LedgerTcpConnectionException>(() => ledger.ConnectAsync(configure));
        Assert.That(refused.Message, Does.Contain("refused the TLS handshake"));
        return refused;
    }

    private Task<TestLedger> StartAsync(LedgerTcpClientCertificateOptions clients, ListLogger log, string? token = null) =>
        TestLedger.StartAsync(
            o =>
            {
                o.Certificate = _serverCertificate;
                o.HandshakeTimeout = TimeSpan.FromSeconds(5);
                o.ClientCertificates = clients;
                o.AuthToken = token;
            },
            logger: log);

    private void Present(LedgerTcpClientOptions options, X509Certificate2 certificate)
    {
        options.Tls = TrustingServer();
        options.ClientCertificate = certificate;
    }

    private SslClientAuthenticationOptions TrustingServer()
    {
        string expected = _serverCertificate.GetCertHashString();
        return new SslClientAuthenticationOptions
        {
            TargetHost = "localhost",
            RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate is not null && certificate.GetCertHashString() == expected,
        };
    }
}
