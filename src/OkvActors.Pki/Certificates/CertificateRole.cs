namespace OkvActors.Pki.Certificates;

/// <summary>
/// What a certificate issued by the cluster CA may be used for. The role is written into the
/// subject's OU so that a validator can tell an endpoint from a node without a registry lookup.
/// </summary>
public enum CertificateRole
{
    /// <summary>A cluster member: node-to-node remoting (server and client usage).</summary>
    Node,

    /// <summary>A KMIP/REST client (client usage only).</summary>
    Endpoint,

    /// <summary>A human operator for the management listener and console (client usage only).</summary>
    Operator,
}

public static class CertificateRoleNames
{
    public static string ToOu(this CertificateRole role) => role switch
    {
        CertificateRole.Node => "okv-node",
        CertificateRole.Endpoint => "okv-endpoint",
        CertificateRole.Operator => "okv-operator",
        _ => throw new ArgumentOutOfRangeException(nameof(role), role, null),
    };

    /// <summary>The role the cluster CA wrote into the certificate's subject, or null for none of ours.</summary>
    public static CertificateRole? RoleOf(System.Security.Cryptography.X509Certificates.X509Certificate2 certificate) =>
        FromOu(certificate.SubjectName.GetSingleValue("OU"));

    public static CertificateRole? FromOu(string? ou) => ou switch
    {
        "okv-node" => CertificateRole.Node,
        "okv-endpoint" => CertificateRole.Endpoint,
        "okv-operator" => CertificateRole.Operator,
        _ => null,
    };
}
