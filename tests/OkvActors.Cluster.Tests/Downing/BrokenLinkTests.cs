using Akka.Actor;
using Akka.Cluster;
using Akka.Configuration;
using Akka.Remote;
using Akka.Remote.Transport;
using Xunit;
using AkkaCluster = Akka.Cluster.Cluster;

namespace OkvActors.Cluster.Tests.Downing;

/// <summary>
/// Three real actor systems over loopback TCP with our downing provider: when the link between two of them breaks
/// while both still reach the third, the gossiped table marks both unreachable to everyone. Counting unreachable
/// members then leaves every node reaching a minority and nobody downing anybody; the chaos harness saw minutes of
/// that. The provider must keep the largest group that all reach one another (node1 and node2, by address) and down
/// node3. Addresses differ by host (127.0.0.1–3), so node1 is the lowest and speaks for the kept side.
/// </summary>
public sealed class BrokenLinkTests : Akka.TestKit.Xunit2.TestKit
{
    private static Config NodeConfig(int node) => ConfigurationFactory.ParseString($$"""
            akka.loglevel = WARNING
            akka.actor.provider = cluster
            akka.remote.dot-netty.tcp { hostname = "127.0.0.{{node}}", port = 0, applied-adapters = [trttl] }
            akka.cluster.downing-provider-class = "OkvActors.Cluster.Downing.QuorumDowningProvider, OkvActors.Cluster"
            akka.cluster.failure-detector.acceptable-heartbeat-pause = 4s
            akka.cluster.run-coordinated-shutdown-when-down = on
            akka.coordinated-shutdown.exit-clr = off
            okv.downing.stable-after = 2s
            """)
        .WithFallback(OkvClusterSettings.DefaultConfig());

    private readonly ActorSystem _node2;
    private readonly ActorSystem _node3;

    public BrokenLinkTests() : base(NodeConfig(1), "okv")
    {
        _node2 = ActorSystem.Create("okv", NodeConfig(2));
        _node3 = ActorSystem.Create("okv", NodeConfig(3));
        var seed = AkkaCluster.Get(Sys).SelfAddress;
        foreach (var system in new[] { Sys, _node2, _node3 })
        {
            AkkaCluster.Get(system).Join(seed);
        }

        foreach (var system in new[] { Sys, _node2, _node3 })
        {
            AwaitAssert(() => Assert.Equal(3, AkkaCluster.Get(system).State.Members.Count(m => m.Status == MemberStatus.Up)),
                TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(200));
        }
    }

    protected override void AfterAll()
    {
        foreach (var system in new[] { _node2, _node3 })
        {
            system.Terminate().Wait(TimeSpan.FromSeconds(10));
        }

        base.AfterAll();
    }

    [Fact]
    public async Task A_member_that_only_some_reach_is_downed_and_the_rest_stay_a_cluster()
    {
        // Node2 and node3 stop hearing each other; both still hear node1 and node1 hears both.
        var node2Transport = ((RemoteActorRefProvider)((ExtendedActorSystem)_node2).Provider).Transport;
        Assert.True(await node2Transport.ManagementCommand(
            new SetThrottle(AkkaCluster.Get(_node3).SelfAddress, ThrottleTransportAdapter.Direction.Both, Blackhole.Instance)));

        await _node3.WhenTerminated.WaitAsync(TimeSpan.FromSeconds(60));

        foreach (var system in new[] { Sys, _node2 })
        {
            await AwaitAssertAsync(() =>
            {
                var state = AkkaCluster.Get(system).State;
                Assert.Equal(2, state.Members.Count(m => m.Status == MemberStatus.Up));
                Assert.DoesNotContain(state.Members, m => m.Address.Equals(AkkaCluster.Get(_node3).SelfAddress));
                Assert.Empty(state.Unreachable);
            }, TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(200));
        }

        Assert.False(Sys.WhenTerminated.IsCompleted || _node2.WhenTerminated.IsCompleted, "a member of the kept side was downed");
    }
}
