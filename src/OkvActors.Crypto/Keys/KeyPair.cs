using System.Security.Cryptography;

namespace OkvActors.Crypto.Keys;

public enum KeyPairAlgorithm
{
    Rsa,
    Ec,
}

/// <summary>
/// A generated key pair: the private key as PKCS#8 (in a pinned array, zeroed on Dispose) and the
/// public key as SubjectPublicKeyInfo. Wrap the private key under the KEK, then dispose the pair.
/// </summary>
public sealed class KeyPair : IDisposable
{
    private readonly byte[] _privateKeyPkcs8;
    private bool _disposed;

    internal KeyPair(KeyPairAlgorithm algorithm, int sizeBits, byte[] privateKeyPkcs8, byte[] publicKeySpki)
    {
        Algorithm = algorithm;
        SizeBits = sizeBits;
        _privateKeyPkcs8 = privateKeyPkcs8;
        PublicKeySpki = publicKeySpki;
    }

    public KeyPairAlgorithm Algorithm { get; }

    /// <summary>The RSA modulus length, or the EC curve's field size (256, 384, 521).</summary>
    public int SizeBits { get; }

    public byte[] PrivateKeyPkcs8
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _privateKeyPkcs8;
        }
    }

    public byte[] PublicKeySpki { get; }

    public void Dispose()
    {
        _disposed = true;
        CryptographicOperations.ZeroMemory(_privateKeyPkcs8);
    }
}
