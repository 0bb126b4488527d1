using System.Security.Cryptography;

namespace OkvActors.Crypto.Operations;

public enum SignatureAlgorithm
{
    /// <summary>RSASSA-PSS, MGF1 with the same hash, salt as long as the hash.</summary>
    RsaPssSha256,
    RsaPssSha384,
    RsaPssSha512,

    /// <summary>RSASSA-PKCS1-v1_5.</summary>
    RsaPkcs1Sha256,
    RsaPkcs1Sha384,
    RsaPkcs1Sha512,

    /// <summary>ECDSA; the signature is the DER SEQUENCE { r, s } (RFC 3279, what X.509 and JCA use).</summary>
    EcdsaSha256,
    EcdsaSha384,
    EcdsaSha512,
}

/// <summary>Signs with a PKCS#8 private key and verifies with an SPKI public key; the data is hashed here.</summary>
public static class Signer
{
    public static byte[] Sign(SignatureAlgorithm algorithm, ReadOnlySpan<byte> privateKeyPkcs8, ReadOnlySpan<byte> data)
    {
        var (hash, rsaPadding) = Describe(algorithm);
        var operation = $"{Name(algorithm)} signing";
        try
        {
            if (rsaPadding is not null)
            {
                using var rsa = AsymmetricKeys.RsaPrivate(privateKeyPkcs8, operation);
                return rsa.SignData(data, hash, rsaPadding);
            }

            using var ecdsa = AsymmetricKeys.EcPrivate(privateKeyPkcs8, operation);
            return ecdsa.SignData(data, hash, DSASignatureFormat.Rfc3279DerSequence);
        }
        catch (CryptographicException e)
        {
            throw new CryptoOperationException(CryptoProblem.InvalidKey, $"{operation} failed: the key cannot make this signature", e);
        }
    }

    /// <summary>
    /// True when <paramref name="signature"/> is a valid signature of <paramref name="data"/>; false for any
    /// other signature, including a malformed one. Throws only for a key that does not fit the algorithm.
    /// </summary>
    public static bool Verify(SignatureAlgorithm algorithm, ReadOnlySpan<byte> publicKeySpki, ReadOnlySpan<byte> data,
        ReadOnlySpan<byte> signature)
    {
        var (hash, rsaPadding) = Describe(algorithm);
        var operation = $"{Name(algorithm)} verification";
        try
        {
            if (rsaPadding is not null)
            {
                using var rsa = AsymmetricKeys.RsaPublic(publicKeySpki, operation);
                return rsa.VerifyData(data, signature, hash, rsaPadding);
            }

            using var ecdsa = AsymmetricKeys.EcPublic(publicKeySpki, operation);
            return ecdsa.VerifyData(data, signature, hash, DSASignatureFormat.Rfc3279DerSequence);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    private static (HashAlgorithmName Hash, RSASignaturePadding? RsaPadding) Describe(SignatureAlgorithm algorithm) =>
        algorithm switch
        {
            SignatureAlgorithm.RsaPssSha256 => (HashAlgorithmName.SHA256, RSASignaturePadding.Pss),
            SignatureAlgorithm.RsaPssSha384 => (HashAlgorithmName.SHA384, RSASignaturePadding.Pss),
            SignatureAlgorithm.RsaPssSha512 => (HashAlgorithmName.SHA512, RSASignaturePadding.Pss),
            SignatureAlgorithm.RsaPkcs1Sha256 => (HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
            SignatureAlgorithm.RsaPkcs1Sha384 => (HashAlgorithmName.SHA384, RSASignaturePadding.Pkcs1),
            SignatureAlgorithm.RsaPkcs1Sha512 => (HashAlgorithmName.SHA512, RSASignaturePadding.Pkcs1),
            SignatureAlgorithm.EcdsaSha256 => (HashAlgorithmName.SHA256, null),
            SignatureAlgorithm.EcdsaSha384 => (HashAlgorithmName.SHA384, null),
            SignatureAlgorithm.EcdsaSha512 => (HashAlgorithmName.SHA512, null),
            _ => throw new CryptoOperationException(CryptoProblem.Unsupported,
                $"signature algorithm {(int)algorithm} is not one this library offers"),
        };

    private static string Name(SignatureAlgorithm algorithm) => algorithm switch
    {
        SignatureAlgorithm.RsaPssSha256 => "RSA-PSS with SHA-256",
        SignatureAlgorithm.RsaPssSha384 => "RSA-PSS with SHA-384",
        SignatureAlgorithm.RsaPssSha512 => "RSA-PSS with SHA-512",
        SignatureAlgorithm.RsaPkcs1Sha256 => "RSA PKCS#1 v1.5 with SHA-256",
        SignatureAlgorithm.RsaPkcs1Sha384 => "RSA PKCS#1 v1.5 with SHA-384",
        SignatureAlgorithm.RsaPkcs1Sha512 => "RSA PKCS#1 v1.5 with SHA-512",
        SignatureAlgorithm.EcdsaSha256 => "ECDSA with SHA-256",
        SignatureAlgorithm.EcdsaSha384 => "ECDSA with SHA-384",
        _ => "ECDSA with SHA-512",
    };
}
