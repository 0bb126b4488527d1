using Akka.Actor;
using Akka.Cluster;
using Akka.Configuration;
using Akka.Remote;
using Xunit;
using AkkaCluster = Akka.Cluster.Cluster;

namespace OkvActors.Cluster.Tests.Downing;

/// <summary>
/// A node whose peers have quarantined it (they removed it while it was cut off) downs itself and shuts down, so
/// its service manager can restart it as a new incarnation; without that it would stay up read-only for good.
/// Two real actor systems over loopback TCP with our downing provider; stable-after is long, so no quorum
/// decision can be what downs anyone here.
/// </summary>
public sealed class QuarantinedMinorityTests : Akka.TestKit.Xunit2.TestKit
{
    private static readonly Config NodeConfig = ConfigurationFactory.ParseString("""
            akka.loglevel = WARNING
            akka.actor.provider = cluster
            akka.remote.dot-netty.tcp { hostname = "127.0.0.1", port = 0 }
            akka.cluster.downing-provider-class = "OkvActors.Cluster.Downing.QuorumDowningProvider, OkvActors.Cluster"
            akka.cluster.run-coordinated-shutdown-when-down = on
            akka.coordinated-shutdown.exit-clr = off
            okv.downing.stable-after = 300s
            """)
        .WithFallback(OkvClusterSettings.DefaultConfig());

    private readonly ActorSystem _other;

    public QuarantinedMinorityTests() : base(NodeConfig, "okv")
    {
        _other = ActorSystem.Create("okv", NodeConfig);
        var seed = AkkaCluster.Get(Sys).SelfAddress;
        AkkaCluster.Get(Sys).Join(seed);
        AkkaCluster.Get(_other).Join(seed);
        foreach (var system in new[] { Sys, _other })
        {
            AwaitAssert(() => Assert.Equal(2, AkkaCluster.Get(system).State.Members.Count(m => m.Status == MemberStatus.Up)),
                TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(200));
        }
    }

    protected override void AfterAll()
    {
        _other.Terminate().Wait(TimeSpan.FromSeconds(10));
        base.AfterAll();
    }

    private static async Task<bool> Terminates(ActorSystem system, TimeSpan within)
    {
        try
        {
            await system.WhenTerminated.WaitAsync(within);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    [Fact]
    public async Task A_node_a_member_has_quarantined_downs_itself_and_shuts_down()
    {
        var victim = AkkaCluster.Get(_other).SelfUniqueAddress;

        // What the majority's remoting does to a member it removed: refuse its incarnation for good.
        ((IRemoteActorRefProvider)((ExtendedActorSystem)Sys).Provider).Quarantine(victim.Address, victim.Uid);

        // Its next heartbeat to us earns it the quarantine notice; it must act on it by itself.
        Assert.True(await Terminates(_other, TimeSpan.FromSeconds(30)), "the quarantined node is still running");
        Assert.False(Sys.WhenTerminated.IsCompleted, "the node that quarantined the other must stay up");
    }

    [Fact]
    public async Task A_quarantine_notice_from_a_stranger_is_ignored()
    {
        var stranger = new Address("akka.tcp", "okv", "127.0.0.1", 1);

        _other.EventStream.Publish(new ThisActorSystemQuarantinedEvent(AkkaCluster.Get(_other).SelfAddress, stranger));

        // A negative: the node must stay Up through a window in which a member's notice takes effect (see below).
        Assert.False(await Terminates(_other, TimeSpan.FromSeconds(3)), "a stranger's quarantine notice downed the node");
        Assert.Equal(MemberStatus.Up, AkkaCluster.Get(_other).SelfMember.Status);

        // The same notice from a member is acted on: the stranger's was seen and ignored, not missed.
        _other.EventStream.Publish(new ThisActorSystemQuarantinedEvent(AkkaCluster.Get(_other).SelfAddress, AkkaCluster.Get(Sys).SelfAddress));
        Assert.True(await Terminates(_other, TimeSpan.FromSeconds(30)), "a member's quarantine notice was not acted on");
    }
}
