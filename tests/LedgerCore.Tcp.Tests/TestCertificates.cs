using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace LedgerCore.Tcp.Tests;

/// <summary>Certificates made at test time (server, authorities, clients); nothing is stored on disk.</summary>
internal static class TestCertificates
{
    private const string ServerAuthentication = "1.3.6.1.5.5.7.3.1";
    private const string ClientAuthentication = "1.3.6.1.5.5.7.3.2";

    public static X509Certificate2 SelfSigned(string subject = "localhost")
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={subject}", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(subject);
        names.AddIpAddress(System.Net.IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(ServerAuthentication)], critical: false));
        using X509Certificate2 certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1));
        return WithUsableKey(certificate);
    }

    /// <summary>A certification authority (with its private key, to sign client certificates).</summary>
    public static X509Certificate2 Authority(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        using X509Certificate2 certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        return WithUsableKey(certificate);
    }

    /// <summary>
    /// A client certificate signed by <paramref name="issuer"/>, or self-signed when it is null, valid
    /// from <paramref name="notBefore"/> to <paramref name="notAfter"/> (by default from five minutes ago
    /// for an hour), with the clientAuth extended key usage unless <paramref name="usage"/> says otherwise.
    /// </summary>
    public static X509Certificate2 Client(string subject, X509Certificate2? issuer, DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null, string usage = ClientAuthentication)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={subject}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: false, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(usage)], critical: false));
        DateTimeOffset from = notBefore ?? DateTimeOffset.UtcNow.AddMinutes(-5);
        DateTimeOffset to = notAfter ?? DateTimeOffset.UtcNow.AddHours(1);
        if (issuer is null)
        {
            using X509Certificate2 selfSigned = request.CreateSelfSigned(from, to);
            return WithUsableKey(selfSigned);
        }

        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        using X509Certificate2 signed = request.Create(issuer, from, to, RandomNumberGenerator.GetBytes(16));
        using X509Certificate2 withKey = signed.CopyWithPrivateKey(key);
        return WithUsableKey(withKey);
    }

    /// <summary>The SHA-256 thumbprint the server's pins are written in.</summary>
    public static string Sha256(X509Certificate2 certificate) => certificate.GetCertHashString(HashAlgorithmName.SHA256);

    /// <summary>Round-trips through PKCS#12 so the private key is usable by SslStream on every platform.</summary>
    private static X509Certificate2 WithUsableKey(X509Certificate2 certificate) =>
        X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), password: null);
}
