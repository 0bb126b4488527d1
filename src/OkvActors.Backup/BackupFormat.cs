using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using OkvActors.Crypto.Kek;

namespace OkvActors.Backup;

/// <summary>
/// The archive layout (format version 1), all integers big-endian:
/// <code>
/// magic "OKVBACK" 0x1A (8) | format version (u16) | header JSON length (u32) | header JSON
/// | object count (u64) | salt (32) | sealed KEK length (u32) | sealed KEK | sealed CA key length (u32) | sealed CA key
/// then chunks: flags (u8, bit 0 = last) | ciphertext length (u32) | ciphertext | GCM tag (16)
/// </code>
/// The payload (records: kind u8 | length u32 | bytes, ending with a trailer that repeats the object count)
/// is cut into chunks of at most <see cref="ChunkSize"/> bytes, each sealed with AES-256-GCM under
/// HKDF-SHA256(KEK, salt, "okv-backup-v1"). A chunk's nonce is its index; its associated data is the SHA-256
/// of the header (object count zeroed), its index and its last flag. So a changed header, a chunk from
/// another archive, reordered or dropped chunks and a cut-off end all fail authentication or the last-chunk check.
/// The object count is written last (the writer patches it) and checked against the trailer.
/// </summary>
internal static class BackupFormat
{
    public const int CurrentVersion = 1;
    public const int ChunkSize = 64 * 1024;
    public const int TagLength = 16;
    public const int NonceLength = 12;
    public const int SaltLength = 32;
    public const int MaxHeaderLength = 64 * 1024;
    public const int MaxSealedLength = 64 * 1024;
    public const int MaxRecordLength = 256 * 1024 * 1024;
    public const byte LastChunkFlag = 0x01;

    public static ReadOnlySpan<byte> Magic => "OKVBACK\x1A"u8;

    public static ReadOnlySpan<byte> KeyInfo => "okv-backup-v1"u8;

    /// <summary>The per-archive payload key; the caller zeroes it.</summary>
    public static byte[] DeriveKey(KeyEncryptionKey kek, ReadOnlySpan<byte> salt) => kek.DeriveSubkey(salt, KeyInfo);

    public static void Nonce(long index, Span<byte> nonce)
    {
        nonce.Clear();
        BinaryPrimitives.WriteInt64BigEndian(nonce[4..], index);
    }

    /// <summary>header hash (32) | chunk index (u64) | last flag (u8).</summary>
    public static byte[] AssociatedData(ReadOnlySpan<byte> headerHash, long index, bool last)
    {
        var ad = new byte[32 + 8 + 1];
        headerHash.CopyTo(ad);
        BinaryPrimitives.WriteInt64BigEndian(ad.AsSpan(32), index);
        ad[40] = last ? (byte)1 : (byte)0;
        return ad;
    }

    /// <summary>The header bytes a chunk binds: everything before the chunks, with the object count zeroed.</summary>
    public static byte[] Prelude(BackupHeader header, ReadOnlySpan<byte> salt, ReadOnlySpan<byte> sealedKek, ReadOnlySpan<byte> sealedCaKey,
        out int countOffset)
    {
        var json = header.ToJson();
        using var buffer = new MemoryStream();
        buffer.Write(Magic);
        WriteU16(buffer, (ushort)header.FormatVersion);
        WriteU32(buffer, json.Length);
        buffer.Write(json);
        countOffset = (int)buffer.Position;
        buffer.Write(new byte[8]);
        buffer.Write(salt);
        WriteU32(buffer, sealedKek.Length);
        buffer.Write(sealedKek);
        WriteU32(buffer, sealedCaKey.Length);
        buffer.Write(sealedCaKey);
        return buffer.ToArray();
    }

    public static string Describe(string? source) => source is null ? "the archive" : $"'{source}'";

    private static void WriteU16(Stream s, ushort value)
    {
        Span<byte> b = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(b, value);
        s.Write(b);
    }

    private static void WriteU32(Stream s, int value)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(b, value);
        s.Write(b);
    }

    public static string Utf8(ReadOnlySpan<byte> bytes) => Encoding.UTF8.GetString(bytes);
}
