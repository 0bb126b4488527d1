using Akka.Actor;
using Akka.DistributedData;
using OkvActors.KeyStore.Replication;
using OkvActors.KeyStore.Tests.Support;
using OkvActors.KeyStore.Vault;
using Xunit;
using static OkvActors.KeyStore.Tests.Support.InProcessCluster;

namespace OkvActors.KeyStore.Tests.Replication;

/// <summary>
/// Three nodes whose replicators tick only when the pacer (a child of each vault) tells them: their own interval is an
/// hour. A change is made in one node's replicator directly, as the changes the vaults do not send each other themselves
/// are (a restore's import, the registries): another node gets it only through the ticks the pacer sends.
/// </summary>
public abstract class PacedReplication(string pacing) : ThreeVaultNodes($$"""
    akka.cluster.distributed-data.gossip-interval = 1h
    okv.key-store.pacing { enabled = on, {{pacing}} }
    """)
{
    protected async Task A_change_reaches_every_other_node()
    {
        VaultOn(Sys);
        var others = new[] { VaultOn(B), VaultOn(C) };
        var key = NewKey("paced");
        var shard = new KeyShardKey(ShardMap.KeyId(ShardMap.ShardOf(key.Uid, KeyStoreSettings.Create(Sys).ShardCount)));
        var written = await DistributedData.Get(Sys).Replicator.Ask<IUpdateResponse>(
            new Update(shard, KeyShard.Empty, WriteLocal.Instance, existing => ((KeyShard)existing).Put(key)));
        Assert.IsType<UpdateSuccess>(written);

        foreach (var other in others)
        {
            await AwaitAssertAsync(async () => Assert.IsType<ObjectFound>(await other.GetAsync(key.Uid, ReadFreshness.Local)),
                TimeSpan.FromSeconds(15), TimeSpan.FromMilliseconds(100));
        }
    }
}

/// <summary>Gossip never runs (an hour at every rate): the change travels in the pacer's delta rounds.</summary>
public sealed class DeltaRoundsTests() : PacedReplication("gossip-interval = 1h, idle-gossip-interval = 1h, delta-interval = 200ms, idle-delta-interval = 200ms")
{
    [Fact]
    public Task A_change_reaches_every_other_node_in_the_pacers_delta_rounds() => A_change_reaches_every_other_node();
}

/// <summary>Delta rounds never run (an hour at every rate): the change travels by gossip alone.</summary>
public sealed class GossipRoundsTests() : PacedReplication("gossip-interval = 200ms, idle-gossip-interval = 200ms, delta-interval = 1h, active-window = 1h, idle-delta-interval = 1h, writing-delta-interval = 1h")
{
    [Fact]
    public Task A_change_reaches_every_other_node_by_gossip() => A_change_reaches_every_other_node();
}
