using OkvActors.KeyStore.Model;
using OkvActors.KeyStore.Vault;
using Xunit;

namespace OkvActors.KeyStore.Tests.Vault;

public sealed class CatalogTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);
    private readonly HybridLogicalClock _clock = new("node1");

    private ManagedObject Key(string uid, string name, ObjectType type = ObjectType.SymmetricKey) =>
        ManagedObject.Create(uid, type, 3, 256, [1, 2, 3], _clock.Now(), Now, [name]);

    [Fact]
    public void Locate_matches_every_given_criterion_in_uid_order_with_paging()
    {
        var objects = new[]
        {
            Key("c", "payments"),
            Key("a", "payments").Activate(Now),
            Key("b", "payments"),
            Key("d", "orders"),
            Key("e", "payments", ObjectType.SecretData),
        };

        Assert.Equal(["a", "b", "c", "e"], Catalog.Locate(objects, new LocateFilter(Name: "payments")).Select(o => o.Uid));
        Assert.Equal(["b", "c"], Catalog.Locate(objects, new LocateFilter(Name: "payments", Type: ObjectType.SymmetricKey,
            State: LifecycleState.PreActive)).Select(o => o.Uid));
        Assert.Equal(["b", "c"], Catalog.Locate(objects, new LocateFilter(Name: "payments", Offset: 1, MaxItems: 2)).Select(o => o.Uid));
        Assert.Empty(Catalog.Locate(objects, new LocateFilter(Name: "nothing")));
        Assert.Equal(5, Catalog.Locate(objects, new LocateFilter()).Count);
    }

    [Fact]
    public void Objects_sharing_a_name_are_a_conflict_listed_the_same_whatever_the_order_until_one_is_renamed_or_destroyed()
    {
        var first = Key("uid-2", "shared");
        var second = Key("uid-1", "shared");
        var other = Key("uid-3", "alone");

        var conflicts = Catalog.Conflicts([first, other, second]);
        var reversed = Catalog.Conflicts([second, other, first]);

        var conflict = Assert.Single(conflicts);
        Assert.Equal("shared", conflict.Name);
        Assert.Equal(["uid-1", "uid-2"], conflict.Uids);
        Assert.Equal(conflict.Uids, Assert.Single(reversed).Uids);
        Assert.Empty(Catalog.Conflicts([first.SetNames(["renamed"], _clock.Now()), second, other]));
        Assert.Empty(Catalog.Conflicts([first.Destroy(Now), second, other]));
    }
}
