using System.Buffers.Binary;
using System.Text;
using OkvActors.Crypto.Kek;
using Xunit;
using Xunit.Abstractions;

namespace OkvActors.Backup.Tests;

public sealed class BackupArchiveTests(ITestOutputHelper output)
{
    private readonly ArchiveFixture _fixture = new();

    private byte[] Archive(int objects = 300, int seed = 7) => _fixture.Write(ArchiveFixture.RandomRecords(seed, objects));

    private static BackupArchiveException Refused(Action read) => Assert.Throws<BackupArchiveException>(read);

    [Fact]
    public void An_archive_reads_back_every_record_in_order_with_its_header()
    {
        var seed = Environment.TickCount;
        output.WriteLine($"seed {seed}");
        var objects = new Random(seed).Next(0, 2000);
        var records = ArchiveFixture.RandomRecords(seed, objects);
        var archive = _fixture.Write(records);

        using var reader = ArchiveFixture.Open(archive);
        Assert.Equal(("0.1.0", "okv", "node1", _fixture.KekId, 256, (long)objects, 1),
            (reader.Header.SoftwareVersion, reader.Header.Cluster, reader.Header.Node, reader.Header.KekId, reader.Header.ShardCount,
                reader.Header.ObjectCount, reader.Header.FormatVersion));
        Assert.Equal(_fixture.SealedKek, reader.SealedKek);
        Assert.Equal(_fixture.SealedCaKey, reader.SealedCaKey);
        reader.Unlock(ArchiveFixture.Passphrase);
        var read = reader.Records().ToList();
        Assert.Equal(records.Count, read.Count);
        for (var i = 0; i < records.Count; i++)
        {
            Assert.Equal(records[i].Kind, read[i].Kind);
            Assert.Equal(records[i].Data, read[i].Data);
        }
    }

    [Fact]
    public void An_archive_without_objects_round_trips()
    {
        var archive = _fixture.Write([]);
        using var reader = ArchiveFixture.Open(archive);
        reader.Unlock(ArchiveFixture.Passphrase);
        Assert.Empty(reader.Records());
        Assert.Equal(0, reader.Header.ObjectCount);
    }

    [Fact]
    public void A_node_that_holds_the_KEK_reads_its_archive_without_the_passphrase()
    {
        var archive = Archive(objects: 10);
        using var reader = ArchiveFixture.Open(archive);
        reader.Unlock(_fixture.Kek);
        Assert.Equal(10, reader.Verify());
    }

    [Fact]
    public void A_KEK_other_than_the_archive_s_is_refused_naming_both()
    {
        var other = new ArchiveFixture();
        using var reader = ArchiveFixture.Open(Archive(objects: 1));
        var e = Refused(() => reader.Unlock(other.Kek));
        Assert.Equal(BackupArchiveProblem.OtherKek, e.Problem);
        Assert.Contains(_fixture.KekId, e.Message);
        Assert.Contains(other.KekId, e.Message);
    }

    [Fact]
    public void The_payload_is_not_readable_in_the_file()
    {
        // A marker far longer than any chance match, written as object records, must not appear in the file.
        var marker = Encoding.UTF8.GetBytes("PLAINTEXT-MARKER-THAT-MUST-NOT-LEAK");
        var archive = _fixture.Write([new BackupRecord(BackupRecordKind.ManagedObject, marker)]);
        Assert.Equal(-1, archive.AsSpan().IndexOf(marker));
    }

    [Theory]
    [InlineData(new byte[0])]
    [InlineData(new byte[] { (byte)'O', (byte)'K' })]
    [InlineData(new byte[] { (byte)'{', (byte)'"', (byte)'a', (byte)'"', (byte)':', (byte)'1', (byte)'}', (byte)'\n', 0, 0 })]
    public void A_file_that_is_not_an_archive_is_refused_as_such(byte[] file)
    {
        var e = Refused(() => ArchiveFixture.Open(file));
        Assert.Equal(BackupArchiveProblem.NotAnArchive, e.Problem);
        Assert.Contains("not an OkvActors backup archive", e.Message);
    }

    [Fact]
    public void An_archive_cut_inside_its_header_is_refused_as_truncated()
    {
        var archive = Archive(objects: 5);
        var (start, _) = ArchiveFixture.Layout(archive);
        foreach (var cut in new[] { 9, 12, 20, start - 40, start - 1 })
        {
            var e = Refused(() => ArchiveFixture.Open(archive[..cut]));
            Assert.Equal(BackupArchiveProblem.Truncated, e.Problem);
            Assert.Contains("truncated", e.Message);
        }
    }

    [Fact]
    public void An_archive_cut_anywhere_in_its_chunks_is_refused_as_truncated()
    {
        var archive = Archive(objects: 600);
        var (start, chunks) = ArchiveFixture.Layout(archive);
        Assert.True(chunks.Count >= 3, $"{chunks.Count} chunks");
        var cuts = new[] { start, start + 3, start + 100, chunks[1].Offset, chunks[^1].Offset, chunks[^1].Offset + 7, archive.Length - 1 };
        foreach (var cut in cuts)
        {
            var e = Refused(() => ArchiveFixture.ReadAll(archive[..cut]));
            Assert.True(BackupArchiveProblem.Truncated == e.Problem, $"cut at {cut}: {e.Problem} {e.Message}");
        }
    }

    [Fact]
    public void A_changed_byte_anywhere_after_the_signature_is_refused()
    {
        var seed = Environment.TickCount;
        output.WriteLine($"seed {seed}");
        var random = new Random(seed);
        var archive = Archive(objects: 200);
        for (var i = 0; i < 40; i++)
        {
            var copy = (byte[])archive.Clone();
            var at = random.Next(8, copy.Length);
            copy[at] ^= (byte)(1 << random.Next(8));
            var e = Refused(() => ArchiveFixture.ReadAll(copy));
            // A flipped length can read as a cut-off file; everything else is an alteration.
            Assert.True(e.Problem is BackupArchiveProblem.Tampered or BackupArchiveProblem.Truncated or BackupArchiveProblem.UnknownFormatVersion
                    or BackupArchiveProblem.WrongPassphrase or BackupArchiveProblem.NewerVersion,
                $"byte {at}: {e.Problem} {e.Message}");
        }
    }

    [Fact]
    public void A_changed_chunk_is_refused_as_tampered()
    {
        var archive = Archive(objects: 300);
        var (_, chunks) = ArchiveFixture.Layout(archive);
        archive[chunks[1].Offset + 5 + 100] ^= 0x01;
        var e = Refused(() => ArchiveFixture.ReadAll(archive));
        Assert.Equal(BackupArchiveProblem.Tampered, e.Problem);
        Assert.Contains("chunk 1 does not authenticate", e.Message);
    }

    [Fact]
    public void A_changed_header_field_is_refused_as_tampered()
    {
        var archive = Archive(objects: 3);
        var text = Encoding.UTF8.GetBytes("\"node1\"");
        var at = archive.AsSpan().IndexOf(text);
        Encoding.UTF8.GetBytes("\"node9\"").CopyTo(archive, at);
        var e = Refused(() => ArchiveFixture.ReadAll(archive));
        Assert.Equal(BackupArchiveProblem.Tampered, e.Problem);
    }

    [Fact]
    public void A_changed_object_count_is_refused_as_tampered()
    {
        var archive = Archive(objects: 3);
        var (start, _) = ArchiveFixture.Layout(archive);
        var countAt = 14 + BinaryPrimitives.ReadInt32BigEndian(archive.AsSpan(10));
        Assert.Equal(3, BinaryPrimitives.ReadInt64BigEndian(archive.AsSpan(countAt)));
        Assert.True(countAt < start);
        BinaryPrimitives.WriteInt64BigEndian(archive.AsSpan(countAt), 4);
        var e = Refused(() => ArchiveFixture.ReadAll(archive));
        Assert.Equal(BackupArchiveProblem.Tampered, e.Problem);
        Assert.Contains("header says 4 objects, it holds 3", e.Message);
    }

    [Fact]
    public void Reordered_chunks_are_refused_as_tampered()
    {
        var archive = Archive(objects: 600);
        var (_, chunks) = ArchiveFixture.Layout(archive);
        Assert.Equal(chunks[0].Length, chunks[1].Length);
        var swapped = (byte[])archive.Clone();
        archive.AsSpan(chunks[1].Offset, chunks[1].Length).CopyTo(swapped.AsSpan(chunks[0].Offset));
        archive.AsSpan(chunks[0].Offset, chunks[0].Length).CopyTo(swapped.AsSpan(chunks[1].Offset));
        var e = Refused(() => ArchiveFixture.ReadAll(swapped));
        Assert.Equal(BackupArchiveProblem.Tampered, e.Problem);
        Assert.Contains("chunk 0", e.Message);
    }

    [Fact]
    public void A_dropped_middle_chunk_is_refused()
    {
        var archive = Archive(objects: 600);
        var (_, chunks) = ArchiveFixture.Layout(archive);
        var dropped = archive[..chunks[1].Offset].Concat(archive[(chunks[1].Offset + chunks[1].Length)..]).ToArray();
        var e = Refused(() => ArchiveFixture.ReadAll(dropped));
        Assert.Equal(BackupArchiveProblem.Tampered, e.Problem);
    }

    [Fact]
    public void A_header_from_another_archive_of_the_same_cluster_is_refused_as_tampered()
    {
        // Same KEK, same passphrase: only the per-archive salt and the header binding tell them apart.
        var first = Archive(objects: 50, seed: 1);
        var second = Archive(objects: 50, seed: 2);
        var (firstStart, _) = ArchiveFixture.Layout(first);
        var (secondStart, _) = ArchiveFixture.Layout(second);
        var spliced = first[..firstStart].Concat(second[secondStart..]).ToArray();
        var e = Refused(() => ArchiveFixture.ReadAll(spliced));
        Assert.Equal(BackupArchiveProblem.Tampered, e.Problem);
    }

    [Fact]
    public void Bytes_after_the_last_chunk_are_refused_as_tampered()
    {
        var archive = Archive(objects: 5).Concat(new byte[] { 0 }).ToArray();
        var e = Refused(() => ArchiveFixture.ReadAll(archive));
        Assert.Equal(BackupArchiveProblem.Tampered, e.Problem);
        Assert.Contains("bytes follow its last chunk", e.Message);
    }

    [Fact]
    public void A_wrong_passphrase_is_refused_as_such()
    {
        using var reader = ArchiveFixture.Open(Archive(objects: 5));
        var e = Refused(() => reader.Unlock("not the recovery passphrase"));
        Assert.Equal(BackupArchiveProblem.WrongPassphrase, e.Problem);
        Assert.Contains("wrong recovery passphrase", e.Message);
    }

    [Fact]
    public void An_archive_of_another_cluster_does_not_open_with_this_cluster_s_passphrase()
    {
        var foreign = new ArchiveFixture("another cluster's passphrase").Write([]);
        using var reader = ArchiveFixture.Open(foreign);
        Assert.Equal(BackupArchiveProblem.WrongPassphrase, Refused(() => reader.Unlock(ArchiveFixture.Passphrase)).Problem);
    }

    [Fact]
    public void A_swapped_sealed_KEK_is_refused_as_tampered()
    {
        // Another cluster's KEK sealed under the same passphrase, put in place of this archive's.
        var archive = Archive(objects: 2);
        var other = new ArchiveFixture();
        var at = archive.AsSpan().IndexOf(_fixture.SealedKek);
        Assert.Equal(_fixture.SealedKek.Length, other.SealedKek.Length);
        other.SealedKek.CopyTo(archive, at);
        using var reader = ArchiveFixture.Open(archive);
        var e = Refused(() => reader.Unlock(ArchiveFixture.Passphrase));
        Assert.Equal(BackupArchiveProblem.Tampered, e.Problem);
    }

    [Fact]
    public void An_archive_made_by_a_newer_version_is_refused_naming_both_versions()
    {
        var archive = _fixture.Write([], version: "0.3.1");
        var e = Refused(() => ArchiveFixture.Open(archive, version: "0.1.0"));
        Assert.Equal(BackupArchiveProblem.NewerVersion, e.Problem);
        Assert.Contains("0.3.1", e.Message);
        Assert.Contains("0.1.0", e.Message);
    }

    [Theory]
    [InlineData("0.1.0")]
    [InlineData("0.0.9")]
    [InlineData("0.1.0-rc1")]
    public void An_archive_of_the_same_or_an_older_version_restores(string madeBy)
    {
        var archive = _fixture.Write(ArchiveFixture.RandomRecords(3, 4), version: madeBy);
        using var reader = ArchiveFixture.Open(archive, version: "0.1.0");
        reader.Unlock(ArchiveFixture.Passphrase);
        Assert.Equal(4, reader.Verify());
    }

    [Fact]
    public void An_unknown_format_version_is_refused_naming_both_formats()
    {
        var archive = Archive(objects: 1);
        BinaryPrimitives.WriteUInt16BigEndian(archive.AsSpan(8), 2);
        var e = Refused(() => ArchiveFixture.Open(archive));
        Assert.Equal(BackupArchiveProblem.UnknownFormatVersion, e.Problem);
        Assert.Contains("format version 2", e.Message);
        Assert.Contains("format version 1", e.Message);
    }

    [Fact]
    public void The_writer_refuses_a_header_that_names_another_KEK()
    {
        var other = new ArchiveFixture();
        using var kek = new KeyEncryptionKey(_fixture.Kek);
        using var laterGeneration = new KeyEncryptionKey(_fixture.Kek, generation: 2);
        Assert.Throws<ArgumentException>(() =>
            BackupArchiveWriter.Create(new MemoryStream(), other.Header(), kek, _fixture.SealedKek, _fixture.SealedCaKey));
        // The same KEK under another generation than the header names: objects would be restored under the wrong one.
        Assert.Throws<ArgumentException>(() =>
            BackupArchiveWriter.Create(new MemoryStream(), _fixture.Header(), laterGeneration, _fixture.SealedKek, _fixture.SealedCaKey));
    }

    [Fact]
    public void An_archive_names_its_KEK_generation_and_the_reader_unlocks_it_as_that_generation()
    {
        using var kek = new KeyEncryptionKey(_fixture.Kek, generation: 3);
        using var output = new MemoryStream();
        using (var writer = BackupArchiveWriter.Create(output, _fixture.Header() with { KekGeneration = 3 }, kek, _fixture.SealedKek, _fixture.SealedCaKey))
        {
            writer.Write(BackupRecordKind.Settings, [1, 2, 3]);
            writer.Complete();
        }

        output.Position = 0;
        using var reader = BackupArchiveReader.Open(output, ArchiveFixture.Version, "archive");
        Assert.Equal(3, reader.Header.KekGeneration);
        reader.Unlock(_fixture.Kek);
        Assert.Equal([1, 2, 3], Assert.Single(reader.Records()).Data);
    }

    [Theory]
    [InlineData("0.2.0", "0.1.9", true)]
    [InlineData("1.0.0", "0.99.0", true)]
    [InlineData("0.1.0", "0.1.0", false)]
    [InlineData("0.1.0-rc2", "0.1.0", false)]
    [InlineData("0.1", "0.1.0", false)]
    [InlineData("0.0.9", "0.1.0", false)]
    [InlineData("dev", "0.1.0", false)]
    public void Software_versions_order_by_their_numbers(string candidate, string than, bool newer) =>
        Assert.Equal(newer, SoftwareVersionOrder.IsNewer(candidate, than));
}
