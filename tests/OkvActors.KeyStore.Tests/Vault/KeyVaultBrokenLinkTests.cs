using Akka.Actor;
using Akka.Cluster;
using Akka.Remote;
using Akka.Remote.Transport;
using OkvActors.KeyStore.Model;
using OkvActors.KeyStore.Tests.Support;
using OkvActors.KeyStore.Vault;
using Xunit;
using static OkvActors.KeyStore.Tests.Support.InProcessCluster;
using AkkaCluster = Akka.Cluster.Cluster;

namespace OkvActors.KeyStore.Tests.Vault;

/// <summary>
/// The vault with one link cut both ways between nodes that each still reach a majority. Three nodes in this
/// process (hosts 127.0.0.1–3). Nobody downs anybody here (stable-after is long), and replicas exchange nothing
/// by gossip (the interval is an hour), so a node holds only what writes brought it while the test looks.
/// </summary>
public sealed class KeyVaultBrokenLinkTests() : ThreeVaultNodes(NodeSettings)
{
    /// <summary>Node n on host 127.0.0.n, each behind the throttler that cuts links.</summary>
    private static string NodeSettings(int host) => $$"""
            akka.remote.dot-netty.tcp { hostname = "127.0.0.{{host}}", port = 0, applied-adapters = [trttl] }
            akka.cluster.failure-detector { heartbeat-interval = 200ms, acceptable-heartbeat-pause = 1s, threshold = 8 }
            akka.cluster.split-brain-resolver.stable-after = 300s
            akka.cluster.distributed-data.gossip-interval = 1h
            okv.key-store.write-timeout = 3s
            """;

    private async Task CutLink(ActorSystem from, ActorSystem to) =>
        Assert.True(await ((RemoteActorRefProvider)((ExtendedActorSystem)from).Provider).Transport.ManagementCommand(
            new SetThrottle(AkkaCluster.Get(to).SelfAddress, ThrottleTransportAdapter.Direction.Both, Blackhole.Instance)));

    /// <summary>
    /// Restricted mode counts the members this node reaches itself, not the cluster's union of everyone's
    /// observations. The gossiped table marks b and c unreachable to everyone once their link is cut, which used
    /// to put a in restricted mode ("reaches 1 of 3") although it reaches both, and b and c too.
    /// </summary>
    [Fact]
    public async Task Every_node_that_reaches_a_majority_itself_keeps_writing_while_two_others_cannot_hear_each_other()
    {
        var a = VaultOn(Sys);
        var b = VaultOn(B);
        var c = VaultOn(C);
        await CutLink(B, C);

        // Until a's own view, the union of everyone's observations, has both b and c unreachable.
        await AwaitAssertAsync(() => Assert.Equal(2, AkkaCluster.Get(Sys).State.Unreachable.Count), TimeSpan.FromSeconds(20), TimeSpan.FromMilliseconds(200));

        foreach (var (vault, name, reaches) in new[] { (a, "a", 3), (b, "b", 2), (c, "c", 2) })
        {
            var mode = await vault.ModeAsync();
            Assert.False(mode.Restricted, $"{name}: {mode.Reason}");
            Assert.Equal(reaches, mode.Reachable);
            var key = NewKey("broken-link", name);
            var stored = await vault.StoreAsync(key);
            Assert.True(stored is ObjectStored, $"{name}: {stored}");
            Assert.IsType<ObjectFound>(await a.GetAsync(key.Uid));
        }
    }

    /// <summary>
    /// A write acknowledged by b and c never reached a. A local locate on a misses it; an acknowledged locate (what
    /// deleting a wallet asks, so a wallet holding a key just created elsewhere is not deleted) reads a majority
    /// and finds it. Once a reaches nobody, it refuses rather than answer from its own replica.
    /// </summary>
    [Fact]
    public async Task An_acknowledged_locate_finds_an_object_written_without_this_node_and_refuses_without_a_majority()
    {
        await CutLink(Sys, B);
        VaultOn(C);
        var name = $"elsewhere-{Guid.NewGuid():N}";
        var key = NewKey(name, "b");
        var stored = await VaultOn(B).StoreAsync(key);
        Assert.True(stored is ObjectStored, stored.ToString());

        var a = VaultOn(Sys);
        Assert.Empty(await a.LocateAsync(new LocateFilter(Name: name)));
        var found = Assert.IsType<ObjectsLocated>(await a.LocateAcknowledgedAsync(new LocateFilter(Name: name)));
        Assert.Equal(key.Uid, Assert.Single(found.Objects).Uid);

        await CutLink(Sys, C);
        var refused = Assert.IsType<WriteRefused>(await a.LocateAcknowledgedAsync(new LocateFilter(Name: name)));
        Assert.Contains("could not be read from a majority", refused.Reason);
    }
}
