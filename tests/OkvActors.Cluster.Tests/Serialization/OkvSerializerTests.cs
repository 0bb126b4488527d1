using System.Runtime.CompilerServices;
using System.Runtime.Serialization;
using System.Text;
using Akka.Actor;
using Akka.Configuration;
using OkvActors.Cluster.Audit;
using OkvActors.Cluster.Controller;
using OkvActors.Cluster.Downing;
using OkvActors.Cluster.Durability;
using OkvActors.Cluster.Inspection;
using OkvActors.Cluster.Secrets;
using OkvActors.Cluster.Serialization;
using OkvActors.KeyStore.Replication;
using Xunit;

namespace OkvActors.Cluster.Tests.Serialization;

/// <summary>
/// One cluster-provider ActorSystem for the whole class: every test here only reads its serialization
/// settings, and starting and stopping remoting per test would cost about a second each.
/// </summary>
public sealed class SerializationSystem() : Akka.TestKit.Xunit2.TestKit(Config, nameof(OkvSerializerTests))
{
    private static readonly Config Config = ConfigurationFactory.ParseString("""
            akka.actor.provider = cluster
            akka.remote.dot-netty.tcp { hostname = "127.0.0.1", port = 0 }
            """)
        .WithFallback(OkvClusterSettings.DefaultConfig());
}

public sealed class OkvSerializerTests(SerializationSystem system) : IClassFixture<SerializationSystem>
{
    // A non-UTC offset, so a round trip that dropped it would show.
    private static readonly DateTimeOffset At = new(2025, 3, 1, 12, 30, 15, TimeSpan.FromHours(2));

    private static readonly ControllerState State = new(
        7,
        "node2",
        new ClusterPolicy("okv", ["sg01", "sg02"], 5, TimeSpan.FromSeconds(5), TimeSpan.FromHours(24)),
        [
            new NodeRecord("node1", "sg01", NodeState.Active, "aa01", "akka.ssl.tcp://okv@127.0.0.1:4053", "1.2.3", At),
            new NodeRecord("node2", "sg02", NodeState.Disabled, "bb02", "akka.ssl.tcp://okv@127.0.0.1:4054", "1.2.3", At.AddHours(1)),
            new NodeRecord("node3", "sg01", NodeState.ForceRemoved, "cc03", null, null, At.AddHours(2)),
            new NodeRecord("node4", "sg01", NodeState.Withdrawn, "dd04", "akka.ssl.tcp://okv@127.0.0.1:4056", "1.2.3", At.AddHours(3)),
        ],
        [new Approval("dd04", "node4", [1, 2, 3, 4], At)],
        [new Revocation("cc03", "node3", "force-removed", At.AddHours(2))]);

    private static readonly DurableEntryStored Entry = new("okv-controller", 12, "DDE", [9, 8, 7]);

    private static readonly Dictionary<string, object> Samples = new()
    {
        ["ControllerRegistry"] = new ControllerRegistry(State),
        ["ControllerState"] = State,
        ["RequestAdmission"] = new RequestAdmission("node4", "sg02", "dd04", "1.2.3", At, "akka.ssl.tcp://okv@127.0.0.1:4056"),
        ["Admitted"] = new Admitted("okv", ["akka.ssl.tcp://okv@127.0.0.1:4053", "akka.ssl.tcp://okv@127.0.0.1:4054"], [1, 2], [3, 4, 5], [6]),
        ["AdmissionRejected"] = new AdmissionRejected(AdmissionRefusal.ClockSkew, "clock differs"),
        ["ApproveCandidate"] = new ApproveCandidate("node4", "dd04", [1, 2, 3, 4]),
        ["AddSubgroup"] = new AddSubgroup("sg03"),
        ["ChangeNodeLifecycle"] = new ChangeNodeLifecycle("node2", LifecycleAction.ForceRemove),
        ["RevokeCertificate"] = new RevokeCertificate(new string('e', 64), "endpoint7"),
        ["WithdrawAdmission"] = new WithdrawAdmission("node4", "dd04", "first sync failed", At, [5, 6, 7]),
        ["GetRegistry"] = GetRegistry.Instance,
        ["CommandAccepted"] = new CommandAccepted("added subgroup 'sg03'", State),
        ["CommandRejected"] = new CommandRejected("subgroup 'sg01' already exists"),
        ["RegistrySnapshot"] = new RegistrySnapshot(State, "akka.ssl.tcp://okv@127.0.0.1:4053"),
        ["DurableEntryStored"] = Entry,
        ["DurableKeyAdded"] = new DurableKeyAdded("okv-shard-0007"),
        ["DurableKeyIndex"] = new DurableKeyIndex(["okv-controller", "okv-shard-0007"]),
        ["ShardObjectsStored"] = new ShardObjectsStored("okv-shard-0007", [1, 0, 0, 0, 0, 9, 8, 7]),
        ["AuditEntry"] = AuditChain.Next(AuditHead.Genesis, At, "node1", "cn=endpoint1", "Destroy", "uid-0001", "success", null),
        ["AuditHead"] = new AuditHead(1000, new string('a', 64)),
        ["InspectShards"] = InspectShards.Instance,
        ["ShardsInspected"] = new ShardsInspected("node2", [new ShardDigest("okv-shard-0007", 3, "ab12"), new ShardDigest("okv-shard-0009", 0, "00")]),
        ["InspectNode"] = InspectNode.Instance,
        ["NodeInspected"] = new NodeInspected("node2", "akka.ssl.tcp://okv@127.0.0.1:4054", true, "reaches 1 of 3 nodes", 4242),
        ["SeesLagProbe"] = new SeesLagProbe("node1-0123"),
        ["LagProbeSeen"] = new LagProbeSeen("node3", true),
        ["SealedSecretsRecord"] = new SealedSecretsRecord(new SealedSecretsState(3, "node2", "0123456789abcdef", [1, 2, 3], [4, 5, 6])),
        ["InspectSealedSecrets"] = InspectSealedSecrets.Instance,
        ["SealedSecretsInspected"] = new SealedSecretsInspected("node3", 2, 3, "0123456789abcdef"),
        ["KeyringRecord"] = new KeyringRecord(new KeyringState(4, "node1",
            [new KeyringEntry(1, "0123456789abcdef", [1, 2], null, null), new KeyringEntry(2, "fedcba9876543210", [3], [4, 5], [6, 7])])),
        ["InspectKeyring"] = InspectKeyring.Instance,
        ["KeyringInspected"] = new KeyringInspected("node2", 2, "fedcba9876543210", ["1:0123456789abcdef", "2:fedcba9876543210"], 4),
        ["MembershipQuery"] = MembershipQuery.Instance,
        ["MembershipView"] = new MembershipView("akka.ssl.tcp://okv@127.0.0.1:4054",
            ["akka.ssl.tcp://okv@127.0.0.1:4054#17", "akka.ssl.tcp://okv@127.0.0.1:4055#-4"]),
    };

    public static TheoryData<string> WireTypes => new(Samples.Keys);

    private ActorSystem Sys => system.Sys;

    private OkvSerializer Okv => (OkvSerializer)Sys.Serialization.FindSerializerForType(typeof(IOkvMessage));

    [Theory]
    [MemberData(nameof(WireTypes))]
    public void A_wire_type_is_bound_to_the_okv_serializer(string wireType)
    {
        var serializer = Sys.Serialization.FindSerializerFor(Samples[wireType]);

        Assert.IsType<OkvSerializer>(serializer);
        Assert.Equal(OkvSerializer.SerializerId, serializer.Identifier);
    }

    [Theory]
    [MemberData(nameof(WireTypes))]
    public void A_wire_type_round_trips_through_its_manifest_to_an_equal_value(string wireType)
    {
        var sample = Samples[wireType];
        var manifest = Okv.Manifest(sample);
        var bytes = Okv.ToBinary(sample);

        var back = Okv.FromBinary(bytes, manifest);

        Assert.IsType(sample.GetType(), back);
        Assert.Equal(Encoding.UTF8.GetString(bytes), Encoding.UTF8.GetString(Okv.ToBinary(back)));
    }

    [Theory]
    [MemberData(nameof(WireTypes))]
    public void A_wire_type_round_trips_through_the_actor_system_serialization(string wireType)
    {
        var sample = Samples[wireType];
        var serializer = Sys.Serialization.FindSerializerFor(sample);
        var bytes = serializer.ToBinary(sample);

        var back = Sys.Serialization.Deserialize(bytes, serializer.Identifier, Akka.Serialization.Serialization.ManifestFor(serializer, sample));

        Assert.Equal(Encoding.UTF8.GetString(bytes), Encoding.UTF8.GetString(serializer.ToBinary(back)));
    }

    [Fact]
    public void Messages_without_collections_round_trip_to_equal_records()
    {
        foreach (var name in new[] { "RequestAdmission", "AdmissionRejected", "AddSubgroup", "ChangeNodeLifecycle", "RevokeCertificate", "GetRegistry", "CommandRejected", "AuditEntry", "AuditHead", })
        {
            var sample = Samples[name];

            Assert.Equal(sample, RoundTrip(sample));
        }
    }

    [Fact]
    public void A_controller_state_keeps_every_field()
    {
        var back = (ControllerState)RoundTrip(State);

        AssertSameState(State, back);
    }

    [Fact]
    public void A_registry_keeps_its_state()
    {
        var back = (ControllerRegistry)RoundTrip(new ControllerRegistry(State));

        AssertSameState(State, back.State);
    }

    [Fact]
    public void Replies_that_carry_the_state_keep_it()
    {
        var accepted = (CommandAccepted)RoundTrip(Samples["CommandAccepted"]);
        var snapshot = (RegistrySnapshot)RoundTrip(Samples["RegistrySnapshot"]);

        Assert.Equal("added subgroup 'sg03'", accepted.What);
        AssertSameState(State, accepted.State);
        Assert.Equal("akka.ssl.tcp://okv@127.0.0.1:4053", snapshot.ControllerAddress);
        AssertSameState(State, snapshot.State);
    }

    [Fact]
    public void Admitted_keeps_its_seeds_and_secrets()
    {
        var sample = (Admitted)Samples["Admitted"];

        var back = (Admitted)RoundTrip(sample);

        Assert.Equal(sample.ClusterName, back.ClusterName);
        Assert.Equal(sample.Seeds, back.Seeds);
        Assert.Equal(sample.WrappedKek, back.WrappedKek);
        Assert.Equal(sample.SealedCaKey, back.SealedCaKey);
        Assert.Equal(sample.SealedKek, back.SealedKek);
    }

    [Fact]
    public void An_approval_request_keeps_its_public_key()
    {
        var sample = (ApproveCandidate)Samples["ApproveCandidate"];

        var back = (ApproveCandidate)RoundTrip(sample);

        Assert.Equal((sample.Name, sample.Fingerprint), (back.Name, back.Fingerprint));
        Assert.Equal(sample.PublicKeyInfo, back.PublicKeyInfo);
    }

    [Fact]
    public void Durable_entries_and_shard_objects_keep_their_bytes()
    {
        var entry = (DurableEntryStored)Samples["DurableEntryStored"];
        var shard = (ShardObjectsStored)Samples["ShardObjectsStored"];

        var entryBack = (DurableEntryStored)RoundTrip(entry);
        var shardBack = (ShardObjectsStored)RoundTrip(shard);

        Assert.Equal((entry.Key, entry.SerializerId, entry.Manifest), (entryBack.Key, entryBack.SerializerId, entryBack.Manifest));
        Assert.Equal(entry.Envelope, entryBack.Envelope);
        Assert.Equal(shard.Key, shardBack.Key);
        Assert.Equal(shard.Objects, shardBack.Objects);
    }

    [Fact]
    public void An_audit_entry_is_stored_as_readable_json_that_still_verifies()
    {
        var entry = (AuditEntry)Samples["AuditEntry"];

        var json = Encoding.UTF8.GetString(Okv.ToBinary(entry));

        Assert.Equal("audit-entry", Okv.Manifest(entry));
        Assert.Contains("\"result\":\"success\"", json, StringComparison.Ordinal);
        Assert.IsType<AuditChainValid>(AuditChain.Verify([(AuditEntry)RoundTrip(entry)]));
    }

    [Fact]
    public void A_truncated_shard_objects_entry_is_refused()
    {
        Assert.Throws<System.Runtime.Serialization.SerializationException>(() => Okv.FromBinary([200, 0, 0, 0, 1], "shard-objects"));
    }

    [Fact]
    public void Every_okv_message_type_in_the_module_has_its_own_manifest()
    {
        var types = typeof(IOkvMessage).Assembly.GetTypes()
            .Where(t => typeof(IOkvMessage).IsAssignableFrom(t) && t is { IsClass: true, IsAbstract: false })
            .ToArray();

        var manifests = types.Select(t => Okv.Manifest(RuntimeHelpers.GetUninitializedObject(t))).ToArray();

        Assert.Equal(types.Length, manifests.Distinct().Count());
        Assert.Equal(Samples.Values.Select(s => s.GetType()).OrderBy(t => t.Name), types.OrderBy(t => t.Name));
    }

    [Fact]
    public void An_unknown_manifest_is_refused_with_a_serialization_exception()
    {
        var error = Assert.Throws<SerializationException>(() => Okv.FromBinary("{}"u8.ToArray(), "no-such-manifest"));

        Assert.Contains("no-such-manifest", error.Message);
    }

    [Fact]
    public void A_type_that_is_not_an_okv_message_has_no_manifest()
    {
        var error = Assert.Throws<ArgumentException>(() => Okv.Manifest("just a string"));

        Assert.Contains("System.String", error.Message);
    }

    [Fact]
    public void Types_that_are_not_okv_messages_are_not_bound_to_the_okv_serializer()
    {
        Assert.IsNotType<OkvSerializer>(Sys.Serialization.FindSerializerFor("just a string"));
    }

    private object RoundTrip(object sample) => Okv.FromBinary(Okv.ToBinary(sample), Okv.Manifest(sample));

    private static void AssertSameState(ControllerState expected, ControllerState actual)
    {
        Assert.Equal((expected.Version, expected.Writer), (actual.Version, actual.Writer));
        Assert.Equal(expected.Policy.ClusterName, actual.Policy.ClusterName);
        Assert.Equal(expected.Policy.Subgroups, actual.Policy.Subgroups);
        Assert.Equal(
            (expected.Policy.MaxNodes, expected.Policy.MaxClockSkew, expected.Policy.MaxDisableDuration),
            (actual.Policy.MaxNodes, actual.Policy.MaxClockSkew, actual.Policy.MaxDisableDuration));
        Assert.Equal(expected.Nodes, actual.Nodes);
        Assert.Equal(expected.Revocations, actual.Revocations);
        Assert.Equal(expected.Approvals.Count, actual.Approvals.Count);
        foreach (var (e, a) in expected.Approvals.Zip(actual.Approvals))
        {
            Assert.Equal((e.Fingerprint, e.Name, e.ApprovedAt), (a.Fingerprint, a.Name, a.ApprovedAt));
            Assert.Equal(e.PublicKeyInfo, a.PublicKeyInfo);
        }
    }
}
