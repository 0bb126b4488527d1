using OkvActors.Chaos.Checks;
using OkvActors.Chaos.Faults;
using OkvActors.Chaos.History;
using Xunit;
using static OkvActors.Chaos.Tests.Histories;

namespace OkvActors.Chaos.Tests;

/// <summary>Every check passes on a healthy history and fails on a hand-made history that breaks it.</summary>
public sealed class HistoryCheckerTests
{
    private const string HashA = "aaaa";
    private const string HashB = "bbbb";

    private static IEnumerable<string> Failed(IReadOnlyList<Violation> violations) => violations.Select(v => v.Check).Distinct();

    [Fact]
    public void A_healthy_history_passes_every_check()
    {
        var history = new[]
        {
            Created("u1"),
            Op(OpKind.Register, "node2", 1, 1.1, result: "u2", args: HashA),
            Op(OpKind.Get, "node3", 2, 2.1, uid: "u2", result: HashA),
            Op(OpKind.Activate, "node1", 3, 3.1, uid: "u1"),
            Op(OpKind.Inspect, "node1", 4, 4.1, uid: "u1", result: "Active"),
            Op(OpKind.Revoke, "node2", 5, 5.1, uid: "u1"),
            Op(OpKind.Destroy, "node3", 6, 6.1, uid: "u1"),
            Op(OpKind.Get, "node1", 7, 7.1, Outcome.Failed, uid: "u1", error: "Get: OperationFailed ItemNotFound"),
            Op(OpKind.Inspect, "node1", 30, 30.1, uid: "u1", result: "Destroyed"),
        };
        var final = Final(Objects(new FinalObject("u1", "Destroyed", null), new FinalObject("u2", "PreActive", HashA)));

        Assert.Empty(Check(history, final));
    }

    [Fact]
    public void An_acknowledged_create_no_node_holds_is_a_lost_write()
    {
        var violations = Check([Created("u1")], Final());

        var violation = Assert.Single(violations);
        Assert.Equal(HistoryChecker.AcknowledgedWritesSurvive, violation.Check);
        Assert.Contains("u1 is lost", violation.Message);
    }

    [Fact]
    public void An_acknowledged_create_missing_on_one_node_fails()
    {
        var objects = Objects(new FinalObject("u1", "PreActive", HashA));
        var replicas = Nodes.Select(n => new NodeReplica(n, new Dictionary<string, string> { ["shard-0"] = "d0" },
            n == "node3" ? new HashSet<string>() : ["u1"])).ToArray();

        var violation = Assert.Single(Check([Created("u1")], Final(objects, replicas)));

        Assert.Equal(HistoryChecker.AcknowledgedWritesSurvive, violation.Check);
        Assert.Contains("missing on node3", violation.Message);
    }

    [Fact]
    public void Registered_material_that_changed_fails()
    {
        var register = Op(OpKind.Register, "node1", 1, 1.1, result: "u1", args: HashA);
        var read = Op(OpKind.Get, "node2", 2, 2.1, uid: "u1", result: HashB);

        var violations = Check([register, read], Final(Objects(new FinalObject("u1", "PreActive", HashB))));

        Assert.Equal([HistoryChecker.AcknowledgedWritesSurvive], Failed(violations));
        Assert.Contains(violations, v => v.Operations.SequenceEqual([register.Id, read.Id]));
        Assert.Contains(violations, v => v.Message.Contains("other material after healing"));
    }

    [Fact]
    public void Material_read_after_a_destroy_on_a_node_with_its_quorum_is_a_resurrection()
    {
        var destroy = Op(OpKind.Destroy, "node1", 5, 5.1, uid: "u1");
        var get = Op(OpKind.Get, "node2", 6, 6.1, uid: "u1", result: HashA);

        var violations = Check([Created("u1"), destroy, get], Final(Objects(new FinalObject("u1", "Destroyed", null))));

        var violation = Assert.Single(violations);
        Assert.Equal(HistoryChecker.DestroyedStaysDestroyed, violation.Check);
        Assert.Equal([destroy.Id, get.Id], violation.Operations);
    }

    [Fact]
    public void A_node_cut_from_its_majority_may_serve_its_older_replica_after_a_destroy()
    {
        var destroy = Op(OpKind.Destroy, "node1", 5, 5.1, uid: "u1");
        var get = Op(OpKind.Get, "node3", 6, 6.1, uid: "u1", result: HashA);
        FaultRecord[] faults = [new(FaultKind.Partition, ["node3"], 4, 20, "cut from node1,node2")];

        Assert.Empty(Check([Created("u1"), destroy, get], Final(Objects(new FinalObject("u1", "Destroyed", null))), faults));
    }

    [Fact]
    public void A_destroyed_object_alive_after_healing_fails_twice()
    {
        var destroy = Op(OpKind.Destroy, "node1", 5, 5.1, uid: "u1");

        var violations = Check([Created("u1"), destroy], Final(Objects(new FinalObject("u1", "Deactivated", HashA))));

        Assert.Equal([HistoryChecker.DestroyedStaysDestroyed, HistoryChecker.LifecycleMovesForward], Failed(violations).Order());
    }

    [Fact]
    public void A_state_seen_moving_back_on_one_node_fails()
    {
        var active = Op(OpKind.Inspect, "node2", 3, 3.1, uid: "u1", result: "Active");
        var preActive = Op(OpKind.Inspect, "node2", 4, 4.1, uid: "u1", result: "PreActive");

        var violation = Assert.Single(Check([Created("u1"), active, preActive], Final(Objects(new FinalObject("u1", "Active", HashA)))));

        Assert.Equal(HistoryChecker.LifecycleMovesForward, violation.Check);
        Assert.Equal([active.Id, preActive.Id], violation.Operations);
    }

    [Fact]
    public void A_state_that_went_with_a_wiped_store_is_not_a_regression()
    {
        var active = Op(OpKind.Inspect, "node2", 3, 3.1, uid: "u1", result: "Active");
        var preActive = Op(OpKind.Inspect, "node2", 9, 9.1, uid: "u1", result: "PreActive");
        FaultRecord[] faults = [new(FaultKind.Wipe, ["node2"], 4, 8, "")];

        Assert.Empty(Check([Created("u1"), active, preActive], Final(Objects(new FinalObject("u1", "PreActive", HashA))), faults));
    }

    [Fact]
    public void An_acknowledged_activation_not_in_the_healed_state_fails()
    {
        var activate = Op(OpKind.Activate, "node1", 2, 2.1, uid: "u1");

        var violation = Assert.Single(Check([Created("u1"), activate], Final(Objects(new FinalObject("u1", "PreActive", HashA)))));

        Assert.Equal(HistoryChecker.LifecycleMovesForward, violation.Check);
        Assert.Equal([activate.Id], violation.Operations);
    }

    [Fact]
    public void Replicas_with_different_digests_fail()
    {
        var replicas = Nodes.Select(n => new NodeReplica(n, new Dictionary<string, string> { ["shard-0"] = n == "node2" ? "other" : "d0" }, new HashSet<string>())).ToArray();

        var violation = Assert.Single(Check([], Final(replicas: replicas)));

        Assert.Equal(HistoryChecker.ReplicasIdentical, violation.Check);
        Assert.Contains("node2 differs from node1 in 1 shard(s): shard-0", violation.Message);
    }

    [Fact]
    public void Replicas_that_never_converged_fail()
    {
        Assert.Equal([HistoryChecker.ReplicasIdentical], Failed(Check([], Final(converged: false))));
    }

    [Fact]
    public void A_uid_handed_out_twice_fails()
    {
        var first = Created("u1");
        var second = Op(OpKind.Register, "node2", 2, 2.1, result: "u1", args: HashA);

        var violations = Check([first, second], Final(Objects(new FinalObject("u1", "PreActive", null))));

        var violation = Assert.Single(violations, v => v.Check == HistoryChecker.UniqueUids);
        Assert.Equal([first.Id, second.Id], violation.Operations);
    }

    [Fact]
    public void A_restricted_refusal_while_the_node_had_its_quorum_fails()
    {
        var refused = Op(OpKind.Create, "node1", 40, 40.1, Outcome.Failed, restricted: true, error: "restricted mode: …");

        var violation = Assert.Single(Check([refused], Final()));

        Assert.Equal(HistoryChecker.RestrictedOnlyWithoutQuorum, violation.Check);
        Assert.Equal([refused.Id], violation.Operations);
    }

    [Theory]
    [InlineData(12, true)] // during the partition
    [InlineData(30, true)] // 10 s after the heal: within the margin
    [InlineData(36, false)] // 16 s after the heal: beyond it
    public void A_restricted_refusal_is_legitimate_only_during_a_cut_and_the_margin_after(double at, bool legitimate)
    {
        var refused = Op(OpKind.Activate, "node3", at, at + 0.1, Outcome.Failed, uid: "u1", restricted: true, error: "restricted mode: …");
        FaultRecord[] faults = [new(FaultKind.Partition, ["node3"], 10, 20, "cut from node1,node2")];

        var violations = Check([Created("u1"), refused], Final(Objects(new FinalObject("u1", "PreActive", null))), faults);

        Assert.Equal(legitimate, violations.Count == 0);
    }

    [Fact]
    public void The_majority_side_of_a_partition_may_not_be_restricted()
    {
        var refused = Op(OpKind.Create, "node1", 12, 12.1, Outcome.Failed, restricted: true, error: "restricted mode: …");
        FaultRecord[] faults = [new(FaultKind.Partition, ["node3"], 10, 20, "cut from node1,node2")];

        Assert.Equal([HistoryChecker.RestrictedOnlyWithoutQuorum], Failed(Check([refused], Final(), faults)));
    }

    [Theory]
    [InlineData(50, true)] // the restarted node2 first saw itself Up at 60 s: still rejoining
    [InlineData(70, true)] // within the margin after its rejoin
    [InlineData(80, false)] // beyond it
    public void A_restarted_node_may_be_restricted_until_it_is_a_member_again_and_the_margin_after(double at, bool legitimate)
    {
        var refused = Op(OpKind.Create, "node2", at, at + 0.1, Outcome.Failed, restricted: true, error: "restricted mode: …");
        FaultRecord[] faults = [new(FaultKind.Kill, ["node2"], 10, 20, "")];
        NodeView[] views = [new(25, "node2", true, "Joining", "restricted", 1), new(60, "node2", true, "Up", "normal", 3)];

        var violations = Check([refused], Final(), faults, views);

        Assert.Equal(legitimate, violations.Count == 0);
    }

    [Fact]
    public void A_controller_that_never_answered_after_its_kill_fails()
    {
        RegistryProbe[] probes = [new(40, "kill of node1, the controller", false, null, [], "no answer within 90s")];

        var violation = Assert.Single(Check([], Final(registry: probes)));

        Assert.Equal(HistoryChecker.ControllerRegistryIntact, violation.Check);
    }

    [Fact]
    public void A_registry_that_lost_a_node_fails()
    {
        RegistryProbe[] probes = [new(40, "kill of node1, the controller", true, "akka.ssl.tcp://okv@10.231.0.2:37001", ["node2", "node3"], "answered")];

        var violation = Assert.Single(Check([], Final(registry: probes)));

        Assert.Equal(HistoryChecker.ControllerRegistryIntact, violation.Check);
        Assert.Contains("lacks node1", violation.Message);
    }

    [Fact]
    public void Plaintext_material_in_a_node_file_fails()
    {
        PlaintextFinding[] found = [new("/tmp/x/node1/node.log", 123, "u1", "hex")];

        var violation = Assert.Single(Check([], Final(plaintext: found)));

        Assert.Equal(HistoryChecker.NoPlaintextAtRest, violation.Check);
        Assert.Contains("node.log", violation.Message);
    }
}
