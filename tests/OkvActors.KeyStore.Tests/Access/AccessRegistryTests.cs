using OkvActors.KeyStore.Access;
using OkvActors.KeyStore.Model;
using OkvActors.KeyStore.Serialization;
using Xunit;

namespace OkvActors.KeyStore.Tests.Access;

public sealed class AccessRegistryTests
{
    private const string Fingerprint = "ABCDEFabcdef0123456789012345678901234567890123456789012345678901";

    private static readonly HybridLogicalClock A = new("node-a");
    private static readonly HybridLogicalClock B = new("node-b");

    private static AccessRegistry Populated() =>
        AccessRegistry.Empty
            .CreateWallet("payments", "card keys", A.Now())
            .AddEndpoint("app1", Fingerprint, "payments", A.Now())
            .SetGrant("app1", "payments", AccessLevel.ReadModify, A.Now());

    [Fact]
    public void Concurrent_changes_on_two_nodes_merge_the_same_in_either_order_and_merging_twice_changes_nothing()
    {
        var start = Populated();
        var onA = start.SetGrant("app1", "payments", AccessLevel.Manage, A.Now()).CreateWallet("hr", "", A.Now());
        var onB = start.SetGrant("app1", "payments", null, B.Now()).AddEndpoint("app2", new string('7', 64), null, B.Now());

        var ab = onA.Merge(onB);
        var ba = onB.Merge(onA);

        Assert.Equal(AccessRegistryCodec.Encode(ab), AccessRegistryCodec.Encode(ba));
        Assert.Equal(AccessRegistryCodec.Encode(ab), AccessRegistryCodec.Encode(ab.Merge(onA).Merge(onB).Merge(ab)));
        Assert.True(ab.WalletExists("hr"));
        Assert.NotNull(ab.Endpoint("app2"));
        // The later stamp wins the grant register, whichever node wrote it.
        var later = ab.Grants[AccessRegistry.GrantKey("app1", "payments")];
        Assert.Equal(later.Stamp, new[] { onA.Grants[AccessRegistry.GrantKey("app1", "payments")].Stamp, onB.Grants[AccessRegistry.GrantKey("app1", "payments")].Stamp }.Max());
    }

    [Fact]
    public void A_removal_is_a_tombstone_that_wins_over_the_older_entry_on_every_replica()
    {
        var start = Populated();
        var removed = start.RemoveEndpoint("app1", B.Now());

        Assert.Null(start.Merge(removed).Endpoint("app1"));
        Assert.Null(removed.Merge(start).Endpoint("app1"));
        Assert.Null(removed.EndpointByFingerprint(Fingerprint));
    }

    [Fact]
    public void The_encoding_is_deterministic_and_round_trips()
    {
        var registry = Populated().RemoveEndpoint("app1", A.Now()).AddEndpoint("app1", new string('e', 64), null, A.Now());

        var bytes = AccessRegistryCodec.Encode(registry);
        var decoded = AccessRegistryCodec.Decode(bytes);

        Assert.Equal(bytes, AccessRegistryCodec.Encode(decoded));
        Assert.Equal(new string('e', 64), decoded.Endpoint("app1")!.Fingerprint);
        Assert.Equal(AccessLevel.ReadModify, decoded.Grant("app1", "payments"));
        Assert.Throws<System.Runtime.Serialization.SerializationException>(() => AccessRegistryCodec.Decode("{\"v\":9}"u8));
        Assert.Throws<System.Runtime.Serialization.SerializationException>(() => AccessRegistryCodec.Decode("not json"u8));
    }

    [Fact]
    public void Fingerprints_are_matched_case_insensitively_and_stored_lower_case()
    {
        var registry = Populated();

        Assert.Equal(Fingerprint.ToLowerInvariant(), registry.Endpoint("app1")!.Fingerprint);
        Assert.Equal("app1", registry.EndpointByFingerprint(Fingerprint.ToUpperInvariant())!.Name);
    }

    [Fact]
    public void Policy_levels_nest_and_private_wallets_belong_to_their_endpoint()
    {
        var registry = Populated().AddEndpoint("app2", new string('9', 64), null, A.Now());
        var app1 = new Principal.Endpoint("app1");
        var app2 = new Principal.Endpoint("app2");

        Assert.IsType<AccessDecision.Allowed>(AccessPolicy.Authorize(registry, app1, Permission.Modify, "payments"));
        Assert.IsType<AccessDecision.Denied>(AccessPolicy.Authorize(registry, app1, Permission.Manage, "payments"));
        Assert.IsType<AccessDecision.Allowed>(AccessPolicy.Authorize(registry, app2, Permission.Manage, "@app2"));
        Assert.True(Assert.IsType<AccessDecision.Denied>(AccessPolicy.Authorize(registry, app2, Permission.Read, "@app1")).Hidden);
        Assert.True(Assert.IsType<AccessDecision.Denied>(AccessPolicy.Authorize(registry, app2, Permission.Read, (string?)null)).Hidden);
        Assert.IsType<AccessDecision.Allowed>(AccessPolicy.Authorize(registry, new Principal.Operator("x"), Permission.Manage, (string?)null));
        Assert.Equal("payments", AccessPolicy.TargetWallet(registry, app1, null));
        Assert.Equal("@app2", AccessPolicy.TargetWallet(registry, app2, null));
    }
}
