using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using NUnit.Framework;

namespace LedgerCore.Tcp.Tests;

/// <summary>TLS with a self-signed certificate made in the test, and the shared-secret token.</summary>
public sealed class SecurityTests
{
    private const string Token = "s3cret-token";
    private X509Certificate2 _certificate = null!;
    private TestLedger _ledger = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _certificate = TestCertificates.SelfSigned();
        _ledger = await TestLedger.StartAsync(o =>
        {
            o.Certificate = _certificate;
            o.AuthToken = Token;
            o.HandshakeTimeout = TimeSpan.FromSeconds(2);
        });
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await _ledger.DisposeAsync();
        _certificate.Dispose();
    }

    [Test]
    public async Task Tls_with_the_right_token_is_accepted_and_works()
    {
        await using LedgerTcpClient client = await _ledger.ConnectAsync(o =>
        {
            o.AuthToken = Token;
            o.Tls = TrustingOnly(_certificate);
        });
        Assert.That(await client.CreateAccountsAsync(new[] { new Account { Id = 1, Ledger = 1, Code = 1 } }), Is.Empty);
        Assert.That(await client.LookupAccountsAsync(new UInt128[] { 1 }), Has.Length.EqualTo(1));
    }

    [Test]
    public async Task Wrong_token_is_refused_with_authentication_failed()
    {
        LedgerTcpException refused = await Assert.ThrowsAsync<LedgerTcpException>(() => _ledger.ConnectAsync(o =>
        {
            o.AuthToken = "wrong";
            o.Tls = TrustingOnly(_certificate);
        }));
        Assert.That(refused.Code, Is.EqualTo(LedgerTcpErrorCode.AuthenticationFailed));
    }

    [Test]
    public async Task Missing_token_is_refused_with_authentication_failed()
    {
        LedgerTcpException refused = await Assert.ThrowsAsync<LedgerTcpException>(() => _ledger.ConnectAsync(o => o.Tls = TrustingOnly(_certificate)));
        Assert.That(refused.Code, Is.EqualTo(LedgerTcpErrorCode.AuthenticationFailed));
    }

    [Test]
    public async Task Client_refuses_a_certificate_it_does_not_trust()
    {
        await Assert.ThrowsAsync<AuthenticationException>(() => _ledger.ConnectAsync(o =>
        {
            o.AuthToken = Token;
            o.Tls = new SslClientAuthenticationOptions { TargetHost = "localhost" };
        }));
    }

    [Test]
    public async Task Plaintext_client_against_a_tls_server_gets_nowhere_and_the_server_goes_on()
    {
        Exception? failure = null;
        try
        {
            await using LedgerTcpClient client = await _ledger.ConnectAsync(o =>
            {
                o.AuthToken = Token;
                o.ConnectTimeout = TimeSpan.FromSeconds(3);
            });
        }
#pragma warning disable CA1031 // Any failure is the expected outcome; which one depends on timing.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            failure = ex;
        }

        Assert.That(failure, Is.Not.Null);
        await using LedgerTcpClient good = await _ledger.ConnectAsync(o =>
        {
            o.AuthToken = Token;
            o.Tls = TrustingOnly(_certificate);
        });
        Assert.That(await good.PingAsync(), Is.GreaterThan(TimeSpan.Zero));
    }

    [Test]
    public async Task Token_without_tls_on_loopback_is_checked_too()
    {
        await using TestLedger plain = await TestLedger.StartAsync(o => o.AuthToken = Token);
        await using (LedgerTcpClient client = await plain.ConnectAsync(o => o.AuthToken = Token))
        {
            Assert.That(await client.PingAsync(), Is.GreaterThan(TimeSpan.Zero));
        }

        LedgerTcpException refused = await Assert.ThrowsAsync<LedgerTcpException>(() => plain.ConnectAsync(o => o.AuthToken = "nope"));
        Assert.That(refused.Code, Is.EqualTo(LedgerTcpErrorCode.AuthenticationFailed));
    }

    [Test]
    public void Listening_beyond_loopback_without_tls_is_refused()
    {
        var options = new LedgerTcpServerOptions { Address = System.Net.IPAddress.Any };
        Assert.Throws<ArgumentException>(options.Validate);
    }

    private static SslClientAuthenticationOptions TrustingOnly(X509Certificate2 expected) => new()
    {
        TargetHost = "localhost",
        RemoteCertificateValidationCallback = (_, certificate, _, _) =>
            certificate is not null && certificate.GetCertHashString() == expected.GetCertHashString(),
    };
}
