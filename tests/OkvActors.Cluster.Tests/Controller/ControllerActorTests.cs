using System.Security.Cryptography;
using System.Text.Json;
using Akka.Actor;
using Akka.Cluster;
using Akka.Configuration;
using Akka.DistributedData;
using OkvActors.Cluster.Controller;
using OkvActors.Cluster.Storage;
using OkvActors.Cluster.Trust;
using OkvActors.Pki.Certificates;
using Xunit;
using AkkaCluster = Akka.Cluster.Cluster;

namespace OkvActors.Cluster.Tests.Controller;

/// <summary>
/// The controller actor on a real one-node cluster with real Distributed Data. The registry it decides from may be
/// older than the replica beside it: a previous controller's last write can arrive after a hand-over. Such a command
/// must be decided again from the newer registry, not refused with "retry" (a refused withdrawal leaves a node listed
/// as active that never became a member).
/// </summary>
public sealed class ControllerActorTests : Akka.TestKit.Xunit2.TestKit
{
    /// <summary>One node with the durable store a node runs (its replicas in a SQLite file of the test's directory).</summary>
    private static Config NodeConfig(string directory) => ConfigurationFactory.ParseString($$"""
            akka.loglevel = WARNING
            akka.actor.provider = cluster
            akka.remote.dot-netty.tcp { hostname = "127.0.0.1", port = 0 }
            akka.cluster.distributed-data.durable.sql {
              provider-name = "SQLite.MS"
              connection-string = "Data Source={{Path.Combine(directory, "replicas.db").Replace("\\", "/", StringComparison.Ordinal)}}"
            }
            # Changed notifications far apart, so a test can place a command between a registry write and its notice.
            akka.cluster.distributed-data.notify-subscribers-interval = 5 s
            """)
        .WithFallback(OkvClusterSettings.DefaultConfig());

    private static readonly ClusterPolicy Policy = new("okv", ["sg01"], 3, TimeSpan.FromSeconds(5), TimeSpan.FromHours(24));

    private readonly NodeDirectory _directory;
    private readonly NodeCredentials _credentials;
    private readonly ControllerState _genesis;
    private readonly IActorRef _replicator;

    public ControllerActorTests() : this(new NodeDirectory(Directory.CreateTempSubdirectory("okv-controller-").FullName))
    {
    }

    private ControllerActorTests(NodeDirectory directory) : base(NodeConfig(directory.Root), "okv")
    {
        _directory = directory;
        var cluster = AkkaCluster.Get(Sys);
        cluster.Join(cluster.SelfAddress);
        AwaitAssert(() => Assert.Equal(MemberStatus.Up, cluster.SelfMember.Status), TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(100));

        var founder = new NodeRecord("node1", "sg01", NodeState.Active, TestKey.New("node1").Fingerprint, cluster.SelfAddress.ToString(), "1.0.0",
            DateTimeOffset.UtcNow);
        _genesis = ControllerState.Genesis(Policy, founder, "node1");
        File.WriteAllText(_directory.GenesisFile, JsonSerializer.Serialize(_genesis, GenesisJson.Options));
        using var ca = ClusterCa.Create("okv");
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var issued = ca.IssueNode(SigningRequest.Create("node1", [], key), TimeSpan.FromDays(1));
        var certificate = System.Security.Cryptography.X509Certificates.ECDsaCertificateExtensions.CopyWithPrivateKey(issued, key);
        _credentials = NodeCredentials.FromParts(certificate, System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificate(ca.Certificate.RawData), RandomNumberGenerator.GetBytes(32));
        _replicator = DistributedData.Get(Sys).Replicator;
    }

    protected override void AfterAll()
    {
        base.AfterAll();
        _credentials.Dispose();
        Directory.Delete(_directory.Root, recursive: true);
    }

    [Fact]
    public void A_command_decided_from_an_older_registry_is_decided_again_from_the_newer_one_and_accepted()
    {
        var controller = ReadyController();
        var newer = WrittenElsewhere("sg02");

        controller.Tell(new AddSubgroup("sg03"), TestActor);

        var accepted = ExpectMsg<CommandAccepted>(TimeSpan.FromSeconds(10));
        Assert.Equal(newer.Version + 1, accepted.State.Version);
        Assert.Equal(["sg01", "sg02", "sg03"], accepted.State.Policy.Subgroups);
        Assert.Equal(accepted.State.Version, LocalRegistry().Version);
    }

    [Fact]
    public void A_command_the_newer_registry_makes_illegal_is_refused_for_its_own_reason()
    {
        var controller = ReadyController();
        WrittenElsewhere("sg02");

        controller.Tell(new AddSubgroup("sg02"), TestActor);

        var rejected = ExpectMsg<CommandRejected>(TimeSpan.FromSeconds(10));
        Assert.Equal("subgroup 'sg02' already exists", rejected.Reason);
    }

    [Fact]
    public void A_registry_written_elsewhere_becomes_the_controllers_own_as_it_arrives()
    {
        var controller = ReadyController();

        var newer = WrittenElsewhere("sg02");

        AwaitAssert(() => Assert.Equal(newer.Version, controller.Ask<RegistrySnapshot>(GetRegistry.Instance, TimeSpan.FromSeconds(3)).Result.State.Version),
            TimeSpan.FromSeconds(20), TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public void A_withdrawal_asked_again_is_accepted_again_and_leaves_the_registry_where_the_first_one_put_it()
    {
        // The candidate asks again when its first ask timed out after the controller had acted on it (seen in CI:
        // the repeat was refused as "the registry changed underneath the controller", leaving the node listed active).
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var csr = SigningRequest.Create("node2", [], key);
        var approved = ControllerRules.Approve(_genesis, new ApproveCandidate("node2", csr.Fingerprint, csr.PublicKey.ExportSubjectPublicKeyInfo()),
            DateTimeOffset.UtcNow, "node1").NewState!;
        var admitted = ControllerRules.Admit(approved, new RequestAdmission("node2", "sg01", csr.Fingerprint, "1.0.0", DateTimeOffset.UtcNow,
            "akka.ssl.tcp://okv@127.0.0.1:4054"), "1.0.0", DateTimeOffset.UtcNow, "node1").NewState!;
        var controller = ReadyController();
        WriteHere(admitted);
        AwaitAssert(() => Assert.Equal(admitted.Version, controller.Ask<RegistrySnapshot>(GetRegistry.Instance, TimeSpan.FromSeconds(3)).Result.State.Version),
            TimeSpan.FromSeconds(20), TimeSpan.FromMilliseconds(200));

        controller.Tell(Withdrawal("node2", csr.Fingerprint, key), TestActor);
        var first = ExpectMsg<CommandAccepted>(TimeSpan.FromSeconds(10));
        controller.Tell(Withdrawal("node2", csr.Fingerprint, key), TestActor);
        var again = ExpectMsg<CommandAccepted>(TimeSpan.FromSeconds(10));

        Assert.Equal(admitted.Version + 1, first.State.Version);
        Assert.Equal(NodeState.Withdrawn, first.State.Node("node2")!.State);
        Assert.Contains("had already withdrawn", again.What);
        Assert.Equal(first.State.Version, again.State.Version);
        Assert.Equal(first.State.Version, LocalRegistry().Version);
    }

    private static WithdrawAdmission Withdrawal(string name, string fingerprint, ECDsa key)
    {
        var at = DateTimeOffset.UtcNow;
        return new WithdrawAdmission(name, fingerprint, "first sync failed", at,
            key.SignData(WithdrawAdmission.SignedText(name, fingerprint, "first sync failed", at), HashAlgorithmName.SHA256));
    }

    private IActorRef ReadyController()
    {
        var controller = Sys.ActorOf(ControllerActor.Props(_directory, _credentials, OkvClusterSettings.Create(Sys), TimeProvider.System, "node1"));
        controller.Tell(GetRegistry.Instance, TestActor);
        Assert.Equal(_genesis.Version, ExpectMsg<RegistrySnapshot>(TimeSpan.FromSeconds(10)).State.Version);
        return controller;
    }

    /// <summary>What a previous controller's last write looks like when it reaches this node: a registry several versions on.</summary>
    private ControllerState WrittenElsewhere(string subgroup)
    {
        var changed = ControllerRules.AddSubgroup(_genesis, new AddSubgroup(subgroup), "node0").NewState!;
        var newer = changed with { Version = _genesis.Version + 4 };
        WriteHere(newer);
        return newer;
    }

    private void WriteHere(ControllerState state)
    {
        _replicator.Tell(new Update(ControllerRegistry.Key, new ControllerRegistry(state), WriteLocal.Instance, _ => new ControllerRegistry(state)), TestActor);
        ExpectMsg<UpdateSuccess>();
    }

    private ControllerState LocalRegistry()
    {
        _replicator.Tell(new Get(ControllerRegistry.Key, Akka.DistributedData.ReadLocal.Instance), TestActor);
        return ExpectMsg<GetSuccess>().Get(ControllerRegistry.Key).State;
    }
}
