using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Security.Cryptography;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using OkvActors.KeyStore.Model;
using OkvActors.KeyStore.Tests.Support;
using Xunit;

namespace OkvActors.KeyStore.Tests.Model;

public sealed class ManagedObjectCodecTests
{
    private static readonly Arbitrary<ScenarioRun> Runs = Arb.From(Generators.Run(Generators.Uid, 3, 30));

    [Property(MaxTest = 300)]
    public Property Decode_of_an_encoding_encodes_to_the_same_bytes() => Prop.ForAll(Runs, run =>
    {
        foreach (var o in run.AllStates)
        {
            var bytes = ManagedObjectCodec.Encode(o);
            var decoded = ManagedObjectCodec.Decode(bytes);

            Assert.Equal(bytes, ManagedObjectCodec.Encode(decoded));
            Assert.Equal(o.State, decoded.State);
            Assert.Equal(o.Uid, decoded.Uid);
        }
    });

    /// <summary>
    /// A decoded object takes the hash of the bytes it was read from as its own, except when they are not its encoding:
    /// bytes saying "destroyed" that still carry material (no encoder writes them) give an object without the material,
    /// whose encoding, which replicas store, must not carry it, and whose hash must be that encoding's.
    /// </summary>
    [Fact]
    public void A_destroyed_object_read_with_material_encodes_without_it()
    {
        var live = Scenario.BaseObject("uid-1");
        var bytes = ManagedObjectCodec.Encode(live);
        var material = live.WrappedMaterial!;
        var progressAt = bytes.AsSpan().IndexOf(material) + material.Length;
        Assert.Equal((byte)Progress.PreActive, bytes[progressAt]);
        bytes[progressAt] = (byte)Progress.Destroyed;

        var decoded = ManagedObjectCodec.Decode(bytes);

        Assert.True(decoded.IsDestroyed);
        Assert.Null(decoded.WrappedMaterial);
        var encoding = ManagedObjectCodec.Encode(decoded);
        Assert.Equal(-1, encoding.AsSpan().IndexOf(material));
        Assert.Equal(SHA256.HashData(encoding), HashOf(decoded));
        Assert.Equal(encoding.Length, decoded.EncodedLength);
    }

    [Fact]
    public void A_decoded_object_hashes_as_the_bytes_it_was_read_from()
    {
        var original = Scenario.BaseObject("uid-1");
        var bytes = ManagedObjectCodec.Encode(original);

        var decoded = ManagedObjectCodec.Decode(bytes);

        Assert.Equal(SHA256.HashData(bytes), HashOf(decoded));
        Assert.Equal(bytes.Length, decoded.EncodedLength);
        Assert.True(decoded.SameAs(original));
        Assert.Equal(bytes, ManagedObjectCodec.Encode(decoded));
    }

    [Fact]
    public void Objects_are_the_same_exactly_when_their_encodings_are_equal()
    {
        var hlc = new HybridLogicalClock("node-a", new ManualClock(Scenario.Start));
        var a = Scenario.BaseObject("uid-1");
        var renamed = a.SetNames(["other"], hlc.Now());

        Assert.True(a.SameAs(a));
        Assert.True(a.SameAs(ManagedObjectCodec.Decode(ManagedObjectCodec.Encode(a))));
        Assert.False(a.SameAs(renamed));
        Assert.False(renamed.SameAs(a));
        Assert.False(a.SameAs(Scenario.BaseObject("uid-2")));
    }

    private static byte[] HashOf(ManagedObject o)
    {
        var hash = new byte[SHA256.HashSizeInBytes];
        o.CopyHashTo(hash);
        return hash;
    }

    private static readonly Arbitrary<(ScenarioRun Run, (int At, byte Value)[] Damage)> Corruptions = Arb.From(
        from run in Generators.Run(Generators.Uid, 2, 20)
        from damage in Gen.Zip(Gen.Choose(0, int.MaxValue), Gen.Choose(0, 255).Select(b => (byte)b)).ArrayOf().Where(d => d.Length > 0)
        select (run, damage.Select(d => (d.Item1, d.Item2)).ToArray()));

    /// <summary>Whatever a damaged encoding holds, Decode either reads an object or throws FormatException, nothing else.</summary>
    [Property(MaxTest = 500)]
    public Property Decode_of_damaged_bytes_fails_only_with_a_format_exception() => Prop.ForAll(Corruptions, c =>
    {
        var bytes = ManagedObjectCodec.Encode(c.Run.Finals[^1]);
        foreach (var (at, value) in c.Damage)
        {
            bytes[at % bytes.Length] = value;
        }

        try
        {
            ManagedObjectCodec.Decode(bytes);
        }
        catch (FormatException)
        {
        }
    });

    [Fact]
    public void A_fully_populated_object_round_trips_field_by_field()
    {
        var hlc = new HybridLogicalClock("node-a", new ManualClock(Scenario.Start));
        var o = ManagedObject.Create("鍵-1", ObjectType.PrivateKey, 4, 3072, [1, 2, 3], hlc.Now(),
                new DateTimeOffset(2030, 1, 1, 12, 0, 0, TimeSpan.FromHours(2)), names: ["a", "ключ"], usageMask: 5, wallet: "w")
            .SetCustom("x-b", "2", hlc.Now())
            .SetCustom("x-a", null, hlc.Now())
            .SetLink(LinkType.PublicKey, "pub-1", hlc.Now())
            .SetLink(LinkType.Certificate, null, hlc.Now())
            .Activate(Scenario.Start.AddDays(1))
            .Revoke(RevocationReason.KeyCompromise, Scenario.Start.AddDays(2));

        var d = ManagedObjectCodec.Decode(ManagedObjectCodec.Encode(o));

        Assert.Equal(o.Uid, d.Uid);
        Assert.Equal(o.Type, d.Type);
        Assert.Equal(o.Algorithm, d.Algorithm);
        Assert.Equal(o.Length, d.Length);
        Assert.Equal(o.InitialDate, d.InitialDate);
        Assert.Equal(o.Creator, d.Creator);
        Assert.Equal(o.WrappedMaterial, d.WrappedMaterial);
        Assert.Equal(o.Progress, d.Progress);
        Assert.Equal(o.Compromised, d.Compromised);
        Assert.Equal(o.Dates, d.Dates);
        Assert.Equal(o.RevocationReason, d.RevocationReason);
        Assert.Equal(o.Names.Stamp, d.Names.Stamp);
        Assert.Equal<string>(o.Names.Value, d.Names.Value);
        Assert.Equal(o.UsageMask, d.UsageMask);
        Assert.Equal(o.Wallet, d.Wallet);
        Assert.Equal(o.Custom, d.Custom);
        Assert.Equal(o.Links, d.Links);
        Assert.Equal(["x-a", "x-b"], d.Custom.Keys);
    }

    [Fact]
    public void Decoded_objects_share_one_string_per_node_name_and_one_empty_map()
    {
        var a = ManagedObjectCodec.Decode(ManagedObjectCodec.Encode(Scenario.BaseObject("a")));
        var b = ManagedObjectCodec.Decode(ManagedObjectCodec.Encode(Scenario.BaseObject("b")));

        Assert.Equal(a.Creator, b.Creator);
        Assert.Same(a.Creator, b.Creator);
        Assert.Same(a.Names.Stamp.Node, b.UsageMask.Stamp.Node);
        Assert.Same(a.Custom, b.Custom);
        Assert.Same(a.Links, b.Links);
        Assert.Same(LifecycleDates.None, a.Dates);
        Assert.Equal(ManagedObjectCodec.Encode(Scenario.BaseObject("a")), ManagedObjectCodec.Encode(a));
    }

    [Fact]
    public void Empty_material_and_empty_strings_stay_distinct_from_null()
    {
        var hlc = new HybridLogicalClock("node-a", new ManualClock(Scenario.Start));
        var empty = ManagedObject.Create("u", ObjectType.OpaqueObject, 0, 0, [], hlc.Now(), Scenario.Start, wallet: "");
        var none = ManagedObject.Create("u", ObjectType.OpaqueObject, 0, 0, null, hlc.Now(), Scenario.Start);

        var d = ManagedObjectCodec.Decode(ManagedObjectCodec.Encode(empty));
        var n = ManagedObjectCodec.Decode(ManagedObjectCodec.Encode(none));

        Assert.Equal([], d.WrappedMaterial!);
        Assert.Equal("", d.Wallet.Value);
        Assert.Null(n.WrappedMaterial);
        Assert.Null(n.Wallet.Value);
    }

    [Fact]
    public void The_encoding_does_not_depend_on_the_order_attributes_were_set_in()
    {
        var stamp1 = new Hlc(10, 0, "node-a");
        var stamp2 = new Hlc(10, 0, "node-b");
        var o = Scenario.BaseObject("u");

        var one = o.SetCustom("x-b", "2", stamp2).SetCustom("x-a", "1", stamp1).SetLink(LinkType.PrivateKey, "p", stamp1).SetLink(LinkType.Certificate, "c", stamp2);
        var two = o.SetLink(LinkType.Certificate, "c", stamp2).SetCustom("x-a", "1", stamp1).SetLink(LinkType.PrivateKey, "p", stamp1).SetCustom("x-b", "2", stamp2);

        Assert.Equal(ManagedObjectCodec.Encode(one), ManagedObjectCodec.Encode(two));
    }

    [Fact]
    public void Dates_are_encoded_as_utc_instants()
    {
        var here = Scenario.BaseObject("u").Activate(new DateTimeOffset(2030, 1, 1, 12, 0, 0, TimeSpan.FromHours(2)));
        var there = Scenario.BaseObject("u").Activate(new DateTimeOffset(2030, 1, 1, 5, 0, 0, TimeSpan.FromHours(-5)));

        Assert.Equal(ManagedObjectCodec.Encode(here), ManagedObjectCodec.Encode(there));
    }

    [Fact]
    public void Decode_refuses_every_truncation()
    {
        var bytes = ManagedObjectCodec.Encode(RichObject());

        for (var length = 0; length < bytes.Length; length++)
        {
            var prefix = bytes[..length];
            var e = Assert.Throws<FormatException>(() => ManagedObjectCodec.Decode(prefix));
            Assert.False(string.IsNullOrEmpty(e.Message));
        }
    }

    [Theory]
    [InlineData(new byte[] { 0 })]
    [InlineData(new byte[] { 0, 0, 0, 0 })]
    [InlineData(new byte[] { 0xFF })]
    public void Decode_refuses_trailing_bytes(byte[] trailer)
    {
        byte[] bytes = [.. ManagedObjectCodec.Encode(RichObject()), .. trailer];

        var e = Assert.Throws<FormatException>(() => ManagedObjectCodec.Decode(bytes));

        Assert.Contains("trailing", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    [InlineData(255)]
    public void Decode_refuses_an_unknown_version(byte version)
    {
        var bytes = ManagedObjectCodec.Encode(RichObject());
        bytes[0] = version;

        var e = Assert.Throws<FormatException>(() => ManagedObjectCodec.Decode(bytes));

        Assert.Contains($"version {version}", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_version_is_the_first_byte()
    {
        Assert.Equal(ManagedObjectCodec.Version, ManagedObjectCodec.Encode(RichObject())[0]);
    }

    [Theory]
    [InlineData(int.MaxValue)]
    [InlineData(int.MaxValue - 4)]
    [InlineData(1_000_000)]
    [InlineData(-2)]
    public void Decode_refuses_a_length_that_points_past_the_end(int length)
    {
        // The UID's length prefix follows the version byte.
        var bytes = ManagedObjectCodec.Encode(RichObject());
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(1), length);

        Assert.Throws<FormatException>(() => ManagedObjectCodec.Decode(bytes));
    }

    [Theory]
    [InlineData(long.MaxValue)]
    [InlineData(3155378976000000000L)]
    [InlineData(-1L)]
    public void Decode_refuses_an_initial_date_out_of_range(long ticks)
    {
        // The initial date follows the version, the UID, the type, the algorithm and the length.
        var o = RichObject();
        var bytes = ManagedObjectCodec.Encode(o);
        var at = 1 + 4 + System.Text.Encoding.UTF8.GetByteCount(o.Uid) + 4 + 4 + 4;
        Assert.Equal(o.InitialDate.UtcTicks, BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(at)));
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(at), ticks);

        var e = Assert.Throws<FormatException>(() => ManagedObjectCodec.Decode(bytes));

        Assert.Contains("out of range", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_refuses_an_implausible_name_count()
    {
        var o = Scenario.BaseObject("u").SetNames([], new Hlc(1, 0, "n"));
        var bytes = ManagedObjectCodec.Encode(o);

        // Locate the name count: it follows the names stamp, the only stamp with node "n".
        var marker = "\u0001\u0000\u0000\u0000n"u8.ToArray();
        var at = bytes.AsSpan().IndexOf(marker) + marker.Length;
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(at), 1_000_000);

        var e = Assert.Throws<FormatException>(() => ManagedObjectCodec.Decode(bytes));

        Assert.Contains("name count", e.Message, StringComparison.Ordinal);
    }

    private static ManagedObject RichObject()
    {
        var hlc = new HybridLogicalClock("node-a", new ManualClock(Scenario.Start));
        return Scenario.BaseObject("ключ-1")
            .SetNames(["one", "鍵"], hlc.Now())
            .SetWallet("finance", hlc.Now())
            .SetCustom("x-owner", "ops", hlc.Now())
            .SetCustom("x-gone", null, hlc.Now())
            .SetLink(LinkType.ReplacedObject, "uid-0", hlc.Now())
            .Activate(Scenario.Start.AddHours(1))
            .Revoke(RevocationReason.Superseded, Scenario.Start.AddHours(2));
    }
}
