using System.Security.Cryptography;
using OkvActors.Cluster.Secrets;
using OkvActors.Crypto.Kek;
using Xunit;

namespace OkvActors.Cluster.Tests.Secrets;

public sealed class KeyringLearningTests
{
    private const string Uid = "5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b";
    private static readonly byte[] Material = RandomNumberGenerator.GetBytes(32);

    [Fact]
    public void A_node_holding_the_current_kek_learns_the_new_generation_from_its_wrap_and_wraps_under_it_at_once()
    {
        using var first = KeyEncryptionKey.Generate();
        using var second = KeyEncryptionKey.Generate(generation: 2);
        using var ring = new KekRing(Copy(first, 1));
        var old = ring.Wrap(Material, Uid);

        KeyringLearning.Learn(ring, Rotation(first, second));

        Assert.Equal([1, 2], ring.Keys.Select(k => k.Generation));
        Assert.Equal(second.KeyId, ring.Current.KeyId);
        Assert.Equal(2, KeyEncryptionKey.GenerationOf(ring.Wrap(Material, Uid)));
        Assert.Equal(Material, ring.Unwrap(old, Uid));
    }

    [Fact]
    public void A_node_admitted_with_only_the_new_kek_learns_its_generation_and_the_previous_kek_so_old_blobs_still_open()
    {
        using var first = KeyEncryptionKey.Generate();
        using var second = KeyEncryptionKey.Generate(generation: 2);
        var old = first.Wrap(Material, Uid);
        // Admission hands over the raw current KEK; the node takes it for generation 1 until it sees the keyring.
        using var ring = new KekRing(Copy(second, 1));

        KeyringLearning.Learn(ring, Rotation(first, second));

        Assert.Equal([first.KeyId, second.KeyId], ring.Keys.Select(k => k.KeyId));
        Assert.Equal(2, ring.Current.Generation);
        Assert.Equal(Material, ring.Unwrap(old, Uid));
    }

    [Fact]
    public void A_wrap_that_does_not_open_is_refused_and_the_ring_keeps_what_it_held()
    {
        using var first = KeyEncryptionKey.Generate();
        using var second = KeyEncryptionKey.Generate(generation: 2);
        using var stranger = KeyEncryptionKey.Generate();
        var forged = new KeyringState(1, "node1",
        [
            new KeyringEntry(1, first.KeyId, null, null, null),
            new KeyringEntry(2, second.KeyId, null, stranger.WrapKey(second), null),
        ]);
        using var ring = new KekRing(Copy(first, 1));

        Assert.Throws<KeyUnwrapException>(() => KeyringLearning.Learn(ring, forged));
        Assert.Equal([first.KeyId], ring.Keys.Select(k => k.KeyId));
    }

    private static KeyringState Rotation(KeyEncryptionKey first, KeyEncryptionKey second) =>
        new(1, "node1",
        [
            new KeyringEntry(1, first.KeyId, [1], null, null),
            new KeyringEntry(2, second.KeyId, [2], first.WrapKey(second), second.WrapKey(first)),
        ]);

    private static KeyEncryptionKey Copy(KeyEncryptionKey kek, int generation)
    {
        var raw = kek.Export();
        try
        {
            return new KeyEncryptionKey(raw, generation);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(raw);
        }
    }
}
