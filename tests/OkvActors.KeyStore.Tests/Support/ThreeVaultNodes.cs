using Akka.Actor;
using Akka.Configuration;
using Akka.DistributedData;
using OkvActors.KeyStore.Model;

namespace OkvActors.KeyStore.Tests.Support;

/// <summary>
/// Three real actor systems in this process, formed into one cluster over loopback: the test kit's own (node 1) and
/// <see cref="B"/> and <see cref="C"/>. A member is terminated abruptly (no graceful leave), as a crashed process
/// is. Each test class states what its scenario needs (failure detection, timeouts, transport) as the settings of
/// node 1, 2 and 3, over common ones (loopback, 16 shards); the vault's and Distributed Data's defaults lie beneath.
/// </summary>
public abstract class ThreeVaultNodes : Akka.TestKit.Xunit2.TestKit
{
    private const string Common = """
        akka.loglevel = WARNING
        akka.actor.provider = cluster
        akka.remote.dot-netty.tcp { hostname = "127.0.0.1", port = 0 }
        akka.coordinated-shutdown.run-by-actor-system-terminate = off
        akka.cluster.run-coordinated-shutdown-when-down = off
        okv.key-store.shard-count = 16
        """;

    protected ThreeVaultNodes(string settings) : this(_ => settings)
    {
    }

    protected ThreeVaultNodes(Func<int, string> settingsOfNode) : base(ConfigOf(settingsOfNode(1)), "vault")
    {
        B = ActorSystem.Create("vault", ConfigOf(settingsOfNode(2)));
        C = ActorSystem.Create("vault", ConfigOf(settingsOfNode(3)));
        InProcessCluster.Form(this, Sys, B, C);
    }

    protected ActorSystem B { get; }

    protected ActorSystem C { get; }

    protected static Config ConfigOf(string settings) => ConfigurationFactory.ParseString(settings)
        .WithFallback(ConfigurationFactory.ParseString(Common))
        .WithFallback(KeyStoreSettings.DefaultConfig())
        .WithFallback(DistributedData.DefaultConfig());

    /// <summary>A new symmetric key, as created on <paramref name="node"/>.</summary>
    protected static ManagedObject NewKey(string name, string node = "a") =>
        ManagedObject.Create(Guid.NewGuid().ToString(), ObjectType.SymmetricKey, 3, 256, [1, 2, 3, 4], new HybridLogicalClock(node).Now(),
            DateTimeOffset.UtcNow, [name]);

    protected override void AfterAll()
    {
        B.Terminate().Wait(TimeSpan.FromSeconds(10));
        C.Terminate().Wait(TimeSpan.FromSeconds(10));
        base.AfterAll();
    }
}
