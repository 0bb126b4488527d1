using Akka.Actor;
using OkvActors.KeyStore.Replication;
using OkvActors.KeyStore.Tests.Support;
using Xunit;
using static OkvActors.KeyStore.Tests.Support.InProcessCluster;

namespace OkvActors.KeyStore.Tests.Replication;

/// <summary>A member asks another for its shard digests over remoting, as a restarted member does before it catches up.</summary>
public sealed class ShardDigestsActorClusterTests() : ThreeVaultNodes("okv.key-store.write-timeout = 5s")
{
    [Fact]
    public async Task A_member_gets_the_digest_of_every_shard_the_other_holds()
    {
        foreach (var system in new[] { Sys, B, C })
        {
            system.ActorOf(ShardDigestsActor.Props(TimeSpan.FromSeconds(10)), ShardDigestsActor.Name);
        }

        var vault = VaultOn(Sys);
        VaultOn(B);
        VaultOn(C);
        for (var i = 0; i < 20; i++)
        {
            Assert.IsType<OkvActors.KeyStore.Vault.ObjectStored>(await vault.StoreAsync(NewKey($"digest-{i}")));
        }

        var address = Akka.Cluster.Cluster.Get(Sys).SelfAddress;
        var held = await ShardInspector.ShardsAsync(Sys, TimeSpan.FromSeconds(10));

        // Asked from node B, node 1's actor answers with exactly what node 1 holds, shard by shard.
        var answer = await B.ActorSelection(new RootActorPath(address) / "user" / ShardDigestsActor.Name)
            .Ask<ShardDigests>(ShardDigestsQuery.Instance, TimeSpan.FromSeconds(15));

        Assert.Null(answer.Refused);
        Assert.Equal(held.Select(s => s.Key).Order(StringComparer.Ordinal), answer.Digests.Keys.Order(StringComparer.Ordinal));
        Assert.All(held, s => Assert.Equal(s.Shard.Digest, answer.Digests[s.Key]));
        Assert.NotEmpty(held);
    }
}
