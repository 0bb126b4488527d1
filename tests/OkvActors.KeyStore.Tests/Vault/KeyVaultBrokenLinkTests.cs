using Akka.Actor;
using Akka.Cluster;
using Akka.Configuration;
using Akka.DistributedData;
using Akka.Remote;
using Akka.Remote.Transport;
using OkvActors.KeyStore.Model;
using OkvActors.KeyStore.Tests.Support;
using OkvActors.KeyStore.Vault;
using Xunit;
using AkkaCluster = Akka.Cluster.Cluster;

namespace OkvActors.KeyStore.Tests.Vault;

/// <summary>
/// Restricted mode counts the members this node reaches itself, not the cluster's union of everyone's
/// observations. Three nodes in this process (hosts 127.0.0.1–3); the link between b and c is cut both ways
/// while both still reach a. The gossiped table then marks b and c unreachable to everyone, which used to put a
/// in restricted mode ("reaches 1 of 3") although it reaches both, and b and c too. Nobody downs anybody here
/// (stable-after is long), so the state holds while the test looks at it.
/// </summary>
public sealed class KeyVaultBrokenLinkTests : Akka.TestKit.Xunit2.TestKit
{
    private static Config NodeConfig(int host) => ConfigurationFactory.ParseString($$"""
            akka.loglevel = WARNING
            akka.actor.provider = cluster
            akka.remote.dot-netty.tcp { hostname = "127.0.0.{{host}}", port = 0, applied-adapters = [trttl] }
            akka.cluster.failure-detector { heartbeat-interval = 200ms, acceptable-heartbeat-pause = 1s, threshold = 8 }
            akka.cluster.split-brain-resolver.stable-after = 300s
            okv.key-store.shard-count = 16
            okv.key-store.write-timeout = 3s
            """)
        .WithFallback(KeyStoreSettings.DefaultConfig())
        .WithFallback(DistributedData.DefaultConfig());

    private readonly ActorSystem _b;
    private readonly ActorSystem _c;

    public KeyVaultBrokenLinkTests() : base(NodeConfig(1), "vault")
    {
        _b = ActorSystem.Create("vault", NodeConfig(2));
        _c = ActorSystem.Create("vault", NodeConfig(3));
        InProcessCluster.Form(this, Sys, _b, _c);
    }

    protected override void AfterAll()
    {
        _b.Terminate().Wait(TimeSpan.FromSeconds(10));
        _c.Terminate().Wait(TimeSpan.FromSeconds(10));
        base.AfterAll();
    }

    private static IKeyVault VaultOn(ActorSystem system)
    {
        var settings = KeyStoreSettings.Create(system);
        return new KeyVaultClient(system.ActorOf(KeyVaultActor.Props(settings)), settings);
    }

    private static ManagedObject NewKey(string node) =>
        ManagedObject.Create(Guid.NewGuid().ToString(), ObjectType.SymmetricKey, 3, 256, [1, 2, 3, 4], new HybridLogicalClock(node).Now(),
            DateTimeOffset.UtcNow, ["broken-link"]);

    [Fact]
    public async Task Every_node_that_reaches_a_majority_itself_keeps_writing_while_two_others_cannot_hear_each_other()
    {
        var a = VaultOn(Sys);
        var b = VaultOn(_b);
        var c = VaultOn(_c);
        var transport = ((RemoteActorRefProvider)((ExtendedActorSystem)_b).Provider).Transport;
        Assert.True(await transport.ManagementCommand(
            new SetThrottle(AkkaCluster.Get(_c).SelfAddress, ThrottleTransportAdapter.Direction.Both, Blackhole.Instance)));

        // Until a's own view, the union of everyone's observations, has both b and c unreachable.
        await AwaitAssertAsync(() => Assert.Equal(2, AkkaCluster.Get(Sys).State.Unreachable.Count), TimeSpan.FromSeconds(20), TimeSpan.FromMilliseconds(200));

        foreach (var (vault, name, reaches) in new[] { (a, "a", 3), (b, "b", 2), (c, "c", 2) })
        {
            var mode = await vault.ModeAsync();
            Assert.False(mode.Restricted, $"{name}: {mode.Reason}");
            Assert.Equal(reaches, mode.Reachable);
            var key = NewKey(name);
            var stored = await vault.StoreAsync(key);
            Assert.True(stored is ObjectStored, $"{name}: {stored}");
            Assert.IsType<ObjectFound>(await a.GetAsync(key.Uid));
        }
    }
}
