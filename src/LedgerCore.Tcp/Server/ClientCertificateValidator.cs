using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;

namespace LedgerCore.Tcp;

/// <summary>
/// The server's copy of <see cref="LedgerTcpClientCertificateOptions"/>, taken at construction, and the
/// check each TLS handshake runs on the client's certificate.
/// </summary>
internal sealed class ClientCertificateValidator
{
    private const string ClientAuthenticationOid = "1.3.6.1.5.5.7.3.2";

    private readonly bool _required;
    private readonly bool _checkChain;
    private readonly string[] _pins;
    private readonly X509ChainPolicy _chainPolicy;
    private readonly ILogger _logger;

    /// <exception cref="ArgumentException">See <see cref="LedgerTcpClientCertificateOptions.Validate"/>.</exception>
    public ClientCertificateValidator(LedgerTcpClientCertificateOptions options, ILogger logger)
    {
        _pins = options.Validate();
        _required = options.Required;
        _checkChain = options.TrustedRoots.Count > 0;
        _logger = logger;

        // Custom root trust even when only pins are checked, so that no handshake consults the machine's stores
        // or fetches anything for a certificate that is then judged by its pin alone.
        _chainPolicy = new X509ChainPolicy
        {
            TrustMode = X509ChainTrustMode.CustomRootTrust,
            RevocationMode = _checkChain ? options.RevocationMode : X509RevocationMode.NoCheck,
            RevocationFlag = X509RevocationFlag.ExcludeRoot,
            DisableCertificateDownloads = true,
        };
        _chainPolicy.CustomTrustStore.AddRange(options.TrustedRoots);
        _chainPolicy.ApplicationPolicy.Add(new Oid(ClientAuthenticationOid));
    }

    /// <summary>Makes <paramref name="tls"/> ask for a client certificate and check it as configured.</summary>
    public void Apply(SslServerAuthenticationOptions tls, EndPoint? remote)
    {
        // "Required" at the TLS layer means "request one"; whether its absence is fatal is decided in the callback.
        tls.ClientCertificateRequired = true;
        tls.CertificateChainPolicy = _chainPolicy; // SslStream clones it for each handshake.
        tls.RemoteCertificateValidationCallback = (_, certificate, chain, errors) =>
        {
            string? refusal = Check(certificate, chain, errors, out string thumbprint);
            if (refusal is null)
            {
                if (certificate is not null) TcpLog.ClientCertificateAccepted(_logger, remote?.ToString(), certificate.Subject, thumbprint);
                return true;
            }

            TcpLog.ClientCertificateRefused(_logger, remote?.ToString(), refusal);
            return false;
        };
    }

    /// <summary>The checks, in their documented order; null when the certificate is accepted, else why not.</summary>
    internal string? Check(X509Certificate? presented, X509Chain? chain, SslPolicyErrors errors, out string thumbprint)
    {
        thumbprint = string.Empty;
        if (presented is null) return _required ? "no client certificate was presented" : null;

        thumbprint = presented.GetCertHashString(HashAlgorithmName.SHA256);
        string who = $"certificate {presented.Subject} (SHA-256 {thumbprint})";
        if (presented is not X509Certificate2 certificate) return $"{who} could not be read";

        DateTime now = DateTime.Now;
        if (now < certificate.NotBefore) return $"{who} is not valid before {certificate.NotBefore.ToUniversalTime():u}";
        if (now > certificate.NotAfter) return $"{who} expired at {certificate.NotAfter.ToUniversalTime():u}";
        if (!AllowsClientAuthentication(certificate)) return $"{who} does not allow client authentication (extended key usage)";

        if (_checkChain && (errors & SslPolicyErrors.RemoteCertificateChainErrors) != 0)
        {
            return $"{who} does not chain to a trusted root: {ChainStatus(chain)}";
        }

        if (_pins.Length > 0 && Array.IndexOf(_pins, thumbprint) < 0) return $"{who} is not pinned";
        return null;
    }

    private static bool AllowsClientAuthentication(X509Certificate2 certificate)
    {
        foreach (X509Extension extension in certificate.Extensions)
        {
            if (extension is not X509EnhancedKeyUsageExtension usage) continue;
            foreach (Oid oid in usage.EnhancedKeyUsages)
            {
                if (oid.Value == ClientAuthenticationOid) return true;
            }

            return false;
        }

        return true; // No extended key usage: not restricted.
    }

    private static string ChainStatus(X509Chain? chain)
    {
        if (chain is null || chain.ChainStatus.Length == 0) return "chain not built";
        var flags = X509ChainStatusFlags.NoError;
        foreach (X509ChainStatus status in chain.ChainStatus) flags |= status.Status;
        return flags.ToString();
    }
}
