using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace OkvActors.Crypto.Kek;

/// <summary>
/// A cluster key-encryption key: every managed key's material is stored wrapped under one and only
/// ever exists in plaintext in memory. Wrapping is AES-256-GCM with a random nonce and the key's UID
/// in the associated data, so a blob cannot be moved to another key's record.
/// <para>
/// A cluster's KEKs form generations (1 from `okv init`, one more per rotation); a blob names the KEK
/// that opens it. Layout written (version 0x02): 0x02 | generation (u32, big-endian) | KEK id (8) |
/// nonce (12) | tag (16) | ciphertext; associated data: the 13 header bytes | UTF-8 UID. Still read
/// (version 0x01, written before rotation existed, by generation 1): 0x01 | nonce | tag | ciphertext;
/// associated data: 0x01 | UTF-8 UID.
/// </para>
/// Wrap and Unwrap may run concurrently; the key is held in a pinned array and zeroed on Dispose.
/// </summary>
public sealed class KeyEncryptionKey : IDisposable
{
    public const int KeyLength = 32;
    public const byte FormatVersion = 0x02;
    public const byte LegacyFormatVersion = 0x01;
    public const int NonceLength = 12;
    public const int TagLength = 16;
    public const int KeyIdLength = 8;
    private const int HeaderLength = 1 + 4 + KeyIdLength;
    private const int LegacyHeaderLength = 1;

    /// <summary>What wrapping adds to the material: header (version, generation, KEK id), nonce and tag.</summary>
    public const int Overhead = HeaderLength + NonceLength + TagLength;

    private const int StackLimit = 256;

    private readonly byte[] _key;
    private readonly byte[] _keyIdBytes;
    private int _disposed;

    /// <summary>Copies the 32-byte KEK; the caller may (and should) zero its own copy afterwards.</summary>
    public KeyEncryptionKey(ReadOnlySpan<byte> key, int generation = 1)
    {
        if (key.Length != KeyLength)
        {
            throw new CryptoOperationException(CryptoProblem.InvalidKey,
                $"the cluster KEK is {KeyLength} bytes (AES-256), not {key.Length}");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(generation, 1);
        _key = SecretBytes.Copy(key);
        _keyIdBytes = ComputeKeyId(_key);
        KeyId = Convert.ToHexStringLower(_keyIdBytes);
        Generation = generation;
    }

    /// <summary>A fresh random KEK (what <c>okv init</c> and a rotation create).</summary>
    public static KeyEncryptionKey Generate(int generation = 1)
    {
        Span<byte> key = stackalloc byte[KeyLength];
        RandomNumberGenerator.Fill(key);
        try
        {
            return new KeyEncryptionKey(key, generation);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    /// <summary>
    /// Names this KEK without revealing it: the first 8 bytes of SHA-256("okv-kek-id" || key), lower-case
    /// hex. Written into every blob so that, after a rotation, each says which KEK opens it.
    /// </summary>
    public string KeyId { get; }

    /// <summary>Which generation of the cluster's KEKs this is (1: made at init).</summary>
    public int Generation { get; }

    /// <summary>The generation a wrapped blob names (1 for a legacy 0x01 blob), or 0 when it is no blob this library wrote.</summary>
    public static int GenerationOf(ReadOnlySpan<byte> wrapped) => wrapped switch
    {
        [LegacyFormatVersion, ..] => 1,
        [FormatVersion, ..] when wrapped.Length >= HeaderLength => BinaryPrimitives.ReadInt32BigEndian(wrapped[1..]),
        _ => 0,
    };

    /// <summary>The KEK id a wrapped blob names, or null for a legacy blob (generation 1) or no blob at all.</summary>
    public static string? KeyIdOf(ReadOnlySpan<byte> wrapped) =>
        wrapped.Length >= HeaderLength && wrapped[0] == FormatVersion ? Convert.ToHexStringLower(wrapped.Slice(5, KeyIdLength)) : null;

    public byte[] Wrap(ReadOnlySpan<byte> material, string uid)
    {
        ArgumentException.ThrowIfNullOrEmpty(uid);
        ThrowIfDisposed();
        var wrapped = new byte[Overhead + material.Length];
        var span = wrapped.AsSpan();
        span[0] = FormatVersion;
        BinaryPrimitives.WriteInt32BigEndian(span[1..], Generation);
        _keyIdBytes.CopyTo(span[5..]);
        var nonce = span.Slice(HeaderLength, NonceLength);
        RandomNumberGenerator.Fill(nonce);

        var adLength = HeaderLength + Encoding.UTF8.GetByteCount(uid);
        Span<byte> associatedData = adLength <= StackLimit ? stackalloc byte[adLength] : new byte[adLength];
        span[..HeaderLength].CopyTo(associatedData);
        Encoding.UTF8.GetBytes(uid, associatedData[HeaderLength..]);
        using (var aes = new AesGcm(_key, TagLength))
        {
            aes.Encrypt(nonce, material, span[Overhead..], span.Slice(HeaderLength + NonceLength, TagLength), associatedData);
        }

        // Dispose raced with this call: the blob may be under a partly zeroed key, so it must not escape.
        ThrowIfDisposed();
        return wrapped;
    }

    /// <summary>Returns the material in a pinned array; the caller zeroes it when done.</summary>
    public byte[] Unwrap(ReadOnlySpan<byte> wrapped, string uid)
    {
        ArgumentException.ThrowIfNullOrEmpty(uid);
        ThrowIfDisposed();
        var headerLength = wrapped switch
        {
            [LegacyFormatVersion, ..] => LegacyHeaderLength,
            [FormatVersion, ..] => HeaderLength,
            [] => -1,
            _ => throw new KeyUnwrapException(uid, KeyUnwrapFailure.UnknownFormat),
        };
        if (headerLength < 0 || wrapped.Length < headerLength + NonceLength + TagLength)
        {
            throw new KeyUnwrapException(uid, KeyUnwrapFailure.TooShort);
        }

        // A blob names its KEK: one under another KEK (or, legacy, under generation 1 when this is not it) is not
        // ours to try. The generation it names is authenticated with the rest of the header, not matched here:
        // a node learns its KEK's generation from the keyring, and a blob wrapped before it did still opens.
        if (headerLength == HeaderLength ? !wrapped.Slice(5, KeyIdLength).SequenceEqual(_keyIdBytes) : Generation != 1)
        {
            throw new KeyUnwrapException(uid, KeyUnwrapFailure.OtherKek);
        }

        var adLength = headerLength + Encoding.UTF8.GetByteCount(uid);
        Span<byte> associatedData = adLength <= StackLimit ? stackalloc byte[adLength] : new byte[adLength];
        wrapped[..headerLength].CopyTo(associatedData);
        Encoding.UTF8.GetBytes(uid, associatedData[headerLength..]);
        var material = SecretBytes.Allocate(wrapped.Length - headerLength - NonceLength - TagLength);
        try
        {
            using var aes = new AesGcm(_key, TagLength);
            aes.Decrypt(wrapped.Slice(headerLength, NonceLength), wrapped[(headerLength + NonceLength + TagLength)..],
                wrapped.Slice(headerLength + NonceLength, TagLength), material, associatedData);
            return material;
        }
        catch (AuthenticationTagMismatchException)
        {
            CryptographicOperations.ZeroMemory(material);
            ThrowIfDisposed();
            throw new KeyUnwrapException(uid, KeyUnwrapFailure.AuthenticationFailed);
        }
    }

    /// <summary>
    /// Wraps another KEK under this one (how a rotation's new KEK travels to the nodes, which hold this one):
    /// nonce | tag | ciphertext, the associated data naming both KEKs and the other's generation.
    /// </summary>
    public byte[] WrapKey(KeyEncryptionKey other)
    {
        ThrowIfDisposed();
        other.ThrowIfDisposed();
        var wrapped = new byte[NonceLength + TagLength + KeyLength];
        var span = wrapped.AsSpan();
        RandomNumberGenerator.Fill(span[..NonceLength]);
        using (var aes = new AesGcm(_key, TagLength))
        {
            aes.Encrypt(span[..NonceLength], other._key, span[(NonceLength + TagLength)..], span.Slice(NonceLength, TagLength),
                KeyWrapAssociatedData(other.KeyId, other.Generation));
        }

        ThrowIfDisposed();
        return wrapped;
    }

    /// <summary>Opens a KEK wrapped by <see cref="WrapKey"/>; refuses one that is not the KEK <paramref name="keyId"/> of <paramref name="generation"/>.</summary>
    public KeyEncryptionKey UnwrapKey(ReadOnlySpan<byte> wrapped, string keyId, int generation)
    {
        ThrowIfDisposed();
        if (wrapped.Length != NonceLength + TagLength + KeyLength)
        {
            throw new KeyUnwrapException($"KEK {keyId}", KeyUnwrapFailure.TooShort);
        }

        var key = SecretBytes.Allocate(KeyLength);
        try
        {
            using (var aes = new AesGcm(_key, TagLength))
            {
                aes.Decrypt(wrapped[..NonceLength], wrapped[(NonceLength + TagLength)..], wrapped.Slice(NonceLength, TagLength), key,
                    KeyWrapAssociatedData(keyId, generation));
            }

            var kek = new KeyEncryptionKey(key, generation);
            if (kek.KeyId != keyId)
            {
                kek.Dispose();
                throw new KeyUnwrapException($"KEK {keyId}", KeyUnwrapFailure.AuthenticationFailed);
            }

            return kek;
        }
        catch (AuthenticationTagMismatchException)
        {
            throw new KeyUnwrapException($"KEK {keyId}", KeyUnwrapFailure.AuthenticationFailed);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    /// <summary>
    /// A copy of the raw key, for sealing it (to the node key, an HSM or the passphrase). The caller zeroes it
    /// at once; it is never logged or written in the clear.
    /// </summary>
    public byte[] Export()
    {
        ThrowIfDisposed();
        return SecretBytes.Copy(_key);
    }

    /// <summary>Zeroes the key; later (and racing) Wrap and Unwrap calls throw <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            CryptographicOperations.ZeroMemory(_key);
        }
    }

    /// <summary>
    /// A key derived from this KEK with HKDF-SHA256 (e.g. a backup archive's payload key), so a holder of the ring
    /// never needs the KEK's own bytes; the caller zeroes the result.
    /// </summary>
    public byte[] DeriveSubkey(ReadOnlySpan<byte> salt, ReadOnlySpan<byte> info, int length = KeyLength)
    {
        ThrowIfDisposed();
        var subkey = new byte[length];
        HKDF.DeriveKey(HashAlgorithmName.SHA256, _key, subkey, salt, info);
        ThrowIfDisposed();
        return subkey;
    }

    public override string ToString() => $"KEK {KeyId} (generation {Generation})";

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);

    private byte[] KeyWrapAssociatedData(string otherKeyId, int otherGeneration) =>
        Encoding.UTF8.GetBytes($"okv-kek-wrap|{KeyId}|{otherKeyId}|{otherGeneration}");

    private static byte[] ComputeKeyId(ReadOnlySpan<byte> key)
    {
        var label = "okv-kek-id"u8;
        Span<byte> input = stackalloc byte[label.Length + KeyLength];
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        try
        {
            label.CopyTo(input);
            key.CopyTo(input[label.Length..]);
            SHA256.HashData(input, hash);
            return hash[..KeyIdLength].ToArray();
        }
        finally
        {
            CryptographicOperations.ZeroMemory(input);
            CryptographicOperations.ZeroMemory(hash);
        }
    }
}
