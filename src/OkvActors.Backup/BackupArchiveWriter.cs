using System.Buffers.Binary;
using System.Security.Cryptography;
using OkvActors.Crypto.Kek;

namespace OkvActors.Backup;

/// <summary>
/// Writes one backup archive to a seekable stream, record by record, holding at most one chunk of plaintext:
/// a 1M-object archive never sits in memory whole. See <see cref="BackupFormat"/> for the layout.
/// <para>
/// Why the KEK and not the passphrase: the payload is encrypted under a key derived from the cluster KEK, which a
/// running node holds, so a node writes scheduled backups without anyone typing the recovery passphrase. The
/// archive carries the KEK and the CA key sealed under the recovery passphrase (copies of the node's
/// secrets/kek.sealed and secrets/ca-key.sealed), so restoring needs the passphrase to unseal the KEK; and an
/// archive made before a passphrase change still restores with the old passphrase, because it carries its own
/// sealed copy. The header names the KEK (<see cref="BackupHeader.KekId"/>) so a keyring can pick it after a rotation.
/// </para>
/// </summary>
public sealed class BackupArchiveWriter : IDisposable
{
    private readonly Stream _output;
    private readonly AesGcm _aes;
    private readonly byte[] _headerHash;
    private readonly long _countPosition;
    private readonly byte[] _plain = new byte[BackupFormat.ChunkSize];
    private readonly byte[] _cipher = new byte[BackupFormat.ChunkSize];
    private int _filled;
    private long _index;
    private bool _completed;

    private BackupArchiveWriter(Stream output, AesGcm aes, byte[] headerHash, long countPosition)
    {
        _output = output;
        _aes = aes;
        _headerHash = headerHash;
        _countPosition = countPosition;
    }

    /// <summary>Managed objects written so far.</summary>
    public long Objects { get; private set; }

    /// <summary>
    /// Starts an archive: writes the header and the sealed secrets. <paramref name="header"/>'s KEK id must be
    /// <paramref name="kek"/>'s; its object count is ignored (counted as records are written).
    /// </summary>
    public static BackupArchiveWriter Create(Stream output, BackupHeader header, KeyEncryptionKey kek, ReadOnlySpan<byte> sealedKek,
        ReadOnlySpan<byte> sealedCaKey)
    {
        if (!output.CanSeek || !output.CanWrite)
        {
            throw new ArgumentException("a backup archive is written to a seekable stream (a file)", nameof(output));
        }

        if (kek.KeyId != header.KekId || kek.Generation != header.KekGeneration)
        {
            throw new ArgumentException($"the header names KEK {header.KekId} (generation {header.KekGeneration}), but the archive would be encrypted under {kek}", nameof(header));
        }

        if (sealedKek.Length is 0 or > BackupFormat.MaxSealedLength || sealedCaKey.Length is 0 or > BackupFormat.MaxSealedLength)
        {
            throw new ArgumentException("the sealed KEK and CA key must be present (and under 64 KiB)");
        }

        var salt = RandomNumberGenerator.GetBytes(BackupFormat.SaltLength);
        var prelude = BackupFormat.Prelude(header with { FormatVersion = BackupFormat.CurrentVersion }, salt, sealedKek, sealedCaKey, out var countOffset);
        var start = output.Position;
        output.Write(prelude);
        var key = BackupFormat.DeriveKey(kek, salt);
        try
        {
            return new BackupArchiveWriter(output, new AesGcm(key, BackupFormat.TagLength), SHA256.HashData(prelude), start + countOffset);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    public void Write(BackupRecordKind kind, ReadOnlySpan<byte> data)
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        if (kind == BackupRecordKind.Trailer)
        {
            throw new ArgumentException("the trailer is written by Complete", nameof(kind));
        }

        if (data.Length > BackupFormat.MaxRecordLength)
        {
            throw new ArgumentException($"a record is at most {BackupFormat.MaxRecordLength} bytes, not {data.Length}", nameof(data));
        }

        WriteFramed(kind, data);
        if (kind == BackupRecordKind.ManagedObject)
        {
            Objects++;
        }
    }

    /// <summary>Writes the trailer and the last chunk, patches the object count into the header and flushes.</summary>
    public long Complete()
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        Span<byte> count = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(count, Objects);
        WriteFramed(BackupRecordKind.Trailer, count);
        Seal(last: true);
        _completed = true;
        var end = _output.Position;
        _output.Position = _countPosition;
        _output.Write(count);
        _output.Position = end;
        _output.Flush();
        return Objects;
    }

    private void WriteFramed(BackupRecordKind kind, ReadOnlySpan<byte> data)
    {
        Span<byte> frame = stackalloc byte[5];
        frame[0] = (byte)kind;
        BinaryPrimitives.WriteInt32BigEndian(frame[1..], data.Length);
        Append(frame);
        Append(data);
    }

    private void Append(ReadOnlySpan<byte> bytes)
    {
        while (!bytes.IsEmpty)
        {
            if (_filled == _plain.Length)
            {
                Seal(last: false);
            }

            var n = Math.Min(bytes.Length, _plain.Length - _filled);
            bytes[..n].CopyTo(_plain.AsSpan(_filled));
            _filled += n;
            bytes = bytes[n..];
        }
    }

    private void Seal(bool last)
    {
        Span<byte> nonce = stackalloc byte[BackupFormat.NonceLength];
        Span<byte> tag = stackalloc byte[BackupFormat.TagLength];
        Span<byte> frame = stackalloc byte[5];
        BackupFormat.Nonce(_index, nonce);
        _aes.Encrypt(nonce, _plain.AsSpan(0, _filled), _cipher.AsSpan(0, _filled), tag, BackupFormat.AssociatedData(_headerHash, _index, last));
        frame[0] = last ? BackupFormat.LastChunkFlag : (byte)0;
        BinaryPrimitives.WriteInt32BigEndian(frame[1..], _filled);
        _output.Write(frame);
        _output.Write(_cipher.AsSpan(0, _filled));
        _output.Write(tag);
        CryptographicOperations.ZeroMemory(_plain.AsSpan(0, _filled));
        _filled = 0;
        _index++;
    }

    public void Dispose()
    {
        _completed = true;
        _aes.Dispose();
        CryptographicOperations.ZeroMemory(_plain);
    }
}
