using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using OkvActors.Cluster.Storage;
using OkvActors.Crypto.Hsm;
using OkvActors.Pki.Certificates;
using OkvActors.Pki.Sealing;

namespace OkvActors.Cluster.Trust;

/// <summary>
/// What a running node holds in memory: its TLS identity, the cluster CA, and the cluster KEK
/// (unwrapped with the node's own key at start, or unsealed by the HSM node.json names; zeroed on dispose).
/// </summary>
public sealed class NodeCredentials : IDisposable
{
    public const string KekPurpose = "cluster-kek";
    public const string CaKeyPurpose = "cluster-ca-key";

    /// <summary>
    /// The environment variable that carries the HSM user PIN. Only the environment: a flag would show in
    /// the process list and shell history, node.json would put it on the disk the HSM is there to protect.
    /// </summary>
    public const string HsmPinVariable = "OKV_HSM_PIN";

    private byte[] _kek;

    private NodeCredentials(X509Certificate2 certificate, X509Certificate2 ca, byte[] kek)
    {
        Certificate = certificate;
        Ca = ca;
        _kek = kek;
        Fingerprint = Pki.Certificates.Fingerprint.Of(certificate);
    }

    /// <summary>
    /// The cluster CA with its key, unsealed from the node's data directory by the recovery passphrase (what
    /// `okv admit`, `okv issue` and REST enrolment sign with); the caller disposes it soon after.
    /// </summary>
    public static ClusterCa UnsealCa(NodeDirectory dir, string passphrase)
    {
        var caKey = PassphraseSeal.Unseal(File.ReadAllBytes(dir.SealedCaKeyFile), passphrase, CaKeyPurpose);
        try
        {
            using var caCertificate = Pem.ReadCertificate(File.ReadAllText(dir.CaFile));
            return ClusterCa.Load(caCertificate, caKey);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(caKey);
        }
    }

    /// <summary>Credentials from parts already in memory (actor tests); takes ownership of <paramref name="kek"/>.</summary>
    internal static NodeCredentials FromParts(X509Certificate2 certificate, X509Certificate2 ca, byte[] kek) => new(certificate, ca, kek);

    public X509Certificate2 Certificate { get; }

    public X509Certificate2 Ca { get; }

    public string Fingerprint { get; }

    /// <summary>The current KEK, for wrapping it to an admitted candidate. Never logged, never written in the clear.</summary>
    internal ReadOnlySpan<byte> Kek => Volatile.Read(ref _kek);

    /// <summary>
    /// A rotation made <paramref name="kek"/> the current KEK: admission hands candidates this one from now on
    /// (they learn older generations still in use from the replicated keyring).
    /// </summary>
    internal void UseKek(Crypto.Kek.KeyEncryptionKey kek)
    {
        var old = Interlocked.Exchange(ref _kek, kek.Export());
        CryptographicOperations.ZeroMemory(old);
    }

    public static NodeCredentials Load(NodeDirectory dir)
    {
        var keyPem = File.ReadAllText(dir.KeyFile);
        byte[] kek;
        if (dir.ReadManifest().Hsm is { } hsm)
        {
            kek = UnsealWithHsm(dir, hsm);
        }
        else
        {
            using var key = Pem.ReadPrivateKey(keyPem);
            kek = PublicKeyWrap.Unwrap(File.ReadAllBytes(dir.WrappedKekFile), key, KekPurpose);
        }

        try
        {
            var certificate = Pem.ReadCertificateWithKey(File.ReadAllText(dir.CertificateFile), keyPem);
            return new NodeCredentials(certificate, Pem.ReadCertificate(File.ReadAllText(dir.CaFile)), kek);
        }
        catch
        {
            CryptographicOperations.ZeroMemory(kek);
            throw;
        }
    }

    /// <summary>
    /// The PIN from <see cref="HsmPinVariable"/>, refused up front when absent so a node without it
    /// fails with one clear line rather than a PKCS#11 code.
    /// </summary>
    public static string HsmPin(HsmOptions hsm) =>
        Environment.GetEnvironmentVariable(HsmPinVariable) is { Length: > 0 } pin
            ? pin
            : throw new HsmException(HsmFailure.PinRefused,
                $"this node's cluster KEK is sealed by HSM token '{hsm.Token}': set {HsmPinVariable} to the token's user PIN");

    private static byte[] UnsealWithHsm(NodeDirectory dir, HsmOptions hsm)
    {
        var pin = HsmPin(hsm);
        if (!File.Exists(dir.HsmSealedKekFile))
        {
            throw new HsmException(HsmFailure.BlobRefused,
                $"node.json names HSM token '{hsm.Token}' but {dir.HsmSealedKekFile} is missing: restore it from a backup");
        }

        using var seal = HsmKekSeal.Open(hsm, pin);
        return seal.Unseal(File.ReadAllBytes(dir.HsmSealedKekFile));
    }

    public void Dispose()
    {
        CryptographicOperations.ZeroMemory(_kek);
        Certificate.Dispose();
        Ca.Dispose();
    }
}
