using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace OkvActors.Pki.Certificates;

/// <summary>
/// The SHA-256 of a SubjectPublicKeyInfo, in lower-case hex. It names a key pair, so a CSR and the
/// certificate later issued for it have the same fingerprint: that is what an operator approves and
/// what the controller revokes.
/// </summary>
public static class Fingerprint
{
    public static string Of(PublicKey publicKey) => Hash(publicKey.ExportSubjectPublicKeyInfo());

    public static string Of(X509Certificate2 certificate) => Of(certificate.PublicKey);

    public static string Of(CertificateRequest request) => Of(request.PublicKey);

    private static string Hash(byte[] spki) => Convert.ToHexStringLower(SHA256.HashData(spki));

    /// <summary>Accepts what an operator may paste: any case, with or without ':' separators.</summary>
    public static string Normalize(string fingerprint) =>
        fingerprint.Replace(":", "", StringComparison.Ordinal).Trim().ToLowerInvariant();

    /// <summary>The first 16 hex digits, enough for people to compare in a table.</summary>
    public static string Short(string fingerprint) => fingerprint.Length <= 16 ? fingerprint : fingerprint[..16];
}
