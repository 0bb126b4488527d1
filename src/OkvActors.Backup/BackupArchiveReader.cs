using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text.Json;
using OkvActors.Crypto.Kek;
using OkvActors.Pki.Sealing;

namespace OkvActors.Backup;

/// <summary>
/// Reads a backup archive from a stream, one chunk at a time. <see cref="Open"/> reads and checks the header
/// (signature, format version, the version that wrote it); <see cref="Unlock(string)"/> (with the recovery
/// passphrase) or <see cref="Unlock(ReadOnlySpan{byte})"/> (with a KEK the caller holds) prepares decryption;
/// <see cref="Records"/> then yields the payload, authenticating each chunk before any of its bytes are used
/// and refusing a cut-off, reordered, altered or spliced archive with a <see cref="BackupArchiveException"/>.
/// A caller that must not act on a bad archive reads it through once (see <see cref="Verify"/>) before it writes anything.
/// </summary>
public sealed class BackupArchiveReader : IDisposable
{
    /// <summary>The purpose the node seals its KEK under (NodeCredentials.KekPurpose), bound into the sealed bytes.</summary>
    public const string SealedKekPurpose = "cluster-kek";

    /// <summary>The purpose the node seals the CA key under (NodeCredentials.CaKeyPurpose).</summary>
    public const string SealedCaKeyPurpose = "cluster-ca-key";

    private readonly Stream _input;
    private readonly string _source;
    private readonly byte[] _headerHash;
    private readonly byte[] _salt;
    private AesGcm? _aes;
    private bool _read;

    private BackupArchiveReader(Stream input, string source, BackupHeader header, byte[] headerHash, byte[] salt, byte[] sealedKek, byte[] sealedCaKey)
    {
        _input = input;
        _source = source;
        Header = header;
        _headerHash = headerHash;
        _salt = salt;
        SealedKek = sealedKek;
        SealedCaKey = sealedCaKey;
    }

    public BackupHeader Header { get; }

    /// <summary>The KEK sealed under the recovery passphrase that was current when the archive was made.</summary>
    public byte[] SealedKek { get; }

    /// <summary>The cluster CA's key, sealed likewise.</summary>
    public byte[] SealedCaKey { get; }

    /// <summary>
    /// Reads the header. Refuses a file that is not an archive, is cut off inside its header, was written by a
    /// newer OkvActors than <paramref name="currentSoftwareVersion"/>, or has a format version this one does not read.
    /// </summary>
    public static BackupArchiveReader Open(Stream input, string currentSoftwareVersion, string? source = null)
    {
        var name = BackupFormat.Describe(source);
        Span<byte> magic = stackalloc byte[8];
        if (ReadFully(input, magic) < magic.Length || !magic.SequenceEqual(BackupFormat.Magic))
        {
            throw new BackupArchiveException(BackupArchiveProblem.NotAnArchive,
                $"{name} is not an OkvActors backup archive (it does not start with the archive signature)");
        }

        using var prelude = new MemoryStream();
        prelude.Write(magic);
        var version = BinaryPrimitives.ReadUInt16BigEndian(Take(input, prelude, 2, name, "header"));
        var jsonLength = BinaryPrimitives.ReadInt32BigEndian(Take(input, prelude, 4, name, "header"));
        if (jsonLength is <= 0 or > BackupFormat.MaxHeaderLength)
        {
            throw Corrupt(name, "its header length is implausible");
        }

        var json = Take(input, prelude, jsonLength, name, "header");
        BackupHeader? parsed = null;
        try
        {
            parsed = BackupHeader.FromJson(json);
        }
        catch (JsonException)
        {
            // Reported below: as an unknown format if the version is not ours, else as corruption.
        }

        if (parsed is not null && SoftwareVersionOrder.IsNewer(parsed.SoftwareVersion, currentSoftwareVersion))
        {
            throw new BackupArchiveException(BackupArchiveProblem.NewerVersion,
                $"{name} was made by OkvActors {parsed.SoftwareVersion}, which is newer than this OkvActors {currentSoftwareVersion}: " +
                $"restore it with OkvActors {parsed.SoftwareVersion} or later");
        }

        if (version != BackupFormat.CurrentVersion)
        {
            throw new BackupArchiveException(BackupArchiveProblem.UnknownFormatVersion,
                $"{name} is in archive format version {version}" + (parsed is null ? "" : $" (written by OkvActors {parsed.SoftwareVersion})") +
                $"; this OkvActors {currentSoftwareVersion} reads format version {BackupFormat.CurrentVersion} only");
        }

        if (parsed is null || string.IsNullOrEmpty(parsed.KekId) || string.IsNullOrEmpty(parsed.Cluster))
        {
            throw Corrupt(name, "its header does not read");
        }

        var countBytes = Take(input, prelude, 8, name, "header");
        prelude.Position -= 8;
        prelude.Write(new byte[8]);
        var count = BinaryPrimitives.ReadInt64BigEndian(countBytes);
        var salt = Take(input, prelude, BackupFormat.SaltLength, name, "header");
        var sealedKek = TakeSized(input, prelude, name);
        var sealedCaKey = TakeSized(input, prelude, name);
        var header = parsed with { FormatVersion = version, ObjectCount = count };
        return new BackupArchiveReader(input, name, header, SHA256.HashData(prelude.ToArray()), salt, sealedKek, sealedCaKey);
    }

    /// <summary>Unseals the archived KEK with the recovery passphrase and prepares decryption.</summary>
    public void Unlock(string passphrase)
    {
        var kek = UnsealKek(passphrase);
        try
        {
            Unlock(kek);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(kek);
        }
    }

    /// <summary>Prepares decryption with a KEK the caller holds (a running node reading its own archive).</summary>
    public void Unlock(ReadOnlySpan<byte> kek)
    {
        using var named = new KeyEncryptionKey(kek, Header.KekGeneration);
        if (named.KeyId != Header.KekId)
        {
            throw new BackupArchiveException(BackupArchiveProblem.OtherKek,
                $"{_source} was made under KEK {Header.KekId}, not under KEK {named.KeyId}");
        }

        var key = BackupFormat.DeriveKey(named, _salt);
        try
        {
            _aes?.Dispose();
            _aes = new AesGcm(key, BackupFormat.TagLength);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    /// <summary>
    /// The archived KEK, unsealed by <paramref name="passphrase"/>; the caller zeroes it. A KEK whose id is not
    /// the header's means the sealed copy was swapped: refused as tampering.
    /// </summary>
    public byte[] UnsealKek(string passphrase)
    {
        var kek = Unseal(SealedKek, passphrase, SealedKekPurpose);
        try
        {
            using var named = new KeyEncryptionKey(kek);
            if (named.KeyId != Header.KekId)
            {
                throw new BackupArchiveException(BackupArchiveProblem.Tampered,
                    $"{_source} was altered: its sealed KEK is not the KEK {Header.KekId} its header names");
            }

            return kek;
        }
        catch
        {
            CryptographicOperations.ZeroMemory(kek);
            throw;
        }
    }

    /// <summary>The archived CA key (PKCS#8), unsealed by <paramref name="passphrase"/>; the caller zeroes it.</summary>
    public byte[] UnsealCaKey(string passphrase) => Unseal(SealedCaKey, passphrase, SealedCaKeyPurpose);

    /// <summary>
    /// The payload's records in order (the trailer checked, not yielded). Each chunk is authenticated before its
    /// records are handed out; the last chunk must carry the trailer, whose count must match the header's and the
    /// records read, and nothing may follow it.
    /// </summary>
    public IEnumerable<BackupRecord> Records()
    {
        if (_aes is null)
        {
            throw new InvalidOperationException("unlock the archive first");
        }

        if (_read)
        {
            throw new InvalidOperationException("an archive's records are read once");
        }

        _read = true;
        var chunks = new ChunkSource(this);
        long objects = 0;
        var frame = new byte[5];
        while (true)
        {
            chunks.Read(frame);
            var kind = (BackupRecordKind)frame[0];
            var length = BinaryPrimitives.ReadInt32BigEndian(frame.AsSpan(1));
            if (length is < 0 or > BackupFormat.MaxRecordLength)
            {
                throw Corrupt(_source, $"record of {length} bytes after {objects} objects");
            }

            var data = new byte[length];
            chunks.Read(data);
            if (kind == BackupRecordKind.Trailer)
            {
                Finish(chunks, data, objects);
                yield break;
            }

            if (kind == BackupRecordKind.ManagedObject)
            {
                objects++;
            }

            yield return new BackupRecord(kind, data);
        }
    }

    /// <summary>Reads the whole payload without keeping it, so a caller can refuse a bad archive before it acts.</summary>
    public long Verify()
    {
        long objects = 0;
        foreach (var record in Records())
        {
            if (record.Kind == BackupRecordKind.ManagedObject)
            {
                objects++;
            }
        }

        return objects;
    }

    private void Finish(ChunkSource chunks, byte[] trailer, long objects)
    {
        if (trailer.Length != 8 || BinaryPrimitives.ReadInt64BigEndian(trailer) != objects)
        {
            throw Corrupt(_source, "its trailer does not match the objects it holds");
        }

        if (objects != Header.ObjectCount)
        {
            throw new BackupArchiveException(BackupArchiveProblem.Tampered,
                $"{_source} was altered: its header says {Header.ObjectCount} objects, it holds {objects}");
        }

        if (!chunks.AtEnd)
        {
            throw Corrupt(_source, "its trailer is not at the end of its last chunk");
        }

        Span<byte> extra = stackalloc byte[1];
        if (ReadFully(_input, extra) > 0)
        {
            throw new BackupArchiveException(BackupArchiveProblem.Tampered, $"{_source} was altered: bytes follow its last chunk");
        }
    }

    private byte[] Unseal(byte[] sealedBytes, string passphrase, string purpose)
    {
        try
        {
            return PassphraseSeal.Unseal(sealedBytes, passphrase, purpose);
        }
        catch (WrongPassphraseException e)
        {
            throw new BackupArchiveException(BackupArchiveProblem.WrongPassphrase,
                $"wrong recovery passphrase: it does not open the KEK sealed in {_source} (the passphrase current when the archive was made opens it)", e);
        }
        catch (Pki.Certificates.PkiException e)
        {
            throw new BackupArchiveException(BackupArchiveProblem.Tampered, $"{_source} was altered: {e.Message}", e);
        }
    }

    public void Dispose() => _aes?.Dispose();

    private static BackupArchiveException Corrupt(string name, string what) =>
        new(BackupArchiveProblem.Tampered, $"{name} is corrupt or was altered: {what}");

    private static BackupArchiveException Truncated(string name, string where) =>
        new(BackupArchiveProblem.Truncated, $"{name} is truncated: it ends inside its {where} (an interrupted copy or a full disk?)");

    private static byte[] Take(Stream input, MemoryStream prelude, int count, string name, string where)
    {
        var bytes = new byte[count];
        if (ReadFully(input, bytes) < count)
        {
            throw Truncated(name, where);
        }

        prelude.Write(bytes);
        return bytes;
    }

    private static byte[] TakeSized(Stream input, MemoryStream prelude, string name)
    {
        var length = BinaryPrimitives.ReadInt32BigEndian(Take(input, prelude, 4, name, "header"));
        if (length is <= 0 or > BackupFormat.MaxSealedLength)
        {
            throw Corrupt(name, "a sealed secret's length is implausible");
        }

        return Take(input, prelude, length, name, "header");
    }

    private static int ReadFully(Stream input, Span<byte> buffer)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var n = input.Read(buffer[total..]);
            if (n == 0)
            {
                break;
            }

            total += n;
        }

        return total;
    }

    /// <summary>Decrypted payload bytes, chunk after chunk.</summary>
    private sealed class ChunkSource(BackupArchiveReader reader)
    {
        private readonly byte[] _plain = new byte[BackupFormat.ChunkSize];
        private readonly byte[] _cipher = new byte[BackupFormat.ChunkSize];
        private int _length;
        private int _at;
        private long _index;
        private bool _last;

        public bool AtEnd => _last && _at == _length;

        public void Read(Span<byte> destination)
        {
            while (!destination.IsEmpty)
            {
                if (_at == _length)
                {
                    if (_last)
                    {
                        throw Corrupt(reader._source, "its last chunk ends inside a record");
                    }

                    Next();
                    continue;
                }

                var n = Math.Min(destination.Length, _length - _at);
                _plain.AsSpan(_at, n).CopyTo(destination);
                _at += n;
                destination = destination[n..];
            }
        }

        private void Next()
        {
            Span<byte> frame = stackalloc byte[5];
            var got = ReadFully(reader._input, frame);
            if (got < frame.Length)
            {
                throw new BackupArchiveException(BackupArchiveProblem.Truncated, got == 0
                    ? $"{reader._source} is truncated: it ends after chunk {_index} without its last chunk (an interrupted copy or a full disk?)"
                    : $"{reader._source} is truncated: it ends inside chunk {_index} (an interrupted copy or a full disk?)");
            }

            var last = (frame[0] & BackupFormat.LastChunkFlag) != 0;
            var length = BinaryPrimitives.ReadInt32BigEndian(frame[1..]);
            if (frame[0] > BackupFormat.LastChunkFlag || length is < 0 or > BackupFormat.ChunkSize)
            {
                throw Corrupt(reader._source, $"chunk {_index} has an implausible frame");
            }

            Span<byte> tag = stackalloc byte[BackupFormat.TagLength];
            if (ReadFully(reader._input, _cipher.AsSpan(0, length)) < length || ReadFully(reader._input, tag) < tag.Length)
            {
                throw new BackupArchiveException(BackupArchiveProblem.Truncated,
                    $"{reader._source} is truncated: it ends inside chunk {_index} (an interrupted copy or a full disk?)");
            }

            Span<byte> nonce = stackalloc byte[BackupFormat.NonceLength];
            BackupFormat.Nonce(_index, nonce);
            try
            {
                reader._aes!.Decrypt(nonce, _cipher.AsSpan(0, length), tag, _plain.AsSpan(0, length),
                    BackupFormat.AssociatedData(reader._headerHash, _index, last));
            }
            catch (AuthenticationTagMismatchException)
            {
                throw new BackupArchiveException(BackupArchiveProblem.Tampered,
                    $"{reader._source} was altered: chunk {_index} does not authenticate (changed bytes, chunks out of order, " +
                    "or a header and chunks from different archives)");
            }

            _length = length;
            _at = 0;
            _last = last;
            _index++;
        }
    }
}
