using System.Security.Cryptography;

namespace OkvActors.Crypto.Keys;

public enum SymmetricKeyAlgorithm
{
    Aes,
    HmacSha256,
    HmacSha384,
    HmacSha512,

    /// <summary>Opaque secret data of any whole number of bytes (KMIP Secret Data).</summary>
    GenericSecret,
}

public enum EcCurve
{
    P256,
    P384,
    P521,
}

/// <summary>
/// Creates key material from the OS CSPRNG. Lengths are in bits, as KMIP's Cryptographic Length is;
/// combinations this library would not use are refused rather than silently adjusted.
/// </summary>
public static class KeyGenerator
{
    public const int MaxGenericSecretBits = 8192;

    /// <summary>
    /// AES: 128, 192 or 256 bits. HMAC-SHA-n: from the hash's output length up to its block size
    /// (SHA-256: 256..512, SHA-384: 384..1024, SHA-512: 512..1024), whole bytes. Generic secret:
    /// 8..8192 bits, whole bytes. Returns a pinned array; the caller zeroes it when done.
    /// </summary>
    public static byte[] Symmetric(SymmetricKeyAlgorithm algorithm, int lengthBits)
    {
        CheckSymmetricLength(algorithm, lengthBits);
        return SecretBytes.Random(lengthBits / 8);
    }

    /// <summary>The length <see cref="Symmetric"/> uses when a request names none: AES-256, the hash length, 256 bits.</summary>
    public static int DefaultLengthBits(SymmetricKeyAlgorithm algorithm) => algorithm switch
    {
        SymmetricKeyAlgorithm.Aes => 256,
        SymmetricKeyAlgorithm.HmacSha256 => 256,
        SymmetricKeyAlgorithm.HmacSha384 => 384,
        SymmetricKeyAlgorithm.HmacSha512 => 512,
        SymmetricKeyAlgorithm.GenericSecret => 256,
        _ => throw UnknownAlgorithm(algorithm),
    };

    /// <summary>An RSA key pair of 2048, 3072 or 4096 bits (public exponent 65537).</summary>
    public static KeyPair Rsa(int modulusBits)
    {
        if (modulusBits is not (2048 or 3072 or 4096))
        {
            throw new CryptoOperationException(CryptoProblem.Unsupported,
                $"RSA keys are 2048, 3072 or 4096 bits, not {modulusBits}");
        }

        using var rsa = RSA.Create(modulusBits);
        // PKCS#8 of an RSA key: n, d and the five CRT values stay under 5 * modulus bytes plus the framing.
        return new KeyPair(KeyPairAlgorithm.Rsa, modulusBits, ExportPrivate(rsa, (modulusBits / 8 * 5) + 256),
            rsa.ExportSubjectPublicKeyInfo());
    }

    /// <summary>An EC key pair on P-256, P-384 or P-521 (named-curve parameters).</summary>
    public static KeyPair Ec(EcCurve curve)
    {
        var (namedCurve, sizeBits) = curve switch
        {
            EcCurve.P256 => (ECCurve.NamedCurves.nistP256, 256),
            EcCurve.P384 => (ECCurve.NamedCurves.nistP384, 384),
            EcCurve.P521 => (ECCurve.NamedCurves.nistP521, 521),
            _ => throw new CryptoOperationException(CryptoProblem.Unsupported,
                $"EC keys are on P-256, P-384 or P-521, not curve {(int)curve}"),
        };
        using var ecdsa = ECDsa.Create(namedCurve);
        return new KeyPair(KeyPairAlgorithm.Ec, sizeBits, ExportPrivate(ecdsa, 512), ecdsa.ExportSubjectPublicKeyInfo());
    }

    private static void CheckSymmetricLength(SymmetricKeyAlgorithm algorithm, int lengthBits)
    {
        if (algorithm == SymmetricKeyAlgorithm.Aes)
        {
            if (lengthBits is not (128 or 192 or 256))
            {
                throw new CryptoOperationException(CryptoProblem.Unsupported,
                    $"AES keys are 128, 192 or 256 bits, not {lengthBits}");
            }

            return;
        }

        var (name, min, max) = algorithm switch
        {
            SymmetricKeyAlgorithm.HmacSha256 => ("HMAC-SHA256", 256, 512),
            SymmetricKeyAlgorithm.HmacSha384 => ("HMAC-SHA384", 384, 1024),
            SymmetricKeyAlgorithm.HmacSha512 => ("HMAC-SHA512", 512, 1024),
            SymmetricKeyAlgorithm.GenericSecret => ("generic secret", 8, MaxGenericSecretBits),
            _ => throw UnknownAlgorithm(algorithm),
        };
        if (lengthBits < min || lengthBits > max || lengthBits % 8 != 0)
        {
            throw new CryptoOperationException(CryptoProblem.Unsupported,
                $"{name} keys are {min} to {max} bits in whole bytes, not {lengthBits}");
        }
    }

    private static CryptoOperationException UnknownAlgorithm(SymmetricKeyAlgorithm algorithm) =>
        new(CryptoProblem.Unsupported, $"symmetric key algorithm {(int)algorithm} is not one this library generates");

    private static byte[] ExportPrivate(AsymmetricAlgorithm key, int bound)
    {
        // Export into a pinned scratch buffer, then copy the exact length out: no unpinned copy of the key.
        var scratch = SecretBytes.Allocate(bound);
        try
        {
            if (!key.TryExportPkcs8PrivateKey(scratch, out var written))
            {
                throw new InvalidOperationException("the PKCS#8 export did not fit its buffer");
            }

            return SecretBytes.Copy(scratch.AsSpan(0, written));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(scratch);
        }
    }
}
