using System.Buffers.Binary;
using System.Security.Cryptography;
using OkvActors.Crypto.Kek;
using OkvActors.Pki.Sealing;

namespace OkvActors.Backup.Tests;

/// <summary>Builds archives in memory for the tests: a random KEK and CA key sealed under a cheap Argon2 cost.</summary>
internal sealed class ArchiveFixture
{
    public const string Passphrase = "correct horse battery staple";
    public const string Version = "0.1.0";

    // The cheapest cost the sealing accepts: the tests are about the archive, not the KDF.
    private static readonly PassphraseSeal.Cost Cheap = new(8, 1, 1);

    public ArchiveFixture(string passphrase = Passphrase)
    {
        Kek = RandomNumberGenerator.GetBytes(32);
        using var named = new KeyEncryptionKey(Kek);
        KekId = named.KeyId;
        SealedKek = PassphraseSeal.Seal(Kek, passphrase, BackupArchiveReader.SealedKekPurpose, Cheap);
        SealedCaKey = PassphraseSeal.Seal(RandomNumberGenerator.GetBytes(121), passphrase, BackupArchiveReader.SealedCaKeyPurpose, Cheap);
    }

    public byte[] Kek { get; }

    public string KekId { get; }

    public byte[] SealedKek { get; }

    public byte[] SealedCaKey { get; }

    public BackupHeader Header(string version = Version) =>
        new(version, "okv", "node1", new DateTimeOffset(2026, 11, 30, 1, 2, 3, TimeSpan.Zero), KekId, 256);

    public byte[] Write(IEnumerable<BackupRecord> records, string version = Version)
    {
        using var output = new MemoryStream();
        using (var kek = new KeyEncryptionKey(Kek))
        using (var writer = BackupArchiveWriter.Create(output, Header(version), kek, SealedKek, SealedCaKey))
        {
            foreach (var record in records)
            {
                writer.Write(record.Kind, record.Data);
            }

            writer.Complete();
        }

        return output.ToArray();
    }

    /// <summary>Seeded records of every kind, some larger than a chunk.</summary>
    public static List<BackupRecord> RandomRecords(int seed, int objects)
    {
        var random = new Random(seed);
        var records = new List<BackupRecord>
        {
            new(BackupRecordKind.Settings, Bytes(random, 40)),
            new(BackupRecordKind.ControllerRegistry, Bytes(random, 900)),
            new(BackupRecordKind.AccessRegistry, Bytes(random, 150_000)),
            new(BackupRecordKind.AuditHead, Bytes(random, 80)),
        };
        for (var i = 0; i < objects; i++)
        {
            records.Add(new(BackupRecordKind.ManagedObject, Bytes(random, random.Next(0, 700))));
        }

        return records;
    }

    public static BackupArchiveReader Open(byte[] archive, string version = Version) =>
        BackupArchiveReader.Open(new MemoryStream(archive), version, "test.okvbak");

    /// <summary>Opens, unlocks with the passphrase and reads every record.</summary>
    public static List<BackupRecord> ReadAll(byte[] archive, string passphrase = Passphrase)
    {
        using var reader = Open(archive);
        reader.Unlock(passphrase);
        return reader.Records().ToList();
    }

    /// <summary>Where the chunks start and each chunk's (offset, total length).</summary>
    public static (int Start, List<(int Offset, int Length)> Chunks) Layout(byte[] archive)
    {
        var input = new MemoryStream(archive);
        using (BackupArchiveReader.Open(input, Version))
        {
        }

        var start = (int)input.Position;
        var chunks = new List<(int, int)>();
        for (var at = start; at < archive.Length;)
        {
            var length = 5 + BinaryPrimitives.ReadInt32BigEndian(archive.AsSpan(at + 1)) + 16;
            chunks.Add((at, length));
            at += length;
        }

        return (start, chunks);
    }

    private static byte[] Bytes(Random random, int count)
    {
        var bytes = new byte[count];
        random.NextBytes(bytes);
        return bytes;
    }
}
