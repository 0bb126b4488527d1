using OkvActors.Cluster.Controller;
using Xunit;

namespace OkvActors.Cluster.Tests.Controller;

public sealed class ControllerRulesTests
{
    private const string Version = "1.2.3";
    private const string Writer = "node1";

    private static readonly DateTimeOffset Now = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private static readonly ClusterPolicy Policy =
        new("okv", ["sg01"], 3, TimeSpan.FromSeconds(5), TimeSpan.FromHours(24));

    // _keys[n] is the key of node{n}; _keys[0] is a spare that no node uses.
    private readonly TestKey[] _keys = Enumerable.Range(0, 6).Select(_ => TestKey.New()).ToArray();
    private readonly ControllerState _genesis;

    public ControllerRulesTests()
    {
        var founder = new NodeRecord("node1", "sg01", NodeState.Active, _keys[1].Fingerprint, AddressOf(1), Version, Now.AddDays(-1));
        _genesis = ControllerState.Genesis(Policy, founder, Writer);
    }

    // ---- Admit ------------------------------------------------------------------------------------

    [Fact]
    public void An_approved_candidate_is_admitted_as_an_active_node_with_its_address_and_version()
    {
        var approved = Approve(_genesis, 2);

        var admitted = Accepted(ControllerRules.Admit(approved, RequestFor(2), Version, Now, Writer));

        var node = Assert.Single(admitted.Nodes, n => n.Name == "node2");
        Assert.Equal(new NodeRecord("node2", "sg01", NodeState.Active, _keys[2].Fingerprint, AddressOf(2), Version, Now), node);
        Assert.Equal(2, admitted.Members);
        Assert.Same(_genesis.Node("node1"), admitted.Node("node1"));
    }

    [Fact]
    public void An_accepted_admission_increments_the_version_by_exactly_one_and_records_the_writer()
    {
        var approved = Approve(_genesis, 2);

        var admitted = Accepted(ControllerRules.Admit(approved, RequestFor(2), Version, Now, "node3"));

        Assert.Equal(approved.Version + 1, admitted.Version);
        Assert.Equal("node3", admitted.Writer);
    }

    [Fact]
    public void An_accepted_admission_says_which_node_was_admitted_where()
    {
        var outcome = ControllerRules.Admit(Approve(_genesis, 2), RequestFor(2), Version, Now, Writer);

        Assert.Contains("node2", outcome.What);
        Assert.Contains(AddressOf(2), outcome.What);
    }

    [Fact]
    public void Admission_without_any_approval_is_refused_as_not_approved()
    {
        var outcome = ControllerRules.Admit(_genesis, RequestFor(2), Version, Now, Writer);

        AssertRefused(outcome, AdmissionRefusal.NotApproved, _keys[2].Fingerprint, "not approved");
    }

    [Fact]
    public void Admission_under_another_name_than_the_approved_one_is_refused_as_not_approved()
    {
        var approved = Approve(_genesis, 2);

        var outcome = ControllerRules.Admit(approved, RequestFor(2) with { Name = "node9" }, Version, Now, Writer);

        AssertRefused(outcome, AdmissionRefusal.NotApproved, "'node2'", "'node9'");
    }

    [Fact]
    public void Admission_with_another_software_version_is_refused_as_a_version_mismatch()
    {
        var approved = Approve(_genesis, 2);

        var outcome = ControllerRules.Admit(approved, RequestFor(2) with { SoftwareVersion = "1.2.4" }, Version, Now, Writer);

        AssertRefused(outcome, AdmissionRefusal.VersionMismatch, "1.2.4", Version);
    }

    [Theory]
    [InlineData(6)]
    [InlineData(-6)]
    public void A_candidate_clock_further_off_than_the_max_clock_skew_is_refused(int offsetSeconds)
    {
        var approved = Approve(_genesis, 2);
        var request = RequestFor(2) with { CandidateClock = Now.AddSeconds(offsetSeconds) };

        var outcome = ControllerRules.Admit(approved, request, Version, Now, Writer);

        AssertRefused(outcome, AdmissionRefusal.ClockSkew, "clock", "6.0s", "5.0s");
    }

    [Theory]
    [InlineData(4)]
    [InlineData(-4)]
    [InlineData(5)]
    public void A_candidate_clock_within_the_max_clock_skew_is_accepted(int offsetSeconds)
    {
        var approved = Approve(_genesis, 2);
        var request = RequestFor(2) with { CandidateClock = Now.AddSeconds(offsetSeconds) };

        var admitted = Accepted(ControllerRules.Admit(approved, request, Version, Now, Writer));

        Assert.Equal(NodeState.Active, admitted.Node("node2")!.State);
    }

    [Fact]
    public void Admission_is_refused_as_cluster_full_when_active_and_disabled_nodes_reach_max_nodes()
    {
        var full = Admit(Admit(_genesis, 2), 3);
        full = Accepted(ControllerRules.ChangeLifecycle(full, new ChangeNodeLifecycle("node3", LifecycleAction.Disable), Now, Writer));
        Assert.Equal(3, full.Members);

        var outcome = ControllerRules.Admit(Approve(full, 4), RequestFor(4), Version, Now, Writer);

        AssertRefused(outcome, AdmissionRefusal.ClusterFull, "3 of at most 3");
    }

    [Fact]
    public void Admission_below_max_nodes_is_not_refused_as_cluster_full()
    {
        var twoNodes = Admit(_genesis, 2);

        var admitted = Accepted(ControllerRules.Admit(Approve(twoNodes, 3), RequestFor(3), Version, Now, Writer));

        Assert.Equal(3, admitted.Members);
    }

    [Theory]
    [InlineData(LifecycleAction.Remove)]
    [InlineData(LifecycleAction.ForceRemove)]
    public void Removed_nodes_do_not_count_against_max_nodes(LifecycleAction removal)
    {
        var full = Admit(Admit(_genesis, 2), 3);
        var oneRemoved = Accepted(ControllerRules.ChangeLifecycle(full, new ChangeNodeLifecycle("node3", removal), Now, Writer));
        Assert.Equal(2, oneRemoved.Members);

        var admitted = Accepted(ControllerRules.Admit(Approve(oneRemoved, 4), RequestFor(4), Version, Now, Writer));

        Assert.Equal(NodeState.Active, admitted.Node("node4")!.State);
        Assert.Equal(3, admitted.Members);
        Assert.Equal(4, admitted.Nodes.Count);
    }

    [Fact]
    public void Admission_under_a_name_held_by_another_fingerprint_is_refused_as_a_duplicate_name()
    {
        // Approve never lets this happen; a registry that holds it anyway must still not hand the name over.
        var admitted = Admit(_genesis, 2);
        var forged = admitted with { Approvals = [new Approval(_keys[0].Fingerprint, "node2", _keys[0].PublicKeyInfo, Now)] };
        var request = RequestFor(2) with { Fingerprint = _keys[0].Fingerprint, Address = AddressOf(7) };

        var outcome = ControllerRules.Admit(forged, request, Version, Now, Writer);

        AssertRefused(outcome, AdmissionRefusal.DuplicateName, "'node2'", "already taken");
    }

    [Fact]
    public void An_active_node_asking_again_from_another_address_is_refused_as_a_duplicate_name()
    {
        var admitted = Admit(_genesis, 2);

        var outcome = ControllerRules.Admit(admitted, RequestFor(2) with { Address = AddressOf(7) }, Version, Now, Writer);

        AssertRefused(outcome, AdmissionRefusal.DuplicateName, "'node2'", AddressOf(2));
    }

    [Fact]
    public void Admission_into_an_unknown_subgroup_is_refused()
    {
        var approved = Approve(_genesis, 2);

        var outcome = ControllerRules.Admit(approved, RequestFor(2) with { Subgroup = "sg99" }, Version, Now, Writer);

        AssertRefused(outcome, AdmissionRefusal.UnknownSubgroup, "'sg99'", "sg01");
    }

    [Fact]
    public void A_node_cannot_move_to_another_subgroup_by_asking_again()
    {
        var admitted = Admit(_genesis, 2);
        admitted = Accepted(ControllerRules.AddSubgroup(admitted, new AddSubgroup("sg02"), Writer));

        var outcome = ControllerRules.Admit(admitted, RequestFor(2) with { Subgroup = "sg02" }, Version, Now, Writer);

        AssertRefused(outcome, AdmissionRefusal.UnknownSubgroup, "'node2'", "'sg01'");
    }

    [Theory]
    [InlineData(LifecycleAction.Remove)]
    [InlineData(LifecycleAction.ForceRemove)]
    public void A_removed_node_asking_for_admission_is_refused_as_revoked(LifecycleAction removal)
    {
        var removed = Accepted(ControllerRules.ChangeLifecycle(Admit(_genesis, 2), new ChangeNodeLifecycle("node2", removal), Now, Writer));

        var outcome = ControllerRules.Admit(removed, RequestFor(2), Version, Now, Writer);

        AssertRefused(outcome, AdmissionRefusal.Revoked, "revoked");
    }

    [Fact]
    public void A_revoked_fingerprint_is_refused_even_when_an_approval_for_it_remains()
    {
        var approved = Approve(_genesis, 2);
        var revoked = approved with { Revocations = [new Revocation(_keys[2].Fingerprint, "node2", "removed", Now)] };

        var outcome = ControllerRules.Admit(revoked, RequestFor(2), Version, Now, Writer);

        AssertRefused(outcome, AdmissionRefusal.Revoked, "revoked");
    }

    [Fact]
    public void Re_admitting_the_same_node_at_the_same_address_is_accepted_idempotently()
    {
        var once = Admit(_genesis, 2);

        var twice = Accepted(ControllerRules.Admit(once, RequestFor(2), Version, Now, Writer));

        Assert.Equal(once.Nodes, twice.Nodes);
        Assert.Equal(once.Approvals, twice.Approvals);
        Assert.Equal(once.Revocations, twice.Revocations);
        Assert.Equal(once.Version + 1, twice.Version);
    }

    [Fact]
    public void An_active_node_re_admitting_itself_is_accepted_even_when_the_cluster_is_full()
    {
        var full = Admit(Admit(_genesis, 2), 3);
        Assert.Equal(Policy.MaxNodes, full.Members);

        var again = Accepted(ControllerRules.Admit(full, RequestFor(3), Version, Now, Writer));

        Assert.Equal(Policy.MaxNodes, again.Members);
    }

    [Fact]
    public void Admission_accepts_the_fingerprint_in_upper_case_with_colons()
    {
        var approved = Approve(_genesis, 2);

        var admitted = Accepted(ControllerRules.Admit(approved, RequestFor(2) with { Fingerprint = _keys[2].Pasted }, Version, Now, Writer));

        Assert.Equal(_keys[2].Fingerprint, admitted.Node("node2")!.Fingerprint);
    }

    // ---- Approve ----------------------------------------------------------------------------------

    [Fact]
    public void An_approval_records_the_fingerprint_name_key_and_time_and_increments_the_version()
    {
        var approved = Accepted(ControllerRules.Approve(_genesis, ApprovalFor(2), Now, Writer));

        var approval = Assert.Single(approved.Approvals);
        Assert.Equal((_keys[2].Fingerprint, "node2", Now), (approval.Fingerprint, approval.Name, approval.ApprovedAt));
        Assert.Equal(_keys[2].PublicKeyInfo, approval.PublicKeyInfo);
        Assert.Equal(_genesis.Version + 1, approved.Version);
        Assert.Null(approved.Node("node2"));
    }

    [Fact]
    public void An_approval_normalises_a_fingerprint_pasted_in_upper_case_with_colons()
    {
        var approved = Accepted(ControllerRules.Approve(_genesis, ApprovalFor(2) with { Fingerprint = _keys[2].Pasted }, Now, Writer));

        Assert.Equal(_keys[2].Fingerprint, Assert.Single(approved.Approvals).Fingerprint);
        Accepted(ControllerRules.Admit(approved, RequestFor(2), Version, Now, Writer));
    }

    [Fact]
    public void Approving_a_name_taken_by_a_node_with_another_fingerprint_is_refused()
    {
        var outcome = ControllerRules.Approve(_genesis, ApprovalFor(2) with { Name = "node1" }, Now, Writer);

        AssertRefused(outcome, null, "'node1'", "already taken");
    }

    [Fact]
    public void Approving_a_name_of_a_removed_node_with_a_new_key_is_refused()
    {
        var removed = Accepted(ControllerRules.ChangeLifecycle(Admit(_genesis, 2), new ChangeNodeLifecycle("node2", LifecycleAction.Remove), Now, Writer));

        var outcome = ControllerRules.Approve(removed, new ApproveCandidate("node2", _keys[0].Fingerprint, _keys[0].PublicKeyInfo), Now, Writer);

        AssertRefused(outcome, null, "'node2'", "never reused");
    }

    [Fact]
    public void Approving_a_revoked_fingerprint_is_refused()
    {
        var removed = Accepted(ControllerRules.ChangeLifecycle(Admit(_genesis, 2), new ChangeNodeLifecycle("node2", LifecycleAction.Remove), Now, Writer));

        var outcome = ControllerRules.Approve(removed, ApprovalFor(2) with { Name = "node5" }, Now, Writer);

        AssertRefused(outcome, null, "revoked", _keys[2].Fingerprint[..16]);
    }

    [Fact]
    public void Approving_a_fingerprint_already_approved_for_another_name_is_refused()
    {
        var approved = Approve(_genesis, 2);

        var outcome = ControllerRules.Approve(approved, ApprovalFor(2) with { Name = "node5" }, Now, Writer);

        AssertRefused(outcome, null, "already approved", "'node2'");
    }

    [Fact]
    public void Approving_a_second_csr_for_an_approved_name_is_refused()
    {
        var approved = Approve(_genesis, 2);

        var outcome = ControllerRules.Approve(approved, ApprovalFor(3) with { Name = "node2" }, Now, Writer);

        AssertRefused(outcome, null, "another CSR", "'node2'");
    }

    [Fact]
    public void Approving_the_same_csr_again_replaces_its_approval()
    {
        var approved = Approve(_genesis, 2);

        var again = Accepted(ControllerRules.Approve(approved, ApprovalFor(2), Now.AddMinutes(1), Writer));

        Assert.Equal(Now.AddMinutes(1), Assert.Single(again.Approvals).ApprovedAt);
    }

    [Theory]
    [InlineData("Node2")]
    [InlineData("2node")]
    [InlineData("node_2")]
    [InlineData("")]
    public void Approving_an_invalid_node_name_is_refused(string name)
    {
        var outcome = ControllerRules.Approve(_genesis, ApprovalFor(2) with { Name = name }, Now, Writer);

        AssertRefused(outcome, null, $"'{name}'", "not a valid node name");
    }

    // ---- ChangeLifecycle --------------------------------------------------------------------------

    [Fact]
    public void Disabling_an_active_node_marks_it_disabled_since_now()
    {
        var twoNodes = Admit(_genesis, 2);
        var later = Now.AddHours(1);

        var outcome = ControllerRules.ChangeLifecycle(twoNodes, new ChangeNodeLifecycle("node2", LifecycleAction.Disable), later, Writer);

        var disabled = Accepted(outcome);
        Assert.Equal(NodeState.Disabled, disabled.Node("node2")!.State);
        Assert.Equal(later, disabled.Node("node2")!.Since);
        Assert.Equal(twoNodes.Version + 1, disabled.Version);
        Assert.Empty(disabled.Revocations);
        Assert.Contains("disabled", outcome.What);
    }

    [Fact]
    public void Only_an_active_node_can_be_disabled()
    {
        var disabled = Disable(Admit(Admit(_genesis, 2), 3), "node2", Now);

        var outcome = ControllerRules.ChangeLifecycle(disabled, new ChangeNodeLifecycle("node2", LifecycleAction.Disable), Now, Writer);

        AssertRefused(outcome, null, "'node2'", "Disabled", "only an active node");
    }

    [Fact]
    public void Only_a_disabled_node_can_be_enabled()
    {
        var twoNodes = Admit(_genesis, 2);

        var outcome = ControllerRules.ChangeLifecycle(twoNodes, new ChangeNodeLifecycle("node2", LifecycleAction.Enable), Now, Writer);

        AssertRefused(outcome, null, "'node2'", "Active", "only a disabled node");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(24 * 60)]
    public void A_disabled_node_is_enabled_again_within_the_max_disable_duration(int minutesLater)
    {
        var disabled = Disable(Admit(_genesis, 2), "node2", Now);
        var later = Now.AddMinutes(minutesLater);

        var enabled = Accepted(ControllerRules.ChangeLifecycle(disabled, new ChangeNodeLifecycle("node2", LifecycleAction.Enable), later, Writer));

        Assert.Equal(NodeState.Active, enabled.Node("node2")!.State);
        Assert.Equal(later, enabled.Node("node2")!.Since);
    }

    [Fact]
    public void Enabling_a_node_disabled_longer_than_the_max_disable_duration_is_refused()
    {
        var disabled = Disable(Admit(_genesis, 2), "node2", Now);
        var tooLate = Now + Policy.MaxDisableDuration + TimeSpan.FromSeconds(1);

        var outcome = ControllerRules.ChangeLifecycle(disabled, new ChangeNodeLifecycle("node2", LifecycleAction.Enable), tooLate, Writer);

        AssertRefused(outcome, null, "'node2'", "disabled longer than", "remove it");
    }

    [Theory]
    [InlineData(LifecycleAction.Remove, NodeState.Removed)]
    [InlineData(LifecycleAction.ForceRemove, NodeState.ForceRemoved)]
    public void Removing_a_node_revokes_its_fingerprint_and_drops_its_approval(LifecycleAction removal, NodeState expected)
    {
        var twoNodes = Admit(Approve(_genesis, 3), 2);

        var removed = Accepted(ControllerRules.ChangeLifecycle(twoNodes, new ChangeNodeLifecycle("node2", removal), Now, Writer));

        var node = removed.Node("node2")!;
        Assert.Equal(expected, node.State);
        Assert.True(node.IsGone);
        var revocation = Assert.Single(removed.Revocations);
        Assert.Equal((_keys[2].Fingerprint, "node2", Now), (revocation.Fingerprint, revocation.Name, revocation.At));
        Assert.True(removed.IsRevoked(_keys[2].Fingerprint));
        Assert.Null(removed.ApprovalOf(_keys[2].Fingerprint));
        Assert.NotNull(removed.ApprovalOf(_keys[3].Fingerprint));
        Assert.Equal(twoNodes.Version + 1, removed.Version);
    }

    [Fact]
    public void A_disabled_node_can_be_removed_while_one_active_node_remains()
    {
        var disabled = Disable(Admit(_genesis, 2), "node2", Now);

        var removed = Accepted(ControllerRules.ChangeLifecycle(disabled, new ChangeNodeLifecycle("node2", LifecycleAction.Remove), Now, Writer));

        Assert.Equal(NodeState.Removed, removed.Node("node2")!.State);
    }

    [Theory]
    [InlineData(LifecycleAction.Remove, LifecycleAction.Disable)]
    [InlineData(LifecycleAction.Remove, LifecycleAction.Enable)]
    [InlineData(LifecycleAction.Remove, LifecycleAction.Remove)]
    [InlineData(LifecycleAction.Remove, LifecycleAction.ForceRemove)]
    [InlineData(LifecycleAction.ForceRemove, LifecycleAction.Disable)]
    [InlineData(LifecycleAction.ForceRemove, LifecycleAction.Enable)]
    [InlineData(LifecycleAction.ForceRemove, LifecycleAction.Remove)]
    [InlineData(LifecycleAction.ForceRemove, LifecycleAction.ForceRemove)]
    public void A_removed_node_cannot_be_changed_again(LifecycleAction removal, LifecycleAction next)
    {
        var removed = Accepted(ControllerRules.ChangeLifecycle(Admit(_genesis, 2), new ChangeNodeLifecycle("node2", removal), Now, Writer));

        var outcome = ControllerRules.ChangeLifecycle(removed, new ChangeNodeLifecycle("node2", next), Now, Writer);

        AssertRefused(outcome, null, "'node2'", "never comes back");
    }

    [Theory]
    [InlineData(LifecycleAction.Disable)]
    [InlineData(LifecycleAction.Remove)]
    public void The_only_node_cannot_be_disabled_or_removed(LifecycleAction action)
    {
        var outcome = ControllerRules.ChangeLifecycle(_genesis, new ChangeNodeLifecycle("node1", action), Now, Writer);

        AssertRefused(outcome, null, "'node1'", "last active node");
    }

    [Theory]
    [InlineData(LifecycleAction.Disable)]
    [InlineData(LifecycleAction.Remove)]
    public void The_last_active_node_cannot_be_disabled_or_removed_while_others_are_disabled(LifecycleAction action)
    {
        var disabled = Disable(Admit(_genesis, 2), "node2", Now);

        var outcome = ControllerRules.ChangeLifecycle(disabled, new ChangeNodeLifecycle("node1", action), Now, Writer);

        AssertRefused(outcome, null, "'node1'", "last active node");
    }

    [Theory]
    [InlineData(LifecycleAction.Disable)]
    [InlineData(LifecycleAction.Enable)]
    [InlineData(LifecycleAction.Remove)]
    [InlineData(LifecycleAction.ForceRemove)]
    public void A_lifecycle_change_of_an_unknown_node_is_refused(LifecycleAction action)
    {
        var outcome = ControllerRules.ChangeLifecycle(_genesis, new ChangeNodeLifecycle("node9", action), Now, Writer);

        AssertRefused(outcome, null, "'node9'", "no node");
    }

    // ---- AddSubgroup ------------------------------------------------------------------------------

    [Fact]
    public void A_new_subgroup_is_added_to_the_policy()
    {
        var outcome = ControllerRules.AddSubgroup(_genesis, new AddSubgroup("sg02"), "node2");

        var added = Accepted(outcome);
        Assert.Equal(["sg01", "sg02"], added.Policy.Subgroups);
        Assert.Equal(_genesis.Version + 1, added.Version);
        Assert.Equal("node2", added.Writer);
        Assert.Contains("'sg02'", outcome.What);
        Accepted(ControllerRules.Admit(Approve(added, 2), RequestFor(2) with { Subgroup = "sg02" }, Version, Now, Writer));
    }

    [Fact]
    public void An_existing_subgroup_is_refused()
    {
        var outcome = ControllerRules.AddSubgroup(_genesis, new AddSubgroup("sg01"), Writer);

        AssertRefused(outcome, null, "'sg01'", "already exists");
    }

    [Theory]
    [InlineData("SG02")]
    [InlineData("02sg")]
    [InlineData("sg 02")]
    [InlineData("")]
    public void An_invalid_subgroup_name_is_refused(string name)
    {
        var outcome = ControllerRules.AddSubgroup(_genesis, new AddSubgroup(name), Writer);

        AssertRefused(outcome, null, $"'{name}'", "not a valid subgroup name");
    }

    // ---- helpers ----------------------------------------------------------------------------------

    private static string AddressOf(int n) => $"akka.ssl.tcp://okv@127.0.0.1:{4052 + n}";

    private ApproveCandidate ApprovalFor(int n) => new($"node{n}", _keys[n].Fingerprint, _keys[n].PublicKeyInfo);

    private RequestAdmission RequestFor(int n) => new($"node{n}", "sg01", _keys[n].Fingerprint, Version, Now, AddressOf(n));

    [Fact]
    public void Admit_refuses_a_disabled_node_until_it_is_enabled()
    {
        var disabled = Disable(Admit(Admit(_genesis, 2), 3), "node2", Now);

        AssertRefused(ControllerRules.Admit(disabled, RequestFor(2), Version, Now, Writer), AdmissionRefusal.Disabled, "'node2' is disabled", "okv node enable");
        var enabled = Accepted(ControllerRules.ChangeLifecycle(disabled, new ChangeNodeLifecycle("node2", LifecycleAction.Enable), Now, Writer));
        Accepted(ControllerRules.Admit(enabled, RequestFor(2), Version, Now, Writer));
    }

    private ControllerState Approve(ControllerState state, int n) =>
        Accepted(ControllerRules.Approve(state, ApprovalFor(n), Now, Writer));

    private ControllerState Admit(ControllerState state, int n) =>
        Accepted(ControllerRules.Admit(Approve(state, n), RequestFor(n), Version, Now, Writer));

    // ---- Certificate revocation --------------------------------------------------------------------

    [Fact]
    public void An_endpoint_certificate_is_revoked_once_and_the_registry_records_whose_it_was()
    {
        var fingerprint = _keys[0].Fingerprint;

        var revoked = Accepted(ControllerRules.RevokeCertificate(_genesis, new RevokeCertificate(fingerprint.ToUpperInvariant(), "app1"), Now, Writer));

        Assert.True(revoked.IsRevoked(fingerprint));
        Assert.Equal(new Revocation(fingerprint, "app1", "revoked", Now), Assert.Single(revoked.Revocations));
        Assert.Equal(_genesis.Version + 1, revoked.Version);
        AssertRefused(ControllerRules.RevokeCertificate(revoked, new RevokeCertificate(fingerprint, "app1"), Now, Writer), null, "already revoked");
    }

    [Fact]
    public void A_node_certificate_or_a_malformed_fingerprint_is_not_revoked_this_way()
    {
        AssertRefused(ControllerRules.RevokeCertificate(_genesis, new RevokeCertificate(_keys[1].Fingerprint, "x"), Now, Writer), null, "node1", "remove the node");
        AssertRefused(ControllerRules.RevokeCertificate(_genesis, new RevokeCertificate("abc", "x"), Now, Writer), null, "not a certificate fingerprint");
    }

    private static ControllerState Disable(ControllerState state, string name, DateTimeOffset at) =>
        Accepted(ControllerRules.ChangeLifecycle(state, new ChangeNodeLifecycle(name, LifecycleAction.Disable), at, Writer));

    private static ControllerState Accepted(RuleOutcome outcome)
    {
        Assert.True(outcome.Accepted, $"refused: {outcome.What}");
        Assert.Null(outcome.Refusal);
        return outcome.NewState!;
    }

    private static void AssertRefused(RuleOutcome outcome, AdmissionRefusal? refusal, params string[] mentions)
    {
        Assert.False(outcome.Accepted);
        Assert.Null(outcome.NewState);
        Assert.Equal(refusal, outcome.Refusal);
        foreach (var mention in mentions)
        {
            Assert.Contains(mention, outcome.What);
        }
    }
}
