using Akka.DistributedData;
using OkvActors.Cluster.Secrets;
using OkvActors.Cluster.Storage;
using Xunit;

namespace OkvActors.Cluster.Tests.Secrets;

public sealed class SealedSecretsRecordTests
{
    private static readonly string[] Writers = ["node1", "node10", "node2"];

    /// <summary>Every (generation, writer) pair for generations 0-2: small enough to check the laws exhaustively.</summary>
    private static readonly SealedSecretsRecord[] Records =
        (from generation in Enumerable.Range(0, 3) from writer in Writers select RecordAt(generation, writer)).ToArray();

    [Fact]
    public void Merge_keeps_the_higher_generation_whichever_side_it_is_on()
    {
        var older = RecordAt(4, "node9");
        var newer = RecordAt(5, "node1");

        Assert.Same(newer, older.Merge(newer));
        Assert.Same(newer, newer.Merge(older));
        Assert.Same(newer, ((IReplicatedData)older).Merge(newer));
    }

    [Fact]
    public void Equal_generations_are_tie_broken_by_the_ordinally_greater_writer()
    {
        var byNode2 = RecordAt(3, "node2");
        var byNode10 = RecordAt(3, "node10");

        Assert.Same(byNode2, byNode2.Merge(byNode10));
        Assert.Same(byNode2, byNode10.Merge(byNode2));
    }

    [Fact]
    public void Merge_is_commutative_associative_and_idempotent()
    {
        foreach (var a in Records)
        {
            Assert.Same(a, a.Merge(a));
            foreach (var b in Records)
            {
                Assert.Same(a.Merge(b), b.Merge(a));
                foreach (var c in Records)
                {
                    Assert.Same(a.Merge(b).Merge(c), a.Merge(b.Merge(c)));
                }
            }
        }
    }

    private static SealedSecretsRecord RecordAt(int generation, string writer) =>
        new(new SealedSecretsState(generation, writer, "00112233aabbccdd", [(byte)generation], [(byte)generation, 1]));
}

public sealed class SealedSecretsFilesTests : IDisposable
{
    private readonly NodeDirectory _dir = new(Path.Combine(Path.GetTempPath(), "okv-secrets-" + Guid.NewGuid().ToString("N")));

    public SealedSecretsFilesTests() => _dir.Create();

    [Fact]
    public void A_directory_that_never_had_a_passphrase_change_is_at_generation_zero()
    {
        Assert.Equal((0L, ""), SealedSecretsFiles.ReadGeneration(_dir));
    }

    [Fact]
    public void Writing_a_generation_replaces_both_sealed_files_owner_only_and_records_the_generation_and_writer()
    {
        File.WriteAllBytes(_dir.SealedCaKeyFile, [9, 9]);
        File.WriteAllBytes(_dir.SealedKekFile, [8, 8]);

        SealedSecretsFiles.Write(_dir, new SealedSecretsState(4, "node2", "00112233aabbccdd", [1, 2, 3], [4, 5]));

        Assert.Equal([1, 2, 3], File.ReadAllBytes(_dir.SealedCaKeyFile));
        Assert.Equal([4, 5], File.ReadAllBytes(_dir.SealedKekFile));
        Assert.Equal((4L, "node2"), SealedSecretsFiles.ReadGeneration(_dir));
        Assert.Empty(Directory.GetFiles(_dir.SecretsDir, "*.tmp"));
        if (!OperatingSystem.IsWindows())
        {
            foreach (var file in new[] { _dir.SealedCaKeyFile, _dir.SealedKekFile, _dir.SealedGenerationFile })
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
            }
        }
    }

    [Fact]
    public void A_generation_whose_kek_a_rotation_replaced_reseals_only_the_ca_key()
    {
        File.WriteAllBytes(_dir.SealedKekFile, [8, 8]);

        SealedSecretsFiles.Write(_dir, new SealedSecretsState(2, "node1", "00112233aabbccdd", [1, 2, 3], [4, 5]), includeKek: false);

        Assert.Equal([1, 2, 3], File.ReadAllBytes(_dir.SealedCaKeyFile));
        Assert.Equal([8, 8], File.ReadAllBytes(_dir.SealedKekFile));
        Assert.Equal((2L, "node1"), SealedSecretsFiles.ReadGeneration(_dir));
    }

    [Fact]
    public void A_state_is_newer_than_the_files_by_generation_then_by_writer()
    {
        var files = (Generation: 3L, Writer: "node2");

        Assert.True(SealedSecretsFiles.IsNewer(State(4, "node1"), files));
        Assert.True(SealedSecretsFiles.IsNewer(State(3, "node3"), files));
        Assert.False(SealedSecretsFiles.IsNewer(State(3, "node2"), files));
        Assert.False(SealedSecretsFiles.IsNewer(State(3, "node10"), files));
        Assert.False(SealedSecretsFiles.IsNewer(State(2, "node9"), files));
    }

    public void Dispose() => Directory.Delete(_dir.Root, recursive: true);

    private static SealedSecretsState State(long generation, string writer) => new(generation, writer, "00112233aabbccdd", [1], [2]);
}

public sealed class KeyringRecordTests
{
    private static readonly KeyringRecord[] Records =
        (from version in Enumerable.Range(1, 3) from writer in new[] { "node1", "node10", "node2" } select At(version, writer)).ToArray();

    [Fact]
    public void Merge_keeps_the_higher_version_and_ties_go_to_the_ordinally_greater_writer()
    {
        var newer = At(5, "node1");
        Assert.Same(newer, At(4, "node9").Merge(newer));
        Assert.Same(newer, newer.Merge(At(4, "node9")));
        var byNode2 = At(3, "node2");
        Assert.Same(byNode2, byNode2.Merge(At(3, "node10")));
        Assert.Same(byNode2, At(3, "node10").Merge(byNode2));
    }

    [Fact]
    public void Merge_is_commutative_associative_and_idempotent()
    {
        foreach (var a in Records)
        {
            Assert.Same(a, a.Merge(a));
            foreach (var b in Records)
            {
                Assert.Same(a.Merge(b), b.Merge(a));
                foreach (var c in Records)
                {
                    Assert.Same(a.Merge(b).Merge(c), a.Merge(b.Merge(c)));
                }
            }
        }
    }

    [Fact]
    public void A_keyring_with_more_than_one_generation_is_a_rotation_in_progress()
    {
        var rotating = At(1, "node1");
        var retired = new KeyringRecord(new KeyringState(2, "node1", [rotating.State.Newest with { WrappedUnderPrevious = null }]));

        Assert.True(rotating.State.Rotating);
        Assert.Equal(2, rotating.State.Newest.Generation);
        Assert.False(retired.State.Rotating);
    }

    private static KeyringRecord At(int version, string writer) =>
        new(new KeyringState(version, writer,
            [new KeyringEntry(1, "0123456789abcdef", [1], null, null), new KeyringEntry(2, "fedcba9876543210", [2], [3], [4])]));
}
