using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Http;
using OkvActors.Cluster.Hosting;
using OkvActors.KeyStore.Access;
using OkvActors.Pki.Certificates;

namespace OkvActors.Rest;

/// <summary>
/// Who a request acts as, decided from the client certificate the TLS handshake accepted: an operator
/// certificate acts as that operator (named by its common name, as on the management listener), an
/// endpoint certificate as the endpoint an operator registered for its fingerprint (as on KMIP).
/// </summary>
public sealed record RestCaller(Principal Principal, string Fingerprint)
{
    public bool IsOperator => Principal is Principal.Operator;

    public static RestCaller Of(HttpContext context) =>
        context.Features.Get<RestCaller>() ?? throw new InvalidOperationException("the identity middleware did not run");
}

/// <summary>Resolves <see cref="RestCaller"/> for each request, or says why the certificate may not act.</summary>
internal sealed class RestIdentities(NodeHost node)
{
    private const string FingerprintItem = "okv.fingerprint";

    /// <summary>The certificate's fingerprint, computed once per request (the rate limiter partitions by it).</summary>
    public static string FingerprintOf(HttpContext context)
    {
        if (context.Items.TryGetValue(FingerprintItem, out var known) && known is string fingerprint)
        {
            return fingerprint;
        }

        var certificate = context.Connection.ClientCertificate;
        fingerprint = certificate is null ? "" : Fingerprint.Of(certificate);
        context.Items[FingerprintItem] = fingerprint;
        return fingerprint;
    }

    /// <summary>The caller, or the reason (forbidden) this certificate may not use the API.</summary>
    public async Task<(RestCaller? Caller, string? Refusal)> Resolve(HttpContext context)
    {
        var certificate = context.Connection.ClientCertificate;
        if (certificate is null)
        {
            // Kestrel requires a certificate at the handshake; this is only reachable if that ever changed.
            return (null, "a client certificate of the cluster CA is required");
        }

        var fingerprint = FingerprintOf(context);
        if (node.Revocations.IsRevoked(fingerprint))
        {
            // Revoked after this connection's handshake: refused from the next request on.
            return (null, $"certificate {Fingerprint.Short(fingerprint)} has been revoked");
        }

        switch (CertificateRoleNames.RoleOf(certificate))
        {
            case CertificateRole.Operator:
                return (new RestCaller(new Principal.Operator(certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false)), fingerprint), null);
            case CertificateRole.Endpoint:
                var registry = await node.Vault.AccessAsync(context.RequestAborted);
                return registry.EndpointByFingerprint(fingerprint) is { } endpoint
                    ? (new RestCaller(new Principal.Endpoint(endpoint.Name), fingerprint), null)
                    : (null, $"certificate {Fingerprint.Short(fingerprint)} is not registered as an endpoint "
                             + "(an operator adds it with `okv endpoint add` or POST /v1/endpoints)");
            default:
                return (null, "only endpoint and operator certificates may use the REST API");
        }
    }
}
