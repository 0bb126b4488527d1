using Akka.Actor;
using OkvActors.KeyStore.Tests.Support;
using OkvActors.KeyStore.Vault;
using Xunit;
using static OkvActors.KeyStore.Tests.Support.InProcessCluster;
using AkkaCluster = Akka.Cluster.Cluster;

namespace OkvActors.KeyStore.Tests.Vault;

/// <summary>
/// The vaults' own replication of object writes (<see cref="WriteFanOut"/>). Gossip is off (an hour), so what reaches
/// another node here reached it through its vault; a write waits up to 5 s for every node (no peer counts as lagging).
/// </summary>
public sealed class KeyVaultFanOutTests() : ThreeVaultNodes("""
    akka.cluster.distributed-data.gossip-interval = 1h
    okv.key-store { fan-out.lag-timeout = 5s, write-timeout = 10s }
    """)
{
    [Fact]
    public async Task Concurrent_writes_on_one_node_are_acknowledged_and_held_by_every_other_node()
    {
        var a = VaultOn(Sys);
        var others = new[] { VaultOn(B), VaultOn(C) };
        var keys = Enumerable.Range(0, 200).Select(i => NewKey($"concurrent-{i}")).ToList();

        var answers = await Task.WhenAll(keys.Select(k => a.StoreAsync(k)));

        Assert.All(answers, answer => Assert.IsType<ObjectStored>(answer));
        foreach (var other in others)
        {
            foreach (var key in keys)
            {
                Assert.IsType<ObjectFound>(await other.GetAsync(key.Uid, ReadFreshness.Local));
            }
        }
    }

    [Fact]
    public async Task A_peer_that_missed_a_writes_batch_is_sent_it_again_while_the_write_waits_for_every_node()
    {
        var a = VaultOn(Sys);
        var b = VaultOn(B);
        var key = NewKey("late");

        // No vault runs on C yet: the batch a sends it is lost, the one to b is stored.
        var store = a.StoreAsync(key);
        await AwaitAssertAsync(async () => Assert.IsType<ObjectFound>(await b.GetAsync(key.Uid, ReadFreshness.Local)),
            TimeSpan.FromSeconds(4), TimeSpan.FromMilliseconds(20));
        var c = VaultOn(C);

        Assert.IsType<ObjectStored>(await store);
        Assert.IsType<ObjectFound>(await c.GetAsync(key.Uid, ReadFreshness.Local));
    }

    [Fact]
    public async Task A_batch_of_writes_from_outside_the_cluster_is_refused_and_stores_nothing()
    {
        var a = VaultOn(Sys);
        var outsider = ActorSystem.Create("vault", ConfigOf(""));
        try
        {
            var probe = CreateTestProbe(outsider);
            var key = NewKey("smuggled");

            outsider.ActorSelection(new RootActorPath(AkkaCluster.Get(Sys).SelfAddress) / "user" / VaultName)
                .Tell(new ReplicaBatch(1, [key]), probe.Ref);

            Assert.False(probe.ExpectMsg<ReplicaBatchStored>(TimeSpan.FromSeconds(10)).Stored);
            Assert.IsType<ObjectNotFound>(await a.GetAsync(key.Uid, ReadFreshness.Local));
        }
        finally
        {
            await outsider.Terminate();
        }
    }
}

/// <summary>
/// fan-out.linger holds the first queued write for others to join its batch: with local consistency (acknowledged once
/// this node holds it) the peers get it only after the linger. Gossip is off.
/// </summary>
public sealed class KeyVaultFanOutLingerTests() : ThreeVaultNodes("""
    akka.cluster.distributed-data.gossip-interval = 1h
    okv.key-store { write-consistency = local, fan-out.linger = 2s }
    """)
{
    [Fact]
    public async Task A_write_goes_to_the_peers_after_the_linger()
    {
        var a = VaultOn(Sys);
        var b = VaultOn(B);
        VaultOn(C);
        var key = NewKey("lingering");

        Assert.IsType<ObjectStored>(await a.StoreAsync(key));
        var atOnce = await b.GetAsync(key.Uid, ReadFreshness.Local);

        Assert.IsType<ObjectNotFound>(atOnce);
        await AwaitAssertAsync(async () => Assert.IsType<ObjectFound>(await b.GetAsync(key.Uid, ReadFreshness.Local)),
            TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(100));
    }
}

/// <summary>
/// A peer that does not confirm an object write within fan-out.lag-timeout (3 s here; no vault runs on C at first, so
/// its batches are lost) is lagging: later writes need a majority only, until it answers a batch promptly again.
/// Gossip is off.
/// </summary>
public sealed class KeyVaultLaggingPeerTests() : ThreeVaultNodes("""
    akka.cluster.distributed-data.gossip-interval = 1h
    okv.key-store { fan-out.lag-timeout = 3s, write-timeout = 20s, ask-timeout = 30s }
    """)
{
    private static readonly TimeSpan LagTimeout = TimeSpan.FromSeconds(3);

    [Fact]
    public async Task Writes_stop_waiting_for_a_lagging_peer_until_it_confirms_promptly_again()
    {
        var a = VaultOn(Sys);
        VaultOn(B);
        var cAddress = AkkaCluster.Get(C).SelfAddress.ToString();

        Assert.IsType<ObjectStored>(await a.StoreAsync(NewKey("waits-out-the-lag")));
        Assert.Equal([cAddress], (await a.FanOutAsync()).Lagging);

        // Acknowledged by a majority at once, not after another lag timeout (WaitAsync throws a TimeoutException).
        Assert.IsType<ObjectStored>(await a.StoreAsync(NewKey("while-lagging")).WaitAsync(LagTimeout / 2));

        var c = VaultOn(C);
        await AwaitAssertAsync(async () =>
        {
            Assert.IsType<ObjectStored>(await a.StoreAsync(NewKey($"after-c-started-{Guid.NewGuid():N}")));
            Assert.Empty((await a.FanOutAsync()).Lagging);
        }, TimeSpan.FromSeconds(15), TimeSpan.FromMilliseconds(100));

        // To every node again: acknowledged only once C holds it.
        var toEveryNode = NewKey("to-every-node-again");
        Assert.IsType<ObjectStored>(await a.StoreAsync(toEveryNode));
        Assert.IsType<ObjectFound>(await c.GetAsync(toEveryNode.Uid, ReadFreshness.Local));
        Assert.Empty((await a.FanOutAsync()).Lagging);
    }
}
