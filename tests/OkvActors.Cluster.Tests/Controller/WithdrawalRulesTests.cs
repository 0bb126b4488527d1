using System.Security.Cryptography;
using OkvActors.Cluster.Controller;
using OkvActors.Pki.Certificates;
using Xunit;

namespace OkvActors.Cluster.Tests.Controller;

/// <summary>A node whose conversion failed takes its admission back: only itself, only fresh, and it may join again.</summary>
public sealed class WithdrawalRulesTests : IDisposable
{
    private const string Version = "1.2.3";
    private const string Writer = "node1";
    private static readonly DateTimeOffset Now = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly ClusterPolicy Policy = new("okv", ["sg01"], 3, TimeSpan.FromSeconds(5), TimeSpan.FromHours(24));

    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly ECDsa _otherKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly string _fingerprint;
    private readonly ControllerState _admitted;

    public WithdrawalRulesTests()
    {
        var founder = TestKey.New();
        var genesis = ControllerState.Genesis(Policy,
            new NodeRecord("node1", "sg01", NodeState.Active, founder.Fingerprint, "akka.ssl.tcp://okv@127.0.0.1:4053", Version, Now.AddDays(-1)), Writer);
        var csr = SigningRequest.Create("node2", [], _key);
        _fingerprint = csr.Fingerprint;
        var approved = Accepted(ControllerRules.Approve(genesis, new ApproveCandidate("node2", _fingerprint, csr.PublicKey.ExportSubjectPublicKeyInfo()), Now, Writer));
        _admitted = Accepted(ControllerRules.Admit(approved, Request, Version, Now, Writer));
    }

    private RequestAdmission Request => new("node2", "sg01", _fingerprint, Version, Now, "akka.ssl.tcp://okv@127.0.0.1:4054");

    public void Dispose()
    {
        _key.Dispose();
        _otherKey.Dispose();
    }

    private WithdrawAdmission Signed(ECDsa key, DateTimeOffset at, string name = "node2") =>
        new(name, _fingerprint, "first sync failed", at,
            key.SignData(WithdrawAdmission.SignedText(name, _fingerprint, "first sync failed", at), HashAlgorithmName.SHA256));

    [Fact]
    public void A_node_withdraws_with_its_own_signature_and_may_then_be_admitted_again_with_the_same_approval()
    {
        var withdrawn = Accepted(ControllerRules.Withdraw(_admitted, Signed(_key, Now.AddSeconds(1)), Now, Writer));

        var node = withdrawn.Node("node2")!;
        Assert.Equal(NodeState.Withdrawn, node.State);
        Assert.True(node.HoldsNoSeat);
        Assert.False(node.IsGone);
        Assert.Equal(1, withdrawn.Members);
        Assert.Equal(_admitted.Version + 1, withdrawn.Version);
        Assert.NotNull(withdrawn.ApprovalOf(_fingerprint));
        Assert.Empty(withdrawn.Revocations);

        var again = Accepted(ControllerRules.Admit(withdrawn, Request, Version, Now, Writer));
        Assert.Equal(NodeState.Active, again.Node("node2")!.State);
    }

    [Fact]
    public void A_withdrawal_signed_by_another_key_is_refused()
    {
        AssertRefused(ControllerRules.Withdraw(_admitted, Signed(_otherKey, Now), Now, Writer), "not signed by its approved key");
    }

    [Fact]
    public void A_withdrawal_whose_signed_fields_were_altered_is_refused()
    {
        var altered = Signed(_key, Now) with { Reason = "something else" };

        AssertRefused(ControllerRules.Withdraw(_admitted, altered, Now, Writer), "not signed by its approved key");
    }

    [Fact]
    public void An_old_withdrawal_replayed_later_is_refused()
    {
        AssertRefused(ControllerRules.Withdraw(_admitted, Signed(_key, Now.AddMinutes(-1)), Now, Writer), "60.0s away", "at most 5.0s");
    }

    [Fact]
    public void A_repeated_withdrawal_gets_the_same_answer_and_changes_nothing_but_still_needs_the_key()
    {
        // The candidate asks again when its first ask timed out after the controller had acted on it.
        var withdrawn = Accepted(ControllerRules.Withdraw(_admitted, Signed(_key, Now), Now, Writer));
        var again = ControllerRules.Withdraw(withdrawn, Signed(_key, Now.AddSeconds(2)), Now.AddSeconds(2), Writer);

        Assert.Same(withdrawn, Accepted(again));
        Assert.Contains("had already withdrawn", again.What);
        AssertRefused(ControllerRules.Withdraw(withdrawn, Signed(_otherKey, Now), Now, Writer), "not signed by its approved key");
    }

    [Fact]
    public void Only_an_active_node_withdraws_and_never_the_last_one()
    {
        var disabled = _admitted.WithNode(_admitted.Node("node2")! with { State = NodeState.Disabled });
        AssertRefused(ControllerRules.Withdraw(disabled, Signed(_key, Now), Now, Writer), "is Disabled", "only an active node");
        AssertRefused(ControllerRules.Withdraw(_admitted, Signed(_key, Now, "node9"), Now, Writer), "no node named 'node9'");

        var removedFounder = _admitted.WithNode(_admitted.Node("node1")! with { State = NodeState.Removed });
        AssertRefused(ControllerRules.Withdraw(removedFounder, Signed(_key, Now), Now, Writer), "the last active node");
    }

    private static ControllerState Accepted(RuleOutcome outcome)
    {
        Assert.True(outcome.Accepted, $"refused: {outcome.What}");
        return outcome.NewState!;
    }

    private static void AssertRefused(RuleOutcome outcome, params string[] mentions)
    {
        Assert.False(outcome.Accepted);
        foreach (var mention in mentions)
        {
            Assert.Contains(mention, outcome.What);
        }
    }
}
