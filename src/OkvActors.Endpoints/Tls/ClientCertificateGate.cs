using System.Net;
using System.Security.Cryptography.X509Certificates;
using Akka.Event;
using OkvActors.Pki.Certificates;
using OkvActors.Pki.Trust;

namespace OkvActors.Endpoints.Tls;

/// <summary>
/// The one decision every client-certificate listener makes at the handshake (KMIP, management, HTTPS):
/// a certificate of the cluster CA with an allowed role, valid now, not revoked, or nothing. The refusal
/// reason is logged here, never sent: the client only sees a failed handshake.
/// </summary>
public sealed class ClientCertificateGate(string protocol, PeerCertificateValidator validator, ILoggingAdapter log)
{
    public RevocationList Revocations => validator.Revocations;

    /// <summary>The authenticated peer, or null when the certificate is refused (the reason is logged).</summary>
    public TlsPeer? Admit(X509Certificate? certificate, EndPoint? remote)
    {
        if (certificate is null)
        {
            log.Warning("Refused {0} client {1}: it presented no certificate", protocol, remote);
            return null;
        }

        using var presented = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        var verdict = validator.Validate(presented);
        if (!verdict.Accepted)
        {
            log.Warning("Refused {0} client {1} [{2}] fingerprint {3}: {4} ({5})",
                protocol, remote, verdict.Subject, Fingerprint.Short(verdict.Fingerprint), verdict.Detail, verdict.Reason);
            return null;
        }

        return new TlsPeer(verdict.Fingerprint, verdict.Subject,
            presented.GetNameInfo(X509NameType.SimpleName, forIssuer: false), verdict.Role!.Value, remote);
    }
}
