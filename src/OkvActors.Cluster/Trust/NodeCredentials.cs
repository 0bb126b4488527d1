using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using OkvActors.Cluster.Storage;
using OkvActors.Pki.Certificates;
using OkvActors.Pki.Sealing;

namespace OkvActors.Cluster.Trust;

/// <summary>
/// What a running node holds in memory: its TLS identity, the cluster CA, and the cluster KEK
/// (unwrapped with the node's own key at start, zeroed on dispose).
/// </summary>
public sealed class NodeCredentials : IDisposable
{
    public const string KekPurpose = "cluster-kek";
    public const string CaKeyPurpose = "cluster-ca-key";

    private readonly byte[] _kek;

    private NodeCredentials(X509Certificate2 certificate, X509Certificate2 ca, byte[] kek)
    {
        Certificate = certificate;
        Ca = ca;
        _kek = kek;
        Fingerprint = Pki.Certificates.Fingerprint.Of(certificate);
    }

    public X509Certificate2 Certificate { get; }

    public X509Certificate2 Ca { get; }

    public string Fingerprint { get; }

    /// <summary>The KEK, for wrapping it to an admitted candidate. Never logged, never written in the clear.</summary>
    internal ReadOnlySpan<byte> Kek => _kek;

    public static NodeCredentials Load(NodeDirectory dir)
    {
        var keyPem = File.ReadAllText(dir.KeyFile);
        var certificate = Pem.ReadCertificateWithKey(File.ReadAllText(dir.CertificateFile), keyPem);
        var ca = Pem.ReadCertificate(File.ReadAllText(dir.CaFile));
        using var key = Pem.ReadPrivateKey(keyPem);
        var kek = PublicKeyWrap.Unwrap(File.ReadAllBytes(dir.WrappedKekFile), key, KekPurpose);
        return new NodeCredentials(certificate, ca, kek);
    }

    public void Dispose()
    {
        CryptographicOperations.ZeroMemory(_kek);
        Certificate.Dispose();
        Ca.Dispose();
    }
}
