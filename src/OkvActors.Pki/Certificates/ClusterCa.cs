using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace OkvActors.Pki.Certificates;

/// <summary>
/// The cluster's own certificate authority. Everything that talks to a node (other nodes, endpoints,
/// operators) holds a certificate it issued; nothing else is trusted. The CA key exists in memory only
/// while an operator's passphrase has unsealed it.
/// </summary>
public sealed class ClusterCa : IDisposable
{
    private static readonly Oid ServerAuth = new("1.3.6.1.5.5.7.3.1");
    private static readonly Oid ClientAuth = new("1.3.6.1.5.5.7.3.2");

    private readonly ECDsa _key;

    private ClusterCa(X509Certificate2 certificate, ECDsa key)
    {
        Certificate = certificate;
        _key = key;
    }

    public X509Certificate2 Certificate { get; }

    public string ClusterName => Certificate.SubjectName.GetSingleValue("O") ?? "";

    public static ClusterCa Create(string clusterName, TimeProvider? time = null)
    {
        NodeNames.Validate(clusterName, "cluster name");
        var now = (time ?? TimeProvider.System).GetUtcNow();
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(
            new X500DistinguishedName($"CN={clusterName} cluster CA, O={clusterName}"), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(
            X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var certificate = request.CreateSelfSigned(now.AddMinutes(-5), now.AddYears(20));
        return new ClusterCa(X509CertificateLoader.LoadCertificate(certificate.RawData), key);
    }

    public static ClusterCa Load(string certificatePem, string keyPem)
    {
        return Bind(Pem.ReadCertificate(certificatePem), Pem.ReadPrivateKey(keyPem));
    }

    private static ClusterCa Bind(X509Certificate2 certificate, ECDsa key)
    {
        using var publicKey = certificate.GetECDsaPublicKey();
        if (publicKey is null || !publicKey.ExportSubjectPublicKeyInfo().AsSpan()
                .SequenceEqual(key.ExportSubjectPublicKeyInfo()))
        {
            key.Dispose();
            throw new PkiException("the CA key does not belong to the CA certificate");
        }

        return new ClusterCa(certificate, key);
    }

    public string ExportKeyPem() => Pem.PrivateKey(_key);

    /// <summary>The CA key as PKCS#8 bytes, for sealing; the caller zeroes them.</summary>
    public byte[] ExportKeyPkcs8() => _key.ExportPkcs8PrivateKey();

    /// <summary>Loads the CA from its certificate and an unsealed PKCS#8 key.</summary>
    public static ClusterCa Load(X509Certificate2 certificate, ReadOnlySpan<byte> pkcs8)
    {
        var key = ECDsa.Create();
        try
        {
            key.ImportPkcs8PrivateKey(pkcs8, out _);
        }
        catch (CryptographicException e)
        {
            key.Dispose();
            throw new PkiException("the unsealed CA key is not a valid EC key", e);
        }

        return Bind(X509CertificateLoader.LoadCertificate(certificate.RawData), key);
    }

    /// <summary>Issues a node certificate for a CSR the operator approved; the subject is ours, not the CSR's.</summary>
    public X509Certificate2 IssueNode(SigningRequest csr, TimeSpan validity, TimeProvider? time = null)
    {
        var request = new CertificateRequest(SubjectFor(csr.Name, CertificateRole.Node), csr.PublicKey, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(csr.Name);
        foreach (var address in csr.Addresses)
        {
            san.AddIpAddress(address);
        }

        request.CertificateExtensions.Add(san.Build());
        return Issue(request, CertificateRole.Node, validity, time);
    }

    /// <summary>Issues a certificate for a public key with the given role, e.g. an endpoint's or an operator's.</summary>
    public X509Certificate2 Issue(string name, CertificateRole role, PublicKey publicKey, TimeSpan validity, TimeProvider? time = null,
        DateTimeOffset? notBefore = null)
    {
        NodeNames.Validate(name, "identity name");
        var request = new CertificateRequest(SubjectFor(name, role), publicKey, HashAlgorithmName.SHA256);
        return Issue(request, role, validity, time, notBefore);
    }

    /// <summary>Makes a key pair and a certificate for it in one step (development identities, tests).</summary>
    public (X509Certificate2 Certificate, ECDsa Key) IssueWithNewKey(string name, CertificateRole role, TimeSpan validity,
        TimeProvider? time = null, DateTimeOffset? notBefore = null)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=unused", key, HashAlgorithmName.SHA256);
        return (Issue(name, role, request.PublicKey, validity, time, notBefore), key);
    }

    private X500DistinguishedName SubjectFor(string name, CertificateRole role) =>
        new($"CN={name}, OU={role.ToOu()}, O={ClusterName}");

    private X509Certificate2 Issue(CertificateRequest request, CertificateRole role, TimeSpan validity, TimeProvider? time,
        DateTimeOffset? notBefore = null)
    {
        var start = notBefore ?? (time ?? TimeProvider.System).GetUtcNow().AddMinutes(-5);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(
            X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyAgreement, true));
        var usages = new OidCollection { ClientAuth };
        if (role == CertificateRole.Node)
        {
            usages.Add(ServerAuth);
        }

        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(usages, false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Certificate, true, false));
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        var notAfter = start + validity;
        if (notAfter > Certificate.NotAfter)
        {
            notAfter = Certificate.NotAfter;
        }

        using var issued = request.Create(Certificate.SubjectName, X509SignatureGenerator.CreateForECDsa(_key), start, notAfter, serial);
        return X509CertificateLoader.LoadCertificate(issued.RawData);
    }

    public void Dispose()
    {
        _key.Dispose();
        Certificate.Dispose();
    }
}
