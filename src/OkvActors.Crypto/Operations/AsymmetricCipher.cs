using System.Security.Cryptography;

namespace OkvActors.Crypto.Operations;

/// <summary>The hash (and MGF1 hash) of RSA-OAEP.</summary>
public enum OaepHash
{
    Sha1,
    Sha256,
}

/// <summary>RSA-OAEP with an SPKI public key (encrypt) or a PKCS#8 private key (decrypt).</summary>
public static class AsymmetricCipher
{
    /// <summary>The most bytes one RSA-OAEP block carries: modulus bytes - 2 * hash bytes - 2.</summary>
    public static int MaxPlaintextLength(OaepHash hash, int modulusBits) => (modulusBits / 8) - (2 * HashLength(hash)) - 2;

    public static byte[] Encrypt(OaepHash hash, ReadOnlySpan<byte> publicKeySpki, ReadOnlySpan<byte> plaintext)
    {
        var padding = Padding(hash);
        using var rsa = AsymmetricKeys.RsaPublic(publicKeySpki, "RSA-OAEP encryption");
        var max = MaxPlaintextLength(hash, rsa.KeySize);
        if (plaintext.Length > max)
        {
            throw new CryptoOperationException(CryptoProblem.InvalidInput,
                $"RSA-OAEP with {Name(hash)} and a {rsa.KeySize}-bit key encrypts at most {max} bytes, not {plaintext.Length}");
        }

        return rsa.Encrypt(plaintext, padding);
    }

    /// <summary>Returns the plaintext; if it is key material, the caller zeroes it when done.</summary>
    public static byte[] Decrypt(OaepHash hash, ReadOnlySpan<byte> privateKeyPkcs8, ReadOnlySpan<byte> ciphertext)
    {
        var padding = Padding(hash);
        using var rsa = AsymmetricKeys.RsaPrivate(privateKeyPkcs8, "RSA-OAEP decryption");
        if (ciphertext.Length != rsa.KeySize / 8)
        {
            throw new CryptoOperationException(CryptoProblem.InvalidInput,
                $"RSA-OAEP ciphertext for a {rsa.KeySize}-bit key is {rsa.KeySize / 8} bytes, not {ciphertext.Length}");
        }

        try
        {
            return rsa.Decrypt(ciphertext, padding);
        }
        catch (CryptographicException e)
        {
            throw new CryptoOperationException(CryptoProblem.DecryptionFailed,
                $"RSA-OAEP ({Name(hash)}) decryption failed: wrong key or hash, or the ciphertext was altered", e);
        }
    }

    private static RSAEncryptionPadding Padding(OaepHash hash) => hash switch
    {
        OaepHash.Sha1 => RSAEncryptionPadding.OaepSHA1,
        OaepHash.Sha256 => RSAEncryptionPadding.OaepSHA256,
        _ => throw Unsupported(hash),
    };

    private static int HashLength(OaepHash hash) => hash switch
    {
        OaepHash.Sha1 => SHA1.HashSizeInBytes,
        OaepHash.Sha256 => SHA256.HashSizeInBytes,
        _ => throw Unsupported(hash),
    };

    private static CryptoOperationException Unsupported(OaepHash hash) =>
        new(CryptoProblem.Unsupported, $"RSA-OAEP hash {(int)hash} is not one this library offers (SHA-1, SHA-256)");

    private static string Name(OaepHash hash) => hash == OaepHash.Sha1 ? "SHA-1" : "SHA-256";
}
