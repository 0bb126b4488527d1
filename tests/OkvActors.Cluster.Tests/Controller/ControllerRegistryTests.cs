using Akka.DistributedData;
using OkvActors.Cluster.Controller;
using Xunit;

namespace OkvActors.Cluster.Tests.Controller;

public sealed class ControllerRegistryTests
{
    private static readonly DateTimeOffset Epoch = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private static readonly string[] Writers = ["node1", "node10", "node2"];

    /// <summary>Every (version, writer) pair for versions 1-3: small enough to check the laws exhaustively.</summary>
    private static readonly ControllerRegistry[] Registries =
        (from version in Enumerable.Range(1, 3) from writer in Writers select RegistryAt(version, writer)).ToArray();

    [Fact]
    public void Merge_keeps_the_higher_version_whichever_side_it_is_on()
    {
        var older = RegistryAt(4, "node9");
        var newer = RegistryAt(5, "node1");

        Assert.Same(newer, older.Merge(newer));
        Assert.Same(newer, newer.Merge(older));
    }

    [Fact]
    public void Equal_versions_are_tie_broken_by_the_ordinally_greater_writer()
    {
        var byNode2 = RegistryAt(3, "node2");
        var byNode10 = RegistryAt(3, "node10");

        Assert.Same(byNode2, byNode2.Merge(byNode10));
        Assert.Same(byNode2, byNode10.Merge(byNode2));
    }

    [Fact]
    public void The_untyped_merge_agrees_with_the_typed_merge()
    {
        var a = RegistryAt(2, "node1");
        var b = RegistryAt(2, "node2");

        Assert.Same(a.Merge(b), ((IReplicatedData)a).Merge(b));
        Assert.Same(b.Merge(a), ((IReplicatedData)b).Merge(a));
    }

    [Fact]
    public void Merge_is_commutative()
    {
        foreach (var a in Registries)
        {
            foreach (var b in Registries)
            {
                Assert.True(Id(a.Merge(b)) == Id(b.Merge(a)), $"{a} merge {b}");
            }
        }
    }

    [Fact]
    public void Merge_is_associative()
    {
        foreach (var a in Registries)
        {
            foreach (var b in Registries)
            {
                foreach (var c in Registries)
                {
                    Assert.True(Id(a.Merge(b).Merge(c)) == Id(a.Merge(b.Merge(c))), $"{a}, {b}, {c}");
                }
            }
        }
    }

    [Fact]
    public void Merge_is_idempotent()
    {
        foreach (var a in Registries)
        {
            Assert.Same(a, a.Merge(a));
            foreach (var b in Registries)
            {
                var merged = a.Merge(b);
                Assert.True(Id(merged) == Id(merged.Merge(b)), $"{a} merge {b}");
                Assert.True(Id(merged) == Id(merged.Merge(a)), $"{a} merge {b}");
            }
        }
    }

    [Fact]
    public void Merge_returns_one_of_its_inputs_with_the_greatest_version_and_writer()
    {
        foreach (var a in Registries)
        {
            foreach (var b in Registries)
            {
                var merged = a.Merge(b);
                var expected = Registries
                    .Where(r => r == a || r == b)
                    .MaxBy(r => (r.State.Version, r.State.Writer), Comparer<(long, string)>.Create(CompareIds))!;
                Assert.True(ReferenceEquals(merged, a) || ReferenceEquals(merged, b), $"{a} merge {b}");
                Assert.Equal(Id(expected), Id(merged));
            }
        }
    }

    [Fact]
    public void The_registry_key_is_the_durable_okv_controller_key()
    {
        Assert.Equal("okv-controller", ControllerRegistry.Key.Id);
    }

    private static int CompareIds((long Version, string Writer) x, (long Version, string Writer) y) =>
        x.Version != y.Version ? x.Version.CompareTo(y.Version) : string.CompareOrdinal(x.Writer, y.Writer);

    private static (long Version, string Writer) Id(ControllerRegistry registry) => (registry.State.Version, registry.State.Writer);

    /// <summary>A registry whose whole content follows from (version, writer), as it does for the single writer.</summary>
    private static ControllerRegistry RegistryAt(long version, string writer)
    {
        var policy = new ClusterPolicy("okv", ["sg01"], 3, TimeSpan.FromSeconds(5), TimeSpan.FromHours(24));
        var node = new NodeRecord(writer, "sg01", NodeState.Active, $"{writer}-fingerprint", $"akka.ssl.tcp://okv@127.0.0.1:{4050 + version}",
            "1.0.0", Epoch.AddMinutes(version));
        return new ControllerRegistry(ControllerState.Genesis(policy, node, writer) with { Version = version });
    }
}
