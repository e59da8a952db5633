using System.Security.Cryptography.X509Certificates;

namespace LedgerCore.Tcp;

/// <summary>
/// Mutual TLS: how a <see cref="LedgerTcpServer"/> checks the certificates its clients present (see
/// <see cref="LedgerTcpServerOptions.ClientCertificates"/>). A certificate is accepted when it is within
/// its validity period, allows client authentication (its extended key usage, if it has one, includes
/// clientAuth), chains to one of <see cref="TrustedRoots"/> (when any are given) and has a SHA-256
/// thumbprint among <see cref="PinnedSha256Thumbprints"/> (when any are given). At least one of the two
/// lists must be filled.
/// </summary>
/// <remarks>Not thread-safe; configure before handing to the server, which copies what it needs.</remarks>
public sealed class LedgerTcpClientCertificateOptions
{
    private X509RevocationMode _revocationMode = X509RevocationMode.Online;

    /// <summary>
    /// Whether a client must present a certificate (true by default). When false, a client without one
    /// is let through to the handshake (where <see cref="LedgerTcpServerOptions.AuthToken"/>, if set,
    /// still applies), but a certificate that is presented must pass every check.
    /// </summary>
    public bool Required { get; set; } = true;

    /// <summary>
    /// The certification authorities a client certificate must chain to. Only these are trusted: the
    /// machine's certificate stores are not consulted, and missing intermediates are not downloaded (the
    /// client must send them). Empty: the chain is not checked, only <see cref="PinnedSha256Thumbprints"/>.
    /// </summary>
    public X509Certificate2Collection TrustedRoots { get; } = [];

    /// <summary>
    /// The SHA-256 hashes of the exact client certificates allowed, as hexadecimal (64 digits, any case,
    /// optionally separated by colons). Empty: any certificate that chains to <see cref="TrustedRoots"/>.
    /// With both set, a certificate must pass both.
    /// </summary>
    public ICollection<string> PinnedSha256Thumbprints { get; } = new List<string>();

    /// <summary>
    /// How the revocation of a certificate chained to <see cref="TrustedRoots"/> is checked;
    /// <see cref="X509RevocationMode.Online"/> by default, which fails closed: a certificate whose
    /// revocation status cannot be established (no reachable CRL) is refused. Use
    /// <see cref="X509RevocationMode.NoCheck"/> for a private authority that publishes no revocation
    /// lists. Not applied to pinned-only checks: unpin a certificate to revoke it.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Not a defined <see cref="X509RevocationMode"/>.</exception>
    public X509RevocationMode RevocationMode
    {
        get => _revocationMode;
        set => _revocationMode = Enum.IsDefined(value) ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "Not a revocation mode.");
    }

    /// <summary>Checks that something is trusted and that every pin is a SHA-256 hash; returns the pins in upper-case hexadecimal.</summary>
    /// <exception cref="ArgumentException">Neither roots nor pins, or a pin that is not 64 hexadecimal digits.</exception>
    internal string[] Validate()
    {
        if (TrustedRoots.Count == 0 && PinnedSha256Thumbprints.Count == 0)
        {
            throw new ArgumentException("Client certificates need TrustedRoots, PinnedSha256Thumbprints or both: otherwise no certificate could be trusted.", nameof(LedgerTcpServerOptions.ClientCertificates));
        }

        var pins = new string[PinnedSha256Thumbprints.Count];
        int i = 0;
        foreach (string? pin in PinnedSha256Thumbprints)
        {
            string hex = (pin ?? string.Empty).Replace(":", string.Empty, StringComparison.Ordinal).ToUpperInvariant();
            if (hex.Length != 64 || !IsHex(hex))
            {
                throw new ArgumentException($"'{pin}' is not a SHA-256 thumbprint (64 hexadecimal digits).", nameof(LedgerTcpServerOptions.ClientCertificates));
            }

            pins[i++] = hex;
        }

        return pins;
    }

    private static bool IsHex(string value)
    {
        foreach (char c in value)
        {
            if (!char.IsAsciiHexDigit(c)) return false;
        }

        return true;
    }
}
