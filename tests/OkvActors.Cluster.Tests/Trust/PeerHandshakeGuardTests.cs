using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Akka.Actor;
using Akka.Actor.Setup;
using Akka.Cluster;
using Akka.Configuration;
using Akka.Event;
using Akka.TestKit;
using Akka.TestKit.Xunit2;
using OkvActors.Cluster.Trust;
using OkvActors.Pki.Certificates;
using OkvActors.Pki.Trust;
using Xunit;
using AkkaCluster = Akka.Cluster.Cluster;

namespace OkvActors.Cluster.Tests.Trust;

/// <summary>
/// A node over real mutual TLS (certificates from a cluster CA of the test's) opens a connection to a "peer" that
/// fails the handshake: one that closes the connection mid-handshake (a peer killed at that moment), or one whose
/// certificate this node refuses (a revoked node). Akka.NET would shut the node down (exit code 79); a member must
/// keep running, and still shut down when asked afterwards. A node that is not yet a member keeps Akka's reaction.
/// </summary>
public sealed class PeerHandshakeGuardTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private readonly ClusterCa _ca = ClusterCa.Create("guard");
    private readonly RevocationList _revocations = new();
    private readonly TcpListener _peer = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private ActorSystem? _system;

    public PeerHandshakeGuardTests() => _peer.Start();

    public void Dispose()
    {
        _stop.Cancel();
        _peer.Stop();
        _system?.Terminate().Wait(Timeout);
        _ca.Dispose();
    }

    private X509Certificate2 NodeCertificate(string name)
    {
        var (certificate, key) = _ca.IssueWithNewKey(name, CertificateRole.Node, TimeSpan.FromDays(1));
        using (certificate)
        using (key)
        {
            return Pem.ReadCertificateWithKey(certificate.ExportCertificatePem(), Pem.PrivateKey(key));
        }
    }

    private ActorSystem StartNode()
    {
        var config = ConfigurationFactory.ParseString("""
                akka.loglevel = INFO
                akka.actor.provider = cluster
                akka.remote.dot-netty.tcp {
                  hostname = "127.0.0.1"
                  port = 0
                  enable-ssl = true
                  ssl { suppress-validation = false, require-mutual-authentication = true, validate-certificate-hostname = false }
                }
                akka.coordinated-shutdown.exit-clr = off
                """)
            .WithFallback(OkvClusterSettings.DefaultConfig());
        var tls = RemotingTrust.CreateSetup(NodeCertificate("node1"), _ca.Certificate, _revocations, TimeProvider.System);
        _system = ActorSystem.Create("okv", ActorSystemSetup.Create(BootstrapSetup.Create().WithConfig(config), tls));
        PeerHandshakeGuard.Install(_system);
        return _system;
    }

    /// <summary>Accepts one connection and fails its handshake the way <paramref name="kind"/> says.</summary>
    private void ServeOneBadHandshake(string kind) => _ = Task.Run(async () =>
    {
        using var connection = await _peer.AcceptTcpClientAsync(_stop.Token);
        if (kind == "closes-mid-handshake")
        {
            connection.Client.Close();
            return;
        }

        using var revoked = NodeCertificate("node2");
        _revocations.Replace([Fingerprint.Of(revoked.PublicKey)]);
        await using var tls = new SslStream(connection.GetStream(), false, (_, _, _, _) => true);
        try
        {
            await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
            {
                ServerCertificate = revoked,
                ClientCertificateRequired = true,
            }, _stop.Token);
        }
        catch (Exception e) when (e is IOException or System.Security.Authentication.AuthenticationException or OperationCanceledException)
        {
            // The node refused this certificate: the handshake failure under test.
        }
    });

    private void ConnectToPeer(ActorSystem system) =>
        system.ActorSelection($"akka.ssl.tcp://okv@127.0.0.1:{((IPEndPoint)_peer.LocalEndpoint).Port}/user/anyone").Tell("hello");

    private static TestProbe WarningsOf(ActorSystem system)
    {
        var probe = new TestProbe(system, new XunitAssertions());
        system.EventStream.Subscribe(probe.Ref, typeof(Warning));
        return probe;
    }

    [Theory]
    [InlineData("closes-mid-handshake")]
    [InlineData("presents-a-revoked-certificate")]
    public async Task A_member_keeps_running_when_a_peer_fails_its_handshake_and_still_shuts_down_when_asked(string kind)
    {
        var system = StartNode();
        var cluster = AkkaCluster.Get(system);
        var warnings = WarningsOf(system);
        cluster.Join(cluster.SelfAddress);
        warnings.AwaitCondition(() => cluster.SelfMember.Status == MemberStatus.Up, Timeout);

        ServeOneBadHandshake(kind);
        ConnectToPeer(system);

        warnings.FishForMessage<Warning>(w => w.Message.ToString()!.StartsWith("Not shutting down", StringComparison.Ordinal), Timeout);
        warnings.AwaitCondition(() => CoordinatedShutdown.Get(system).ShutdownReason is null, Timeout, "the guard to re-arm CoordinatedShutdown");
        Assert.False(system.WhenTerminated.IsCompleted);
        Assert.Equal(MemberStatus.Up, cluster.SelfMember.Status);

        await CoordinatedShutdown.Get(system).Run(CoordinatedShutdown.ClrExitReason.Instance).WaitAsync(Timeout);
        Assert.True(system.WhenTerminated.IsCompleted, "a real shutdown after the declined one must still terminate the node");
        Assert.NotEqual(MemberStatus.Up, cluster.SelfMember.Status); // it left: the cluster phases ran too
    }

    [Fact]
    public async Task A_node_that_is_not_yet_a_member_still_shuts_down_on_a_failed_handshake()
    {
        var system = StartNode();

        ServeOneBadHandshake("presents-a-revoked-certificate");
        ConnectToPeer(system);

        await system.WhenTerminated.WaitAsync(Timeout);
        Assert.Equal(79, CoordinatedShutdown.Get(system).ShutdownReason!.ExitCode);
    }
}
