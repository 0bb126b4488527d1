using System.Security.Cryptography.X509Certificates;
using Akka.Event;
using Akka.Remote.Transport.DotNetty;
using OkvActors.Pki.Certificates;
using OkvActors.Pki.Trust;

namespace OkvActors.Cluster.Trust;

/// <summary>
/// Plugs <see cref="PeerCertificateValidator"/> into Akka.Remote's TLS handshake. HOCON alone would
/// validate against the OS trust store (every public CA); this trusts the cluster CA and nothing else,
/// only node certificates, and refuses revoked ones. Every refusal is logged with its reason.
/// </summary>
public static class RemotingTrust
{
    public static readonly IReadOnlySet<CertificateRole> RemotingRoles = new HashSet<CertificateRole> { CertificateRole.Node };

    public static DotNettySslSetup CreateSetup(X509Certificate2 certificate, X509Certificate2 ca, RevocationList revocations, TimeProvider time)
    {
        var validator = new PeerCertificateValidator(ca, revocations, RemotingRoles, time);
        return new DotNettySslSetup(
            certificate,
            suppressValidation: false,
            requireMutualAuthentication: true,
            validateCertificateHostname: false,
            customValidator: Callback(validator));
    }

    public static CertificateValidationCallback Callback(PeerCertificateValidator validator) =>
        (certificate, _, remotePeer, _, log) =>
        {
            if (certificate is null)
            {
                log.Warning("Refused TLS peer {0}: it presented no certificate", remotePeer);
                return false;
            }

            var verdict = validator.Validate(certificate);
            if (!verdict.Accepted)
            {
                log.Warning("Refused TLS peer {0} [{1}] fingerprint {2}: {3} ({4})",
                    remotePeer, verdict.Subject, Fingerprint.Short(verdict.Fingerprint), verdict.Detail, verdict.Reason);
            }

            return verdict.Accepted;
        };
}
