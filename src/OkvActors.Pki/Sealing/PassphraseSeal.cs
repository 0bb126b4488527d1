using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Konscious.Security.Cryptography;
using OkvActors.Pki.Certificates;

namespace OkvActors.Pki.Sealing;

/// <summary>
/// Seals a secret (the CA key, the cluster KEK) under the recovery passphrase: Argon2id, then
/// AES-256-GCM with the purpose as associated data, so a sealed CA key can't be passed off as a KEK.
/// Layout: "OKVSEAL1" | m (KiB, u32) | t (u32) | p (u32) | salt (16) | nonce (12) | tag (16) | ciphertext.
/// </summary>
public static class PassphraseSeal
{
    private static readonly byte[] Magic = "OKVSEAL1"u8.ToArray();
    private const int HeaderLength = 8 + 12 + 16 + 12 + 16;

    /// <summary>Argon2id cost; the defaults follow RFC 9106's second recommendation (64 MiB, 3 passes).</summary>
    public sealed record Cost(int MemoryKiB = 64 * 1024, int Iterations = 3, int Parallelism = 1)
    {
        public static readonly Cost Default = new();
    }

    public const int MinimumPassphraseLength = 12;

    public static void CheckStrength(string passphrase)
    {
        if (passphrase.Length < MinimumPassphraseLength)
        {
            throw new PkiException($"the recovery passphrase must have at least {MinimumPassphraseLength} characters");
        }
    }

    public static byte[] Seal(ReadOnlySpan<byte> secret, string passphrase, string purpose, Cost? cost = null)
    {
        cost ??= Cost.Default;
        var sealedBytes = new byte[HeaderLength + secret.Length];
        var span = sealedBytes.AsSpan();
        Magic.CopyTo(span);
        BinaryPrimitives.WriteInt32BigEndian(span[8..], cost.MemoryKiB);
        BinaryPrimitives.WriteInt32BigEndian(span[12..], cost.Iterations);
        BinaryPrimitives.WriteInt32BigEndian(span[16..], cost.Parallelism);
        var salt = span.Slice(20, 16);
        var nonce = span.Slice(36, 12);
        var tag = span.Slice(48, 16);
        RandomNumberGenerator.Fill(salt);
        RandomNumberGenerator.Fill(nonce);
        var key = DeriveKey(passphrase, salt, cost);
        try
        {
            using var aes = new AesGcm(key, 16);
            aes.Encrypt(nonce, secret, span[HeaderLength..], tag, Encoding.UTF8.GetBytes(purpose));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }

        return sealedBytes;
    }

    /// <summary>Returns the secret; the caller zeroes it when done.</summary>
    public static byte[] Unseal(ReadOnlySpan<byte> sealedBytes, string passphrase, string purpose)
    {
        if (sealedBytes.Length < HeaderLength || !sealedBytes[..8].SequenceEqual(Magic))
        {
            throw new PkiException($"the sealed {purpose} is not in a format this version reads (corrupt file?)");
        }

        var cost = new Cost(
            BinaryPrimitives.ReadInt32BigEndian(sealedBytes[8..]),
            BinaryPrimitives.ReadInt32BigEndian(sealedBytes[12..]),
            BinaryPrimitives.ReadInt32BigEndian(sealedBytes[16..]));
        if (cost.MemoryKiB is < 8 or > 4 * 1024 * 1024 || cost.Iterations is < 1 or > 64 || cost.Parallelism is < 1 or > 64)
        {
            throw new PkiException($"the sealed {purpose} carries implausible KDF parameters (corrupt file?)");
        }

        var key = DeriveKey(passphrase, sealedBytes.Slice(20, 16), cost);
        var secret = new byte[sealedBytes.Length - HeaderLength];
        try
        {
            using var aes = new AesGcm(key, 16);
            aes.Decrypt(sealedBytes.Slice(36, 12), sealedBytes[HeaderLength..], sealedBytes.Slice(48, 16), secret,
                Encoding.UTF8.GetBytes(purpose));
            return secret;
        }
        catch (AuthenticationTagMismatchException)
        {
            CryptographicOperations.ZeroMemory(secret);
            throw new WrongPassphraseException(purpose);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    private static byte[] DeriveKey(string passphrase, ReadOnlySpan<byte> salt, Cost cost)
    {
        var passphraseBytes = Encoding.UTF8.GetBytes(passphrase);
        try
        {
            using var argon = new Argon2id(passphraseBytes)
            {
                Salt = salt.ToArray(),
                MemorySize = cost.MemoryKiB,
                Iterations = cost.Iterations,
                DegreeOfParallelism = cost.Parallelism,
            };
            return argon.GetBytes(32);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(passphraseBytes);
        }
    }
}

/// <summary>The passphrase did not open the sealed secret (wrong passphrase, or the file was altered).</summary>
public sealed class WrongPassphraseException(string purpose)
    : Exception($"wrong recovery passphrase: it does not open the sealed {purpose} (or the sealed file was altered)");
