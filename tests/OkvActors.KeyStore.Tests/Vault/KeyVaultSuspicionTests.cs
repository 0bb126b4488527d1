using OkvActors.KeyStore.Model;
using OkvActors.KeyStore.Tests.Support;
using OkvActors.KeyStore.Vault;
using Xunit;
using static OkvActors.KeyStore.Tests.Support.InProcessCluster;
using AkkaCluster = Akka.Cluster.Cluster;

namespace OkvActors.KeyStore.Tests.Vault;

/// <summary>
/// A crashed member, suspected by the vault from its dropped connection, is unreachable in Distributed Data's own view
/// at once: majority reads and writes go to the live member first. Distributed Data asks the members it thinks
/// reachable first and the rest after a fifth of the attempt; its "shuffle" of two members always swaps them (Akka.NET
/// 1.5.73's Sattolo shuffle), so in a 3-node cluster every majority write and read from here goes first to the peer
/// whose address sorts higher. That peer is the one crashed here, an attempt lasts 30 s (a fifth: 6 s) and the failure
/// detector never fires during the test: each write would wait 6 s without the vault's word to the replicator.
/// </summary>
public sealed class KeyVaultSuspicionTests() : ThreeVaultNodes(Settings)
{
    /// <summary>What each read or write may take here: well under a fifth of one attempt.</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(3);

    private const string Settings = """
            akka.cluster.failure-detector { heartbeat-interval = 1s, acceptable-heartbeat-pause = 120s }
            akka.cluster.split-brain-resolver.stable-after = 120s
            okv.key-store.change-to-all-timeout = 30s
            okv.key-store.fan-out.lag-timeout = 30s
            okv.key-store.majority-attempt-timeout = 30s
            okv.key-store.write-timeout = 60s
            okv.key-store.ask-timeout = 90s
            """;

    private static ManagedObject NewKey(int i) => NewKey($"key-{i}");

    [Fact]
    public async Task After_a_crash_every_majority_write_and_read_goes_to_the_live_member_first()
    {
        var a = VaultOn(Sys);
        var (survivor, crashed) = AkkaCluster.Get(B).SelfAddress.CompareTo(AkkaCluster.Get(C).SelfAddress) > 0 ? (C, B) : (B, C);
        var b = VaultOn(survivor);
        Assert.IsType<ObjectStored>(await a.StoreAsync(NewKey(0)));

        await crashed.Terminate();

        // Twelve writes on random shards: each would wait 6 s if Distributed Data still asked the crashed member first.
        var written = new List<ManagedObject>();
        for (var i = 1; i <= 12; i++)
        {
            var key = NewKey(i);
            Assert.IsType<ObjectStored>(await a.StoreAsync(key).WaitAsync(Patience));
            written.Add(key);
        }

        foreach (var key in written)
        {
            Assert.IsType<ObjectFound>(await b.GetAsync(key.Uid, ReadFreshness.Local));
        }

        // A majority read of every shard, each shard's read ordered the same way.
        var located = Assert.IsType<ObjectsLocated>(await a.LocateAcknowledgedAsync(new LocateFilter(Name: "key-7")).WaitAsync(Patience));
        Assert.Equal(written[6].Uid, Assert.Single(located.Objects).Uid);
        Assert.Equal(3, (await a.ModeAsync()).Reachable); // the failure detector has not called it unreachable
    }
}
