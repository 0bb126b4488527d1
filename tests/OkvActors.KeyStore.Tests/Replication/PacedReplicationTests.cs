using OkvActors.KeyStore.Tests.Support;
using OkvActors.KeyStore.Vault;
using Xunit;
using static OkvActors.KeyStore.Tests.Support.InProcessCluster;

namespace OkvActors.KeyStore.Tests.Replication;

/// <summary>
/// Three nodes whose replicators tick only when the pacer tells them (their own interval is an hour), and whose vaults
/// write locally: another node gets a write only through the ticks the pacer sends.
/// </summary>
public abstract class PacedReplication(string pacing) : ThreeVaultNodes($$"""
    akka.cluster.distributed-data.gossip-interval = 1h
    okv.key-store.write-consistency = local
    okv.key-store.pacing { enabled = on, {{pacing}} }
    """)
{
    protected async Task A_local_write_reaches_every_other_node()
    {
        var a = VaultOn(Sys);
        var others = new[] { VaultOn(B), VaultOn(C) };
        var key = NewKey("paced");
        Assert.IsType<ObjectStored>(await a.StoreAsync(key));

        foreach (var other in others)
        {
            await AwaitAssertAsync(async () => Assert.IsType<ObjectFound>(await other.GetAsync(key.Uid, ReadFreshness.Local)),
                TimeSpan.FromSeconds(15), TimeSpan.FromMilliseconds(100));
        }
    }
}

/// <summary>Gossip never runs (an hour at every rate): the write travels in the delta rounds its change started.</summary>
public sealed class DeltaRoundsTests() : PacedReplication("gossip-interval = 1h, idle-gossip-interval = 1h, delta-interval = 200ms, idle-delta-interval = 1h")
{
    [Fact]
    public Task A_local_write_reaches_every_other_node_in_the_delta_rounds_its_change_started() => A_local_write_reaches_every_other_node();
}

/// <summary>Delta rounds never run (an hour at every rate): the write travels by gossip alone.</summary>
public sealed class GossipRoundsTests() : PacedReplication("gossip-interval = 200ms, idle-gossip-interval = 200ms, delta-interval = 1h, active-window = 1h, idle-delta-interval = 1h")
{
    [Fact]
    public Task A_local_write_reaches_every_other_node_by_gossip() => A_local_write_reaches_every_other_node();
}
