using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using OkvActors.Pki.Certificates;

namespace OkvActors.Pki.Sealing;

/// <summary>
/// Wraps a secret to the holder of an EC key pair (ECIES: ephemeral P-256 ECDH, HKDF-SHA256,
/// AES-256-GCM). The controller hands a new node the cluster KEK this way, and a node keeps its
/// copy of the KEK wrapped to its own key so it restarts without the passphrase.
/// Layout: "OKVWRAP1" | ephemeral public key (SPKI length u16 + SPKI) | nonce (12) | tag (16) | ciphertext.
/// </summary>
public static class PublicKeyWrap
{
    private static readonly byte[] Magic = "OKVWRAP1"u8.ToArray();

    public static byte[] Wrap(ReadOnlySpan<byte> secret, PublicKey recipient, string purpose)
    {
        using var recipientEcdsa = recipient.GetECDsaPublicKey()
            ?? throw new PkiException("the recipient key is not an EC key");
        using var recipientDh = ECDiffieHellman.Create(recipientEcdsa.ExportParameters(false));
        using var ephemeral = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        var ephemeralSpki = ephemeral.ExportSubjectPublicKeyInfo();
        var key = DeriveKey(ephemeral, recipientDh.PublicKey, ephemeralSpki, purpose);
        try
        {
            var output = new byte[8 + 2 + ephemeralSpki.Length + 12 + 16 + secret.Length];
            var span = output.AsSpan();
            Magic.CopyTo(span);
            span[8] = (byte)(ephemeralSpki.Length >> 8);
            span[9] = (byte)ephemeralSpki.Length;
            ephemeralSpki.CopyTo(span[10..]);
            var offset = 10 + ephemeralSpki.Length;
            var nonce = span.Slice(offset, 12);
            RandomNumberGenerator.Fill(nonce);
            using var aes = new AesGcm(key, 16);
            aes.Encrypt(nonce, secret, span[(offset + 28)..], span.Slice(offset + 12, 16), Encoding.UTF8.GetBytes(purpose));
            return output;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    /// <summary>Returns the secret; the caller zeroes it when done.</summary>
    public static byte[] Unwrap(ReadOnlySpan<byte> wrapped, ECDsa recipientKey, string purpose)
    {
        if (wrapped.Length < 10 || !wrapped[..8].SequenceEqual(Magic))
        {
            throw new PkiException($"the wrapped {purpose} is not in a format this version reads");
        }

        var spkiLength = (wrapped[8] << 8) | wrapped[9];
        var offset = 10 + spkiLength;
        if (wrapped.Length < offset + 28)
        {
            throw new PkiException($"the wrapped {purpose} is truncated");
        }

        var ephemeralSpki = wrapped.Slice(10, spkiLength).ToArray();
        byte[] key;
        try
        {
            using var ephemeralPublic = ECDiffieHellman.Create();
            ephemeralPublic.ImportSubjectPublicKeyInfo(ephemeralSpki, out _);
            using var recipientDh = ECDiffieHellman.Create(recipientKey.ExportParameters(true));
            key = DeriveKey(recipientDh, ephemeralPublic.PublicKey, ephemeralSpki, purpose);
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            throw new PkiException($"the wrapped {purpose} was not made for this node's key (or was altered)", e);
        }

        var secret = new byte[wrapped.Length - offset - 28];
        try
        {
            using var aes = new AesGcm(key, 16);
            aes.Decrypt(wrapped.Slice(offset, 12), wrapped[(offset + 28)..], wrapped.Slice(offset + 12, 16), secret,
                Encoding.UTF8.GetBytes(purpose));
            return secret;
        }
        catch (AuthenticationTagMismatchException e)
        {
            CryptographicOperations.ZeroMemory(secret);
            throw new PkiException($"the wrapped {purpose} was not made for this node's key (or was altered)", e);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    private static byte[] DeriveKey(ECDiffieHellman own, ECDiffieHellmanPublicKey other, byte[] ephemeralSpki, string purpose)
    {
        var shared = own.DeriveRawSecretAgreement(other);
        try
        {
            return HKDF.DeriveKey(HashAlgorithmName.SHA256, shared, 32, ephemeralSpki, Encoding.UTF8.GetBytes("okv-wrap:" + purpose));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(shared);
        }
    }
}
