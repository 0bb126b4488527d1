using System.Security.Cryptography.X509Certificates;
using OkvActors.Pki.Certificates;

namespace OkvActors.Pki.Trust;

/// <summary>Why a peer certificate was refused; each has a sentence for the log.</summary>
public enum RefusalReason
{
    None,
    SelfSigned,
    NotIssuedByClusterCa,
    Expired,
    NotYetValid,
    MissingUsage,
    WrongRole,
    Revoked,
}

/// <summary>The outcome of checking a peer certificate: accepted, or refused with the reason.</summary>
public sealed record CertificateVerdict(RefusalReason Reason, string Subject, string Fingerprint, CertificateRole? Role, string Detail)
{
    public bool Accepted => Reason == RefusalReason.None;
}

/// <summary>
/// Decides whether a TLS peer belongs: its certificate must chain to the cluster CA (and only to it,
/// never to the OS trust store), be valid now, carry the usage the link needs, have an allowed role,
/// and not be revoked. Actor-free so the same rules serve remoting, KMIP and HTTPS.
/// </summary>
public sealed class PeerCertificateValidator(
    X509Certificate2 clusterCa,
    RevocationList revocations,
    IReadOnlySet<CertificateRole> allowedRoles,
    TimeProvider? time = null)
{
    private const string ServerAuth = "1.3.6.1.5.5.7.3.1";
    private const string ClientAuth = "1.3.6.1.5.5.7.3.2";

    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly byte[] _caSpki = clusterCa.PublicKey.ExportSubjectPublicKeyInfo();

    public RevocationList Revocations => revocations;

    public CertificateVerdict Validate(X509Certificate2 certificate)
    {
        var subject = certificate.Subject;
        var fingerprint = Fingerprint.Of(certificate);
        var role = CertificateRoleNames.FromOu(certificate.SubjectName.GetSingleValue("OU"));
        CertificateVerdict Refuse(RefusalReason reason, string detail) => new(reason, subject, fingerprint, role, detail);

        if (certificate.SubjectName.RawData.AsSpan().SequenceEqual(certificate.IssuerName.RawData)
            && !certificate.PublicKey.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(_caSpki))
        {
            return Refuse(RefusalReason.SelfSigned, "self-signed certificate, not issued by the cluster CA");
        }

        if (certificate.PublicKey.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(_caSpki))
        {
            return Refuse(RefusalReason.WrongRole, "the CA certificate itself is not a peer identity");
        }

        var now = _time.GetUtcNow();
        using (var chain = new X509Chain())
        {
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(clusterCa);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            chain.ChainPolicy.VerificationTime = now.UtcDateTime;
            chain.ChainPolicy.VerificationTimeIgnored = false;
            chain.ChainPolicy.VerificationFlags = X509VerificationFlags.IgnoreNotTimeValid;
            var built = chain.Build(certificate);
            var rootMatches = chain.ChainElements.Count >= 2
                && chain.ChainElements[^1].Certificate.RawData.AsSpan().SequenceEqual(clusterCa.RawData);
            if (!built || !rootMatches)
            {
                var status = string.Join(", ", chain.ChainStatus.Select(s => s.Status.ToString()).Distinct());
                return Refuse(RefusalReason.NotIssuedByClusterCa,
                    $"not issued by this cluster's CA (issuer '{certificate.Issuer}'{(status.Length > 0 ? "; " + status : "")})");
            }
        }

        if (now.UtcDateTime > certificate.NotAfter.ToUniversalTime())
        {
            return Refuse(RefusalReason.Expired, $"expired on {certificate.NotAfter.ToUniversalTime():u}");
        }

        if (now.UtcDateTime < certificate.NotBefore.ToUniversalTime())
        {
            return Refuse(RefusalReason.NotYetValid, $"not valid before {certificate.NotBefore.ToUniversalTime():u}");
        }

        if (role is null || !allowedRoles.Contains(role.Value))
        {
            return Refuse(RefusalReason.WrongRole,
                $"role '{certificate.SubjectName.GetSingleValue("OU") ?? "none"}' may not use this link (allowed: {string.Join(", ", allowedRoles)})");
        }

        var usages = certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>()
            .SelectMany(e => e.EnhancedKeyUsages.Cast<System.Security.Cryptography.Oid>())
            .Select(o => o.Value)
            .ToHashSet();
        var needsServer = role == CertificateRole.Node;
        if (!usages.Contains(ClientAuth) || (needsServer && !usages.Contains(ServerAuth)))
        {
            return Refuse(RefusalReason.MissingUsage,
                needsServer ? "lacks the client and server authentication usages a node needs" : "lacks the client authentication usage");
        }

        if (revocations.IsRevoked(fingerprint))
        {
            return Refuse(RefusalReason.Revoked, "its fingerprint has been revoked by the controller");
        }

        return new CertificateVerdict(RefusalReason.None, subject, fingerprint, role, "accepted");
    }
}
