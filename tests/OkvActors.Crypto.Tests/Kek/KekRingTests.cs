using System.Security.Cryptography;
using OkvActors.Crypto.Kek;
using Xunit;

namespace OkvActors.Crypto.Tests.Kek;

public sealed class KekRingTests
{
    private const string Uid = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0";
    private static readonly byte[] Material = RandomNumberGenerator.GetBytes(32);

    [Fact]
    public void New_material_is_wrapped_under_the_newest_generation_and_old_blobs_still_open_by_the_kek_they_name()
    {
        using var ring = new KekRing(KeyEncryptionKey.Generate());
        var old = ring.Wrap(Material, Uid);
        ring.Add(KeyEncryptionKey.Generate(generation: 2));

        var fresh = ring.Wrap(Material, Uid);

        Assert.Equal(2, KeyEncryptionKey.GenerationOf(fresh));
        Assert.Equal(ring.Current.KeyId, KeyEncryptionKey.KeyIdOf(fresh));
        Assert.Equal(Material, ring.Unwrap(old, Uid));
        Assert.Equal(Material, ring.Unwrap(fresh, Uid));
        Assert.True(ring.IsStale(old));
        Assert.False(ring.IsStale(fresh));
    }

    [Fact]
    public void A_retired_generation_no_longer_opens_its_blobs_and_the_current_one_never_retires()
    {
        using var ring = new KekRing(KeyEncryptionKey.Generate());
        var old = ring.Wrap(Material, Uid);
        var first = ring.Current.KeyId;
        ring.Add(KeyEncryptionKey.Generate(generation: 2));

        Assert.Equal([first], ring.RetireBefore(2));
        Assert.Empty(ring.RetireBefore(5));

        Assert.Single(ring.Keys);
        Assert.Equal(KeyUnwrapFailure.OtherKek, Assert.Throws<KeyUnwrapException>(() => ring.Unwrap(old, Uid)).Failure);
    }

    [Fact]
    public void Adding_a_kek_already_held_keeps_one_copy()
    {
        var raw = RandomNumberGenerator.GetBytes(32);
        using var ring = new KekRing(new KeyEncryptionKey(raw));
        ring.Add(new KeyEncryptionKey(raw));

        Assert.Single(ring.Keys);
    }
}
