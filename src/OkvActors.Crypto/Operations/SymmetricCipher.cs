using System.Security.Cryptography;

namespace OkvActors.Crypto.Operations;

public enum SymmetricMode
{
    /// <summary>AES-GCM: 12-byte nonce, 16-byte tag appended to the ciphertext, optional associated data.</summary>
    Gcm,

    /// <summary>AES-CBC with PKCS#7 (a.k.a. PKCS#5) padding: 16-byte IV, no associated data.</summary>
    Cbc,
}

/// <summary>The output of an encryption: the ciphertext (for GCM, ciphertext || 16-byte tag) and the IV or nonce used.</summary>
public readonly record struct EncryptionResult(byte[] Ciphertext, byte[] Iv);

/// <summary>AES encryption and decryption with an unwrapped key (16, 24 or 32 bytes).</summary>
public static class SymmetricCipher
{
    public const int GcmNonceLength = 12;
    public const int GcmTagLength = 16;
    public const int CbcIvLength = 16;

    /// <summary>
    /// Encrypts with the given IV/nonce, or with a fresh random one when <paramref name="iv"/> is empty.
    /// <paramref name="associatedData"/> is for GCM only.
    /// </summary>
    public static EncryptionResult Encrypt(SymmetricMode mode, ReadOnlySpan<byte> key, ReadOnlySpan<byte> plaintext,
        ReadOnlySpan<byte> iv = default, ReadOnlySpan<byte> associatedData = default)
    {
        CheckKey(key);
        var ivLength = IvLength(mode);
        CheckAssociatedData(mode, associatedData);
        byte[] ivBytes;
        if (iv.IsEmpty)
        {
            ivBytes = RandomNumberGenerator.GetBytes(ivLength);
        }
        else
        {
            CheckIv(mode, iv, ivLength);
            ivBytes = iv.ToArray();
        }

        if (mode == SymmetricMode.Gcm)
        {
            var output = new byte[plaintext.Length + GcmTagLength];
            using var gcm = new AesGcm(key, GcmTagLength);
            gcm.Encrypt(ivBytes, plaintext, output.AsSpan(0, plaintext.Length), output.AsSpan(plaintext.Length), associatedData);
            return new EncryptionResult(output, ivBytes);
        }

        using var aes = Aes.Create();
        aes.SetKey(key);
        return new EncryptionResult(aes.EncryptCbc(plaintext, ivBytes, PaddingMode.PKCS7), ivBytes);
    }

    /// <summary>Decrypts what <see cref="Encrypt"/> produced (for GCM, ciphertext || tag).</summary>
    public static byte[] Decrypt(SymmetricMode mode, ReadOnlySpan<byte> key, ReadOnlySpan<byte> ciphertext,
        ReadOnlySpan<byte> iv, ReadOnlySpan<byte> associatedData = default)
    {
        CheckKey(key);
        CheckIv(mode, iv, IvLength(mode));
        CheckAssociatedData(mode, associatedData);
        return mode == SymmetricMode.Gcm
            ? DecryptGcm(key, ciphertext, iv, associatedData)
            : DecryptCbc(key, ciphertext, iv);
    }

    private static byte[] DecryptGcm(ReadOnlySpan<byte> key, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> nonce,
        ReadOnlySpan<byte> associatedData)
    {
        if (ciphertext.Length < GcmTagLength)
        {
            throw new CryptoOperationException(CryptoProblem.InvalidInput,
                $"AES-GCM ciphertext ends with a {GcmTagLength}-byte tag, so it cannot be {ciphertext.Length} bytes");
        }

        var textLength = ciphertext.Length - GcmTagLength;
        var plaintext = new byte[textLength];
        try
        {
            using var gcm = new AesGcm(key, GcmTagLength);
            gcm.Decrypt(nonce, ciphertext[..textLength], ciphertext[textLength..], plaintext, associatedData);
            return plaintext;
        }
        catch (AuthenticationTagMismatchException e)
        {
            CryptographicOperations.ZeroMemory(plaintext);
            throw new CryptoOperationException(CryptoProblem.DecryptionFailed,
                "AES-GCM authentication failed: wrong key, nonce or associated data, or the ciphertext was altered", e);
        }
    }

    private static byte[] DecryptCbc(ReadOnlySpan<byte> key, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> iv)
    {
        if (ciphertext.IsEmpty || ciphertext.Length % CbcIvLength != 0)
        {
            throw new CryptoOperationException(CryptoProblem.InvalidInput,
                $"AES-CBC ciphertext is a whole number of 16-byte blocks (at least one), not {ciphertext.Length} bytes");
        }

        try
        {
            using var aes = Aes.Create();
            aes.SetKey(key);
            return aes.DecryptCbc(ciphertext, iv, PaddingMode.PKCS7);
        }
        catch (CryptographicException e)
        {
            throw new CryptoOperationException(CryptoProblem.DecryptionFailed,
                "AES-CBC decryption found invalid PKCS#7 padding: wrong key or IV, or the ciphertext was altered", e);
        }
    }

    private static void CheckKey(ReadOnlySpan<byte> key)
    {
        if (key.Length is not (16 or 24 or 32))
        {
            throw new CryptoOperationException(CryptoProblem.InvalidKey,
                $"AES keys are 16, 24 or 32 bytes (128, 192 or 256 bits), not {key.Length} bytes");
        }
    }

    private static int IvLength(SymmetricMode mode) => mode switch
    {
        SymmetricMode.Gcm => GcmNonceLength,
        SymmetricMode.Cbc => CbcIvLength,
        _ => throw new CryptoOperationException(CryptoProblem.Unsupported,
            $"block cipher mode {(int)mode} is not one this library offers (GCM, CBC)"),
    };

    private static void CheckIv(SymmetricMode mode, ReadOnlySpan<byte> iv, int length)
    {
        if (iv.Length != length)
        {
            throw new CryptoOperationException(CryptoProblem.InvalidInput, mode == SymmetricMode.Gcm
                ? $"AES-GCM takes a {length}-byte nonce, not {iv.Length} bytes"
                : $"AES-CBC takes a {length}-byte IV, not {iv.Length} bytes");
        }
    }

    private static void CheckAssociatedData(SymmetricMode mode, ReadOnlySpan<byte> associatedData)
    {
        if (mode != SymmetricMode.Gcm && !associatedData.IsEmpty)
        {
            throw new CryptoOperationException(CryptoProblem.InvalidInput,
                "AES-CBC takes no associated data (only AES-GCM authenticates it)");
        }
    }
}
