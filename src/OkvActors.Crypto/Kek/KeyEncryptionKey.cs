using System.Security.Cryptography;
using System.Text;

namespace OkvActors.Crypto.Kek;

/// <summary>
/// The cluster key-encryption key: every managed key's material is stored wrapped under it and only
/// ever exists in plaintext in memory. Wrapping is AES-256-GCM with a random nonce and the key's UID
/// as associated data, so a blob cannot be moved to another key's record.
/// Layout: version (0x01) | nonce (12) | tag (16) | ciphertext; associated data: version | UTF-8 UID.
/// Wrap and Unwrap may run concurrently; the key is held in a pinned array and zeroed on Dispose.
/// </summary>
public sealed class KeyEncryptionKey : IDisposable
{
    public const int KeyLength = 32;
    public const byte FormatVersion = 0x01;
    public const int NonceLength = 12;
    public const int TagLength = 16;

    /// <summary>What wrapping adds to the material: version byte, nonce and tag.</summary>
    public const int Overhead = 1 + NonceLength + TagLength;

    private const int StackLimit = 256;

    private readonly byte[] _key;
    private int _disposed;

    /// <summary>Copies the 32-byte KEK; the caller may (and should) zero its own copy afterwards.</summary>
    public KeyEncryptionKey(ReadOnlySpan<byte> key)
    {
        if (key.Length != KeyLength)
        {
            throw new CryptoOperationException(CryptoProblem.InvalidKey,
                $"the cluster KEK is {KeyLength} bytes (AES-256), not {key.Length}");
        }

        _key = SecretBytes.Copy(key);
        KeyId = ComputeKeyId(_key);
    }

    /// <summary>A fresh random KEK (what <c>okv init</c> creates).</summary>
    public static KeyEncryptionKey Generate()
    {
        Span<byte> key = stackalloc byte[KeyLength];
        RandomNumberGenerator.Fill(key);
        try
        {
            return new KeyEncryptionKey(key);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    /// <summary>
    /// Names this KEK without revealing it: the first 8 bytes of SHA-256("okv-kek-id" || key), lower-case
    /// hex. Stored beside wrapped blobs so that, after a rotation, each says which KEK opens it.
    /// </summary>
    public string KeyId { get; }

    public byte[] Wrap(ReadOnlySpan<byte> material, string uid)
    {
        ArgumentException.ThrowIfNullOrEmpty(uid);
        ThrowIfDisposed();
        var wrapped = new byte[Overhead + material.Length];
        var span = wrapped.AsSpan();
        span[0] = FormatVersion;
        var nonce = span.Slice(1, NonceLength);
        RandomNumberGenerator.Fill(nonce);

        var adLength = AssociatedDataLength(uid);
        Span<byte> associatedData = adLength <= StackLimit ? stackalloc byte[adLength] : new byte[adLength];
        WriteAssociatedData(uid, associatedData);
        using (var aes = new AesGcm(_key, TagLength))
        {
            aes.Encrypt(nonce, material, span[Overhead..], span.Slice(1 + NonceLength, TagLength), associatedData);
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
        if (wrapped.Length < Overhead)
        {
            throw new KeyUnwrapException(uid, KeyUnwrapFailure.TooShort);
        }

        if (wrapped[0] != FormatVersion)
        {
            throw new KeyUnwrapException(uid, KeyUnwrapFailure.UnknownFormat);
        }

        var adLength = AssociatedDataLength(uid);
        Span<byte> associatedData = adLength <= StackLimit ? stackalloc byte[adLength] : new byte[adLength];
        WriteAssociatedData(uid, associatedData);
        var material = SecretBytes.Allocate(wrapped.Length - Overhead);
        try
        {
            using var aes = new AesGcm(_key, TagLength);
            aes.Decrypt(wrapped.Slice(1, NonceLength), wrapped[Overhead..], wrapped.Slice(1 + NonceLength, TagLength),
                material, associatedData);
            return material;
        }
        catch (AuthenticationTagMismatchException)
        {
            CryptographicOperations.ZeroMemory(material);
            ThrowIfDisposed();
            throw new KeyUnwrapException(uid, KeyUnwrapFailure.AuthenticationFailed);
        }
    }

    /// <summary>Zeroes the key; later (and racing) Wrap and Unwrap calls throw <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            CryptographicOperations.ZeroMemory(_key);
        }
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);

    private static int AssociatedDataLength(string uid) => 1 + Encoding.UTF8.GetByteCount(uid);

    private static void WriteAssociatedData(string uid, Span<byte> destination)
    {
        destination[0] = FormatVersion;
        Encoding.UTF8.GetBytes(uid, destination[1..]);
    }

    private static string ComputeKeyId(ReadOnlySpan<byte> key)
    {
        var label = "okv-kek-id"u8;
        Span<byte> input = stackalloc byte[label.Length + KeyLength];
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        try
        {
            label.CopyTo(input);
            key.CopyTo(input[label.Length..]);
            SHA256.HashData(input, hash);
            return Convert.ToHexStringLower(hash[..8]);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(input);
            CryptographicOperations.ZeroMemory(hash);
        }
    }
}
