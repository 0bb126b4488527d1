using Akka.Actor;
using Akka.Cluster;
using Akka.DistributedData;
using Akka.TestKit;
using OkvActors.KeyStore.Vault;
using Xunit;
using AkkaCluster = Akka.Cluster.Cluster;

namespace OkvActors.KeyStore.Tests.Support;

/// <summary>Real actor systems in this process, formed into one cluster over loopback.</summary>
internal static class InProcessCluster
{
    /// <summary>Every node's vault has the same path (a vault sends its writes to the same path on each peer), as in NodeHost.</summary>
    public const string VaultName = "okv-vault";

    /// <summary>A vault actor on <paramref name="system"/> with its settings, behind the in-process client.</summary>
    public static IKeyVault VaultOn(ActorSystem system)
    {
        var settings = KeyStoreSettings.Create(system);
        return new KeyVaultClient(system.ActorOf(KeyVaultActor.Props(settings), VaultName), settings);
    }

    /// <summary>
    /// Joins every system to the first and waits until each sees all of them Up and its replicator knows all the
    /// replicas (or a "majority" would be counted among fewer nodes).
    /// </summary>
    public static void Form(TestKitBase kit, params ActorSystem[] systems)
    {
        var seed = AkkaCluster.Get(systems[0]).SelfAddress;
        foreach (var system in systems)
        {
            AkkaCluster.Get(system).Join(seed);
        }

        foreach (var system in systems)
        {
            kit.AwaitAssert(() => Assert.Equal(systems.Length, AkkaCluster.Get(system).State.Members.Count(m => m.Status == MemberStatus.Up)),
                TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(200));
            var replicator = DistributedData.Get(system).Replicator;
            kit.AwaitAssert(() => Assert.Equal(systems.Length, replicator.Ask<ReplicaCount>(GetReplicaCount.Instance).Result.N),
                TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(200));
        }
    }
}
