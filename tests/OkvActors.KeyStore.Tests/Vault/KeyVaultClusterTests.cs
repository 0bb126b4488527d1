using Akka.Actor;
using Akka.Cluster;
using OkvActors.KeyStore.Model;
using OkvActors.KeyStore.Tests.Support;
using OkvActors.KeyStore.Vault;
using Xunit;
using static OkvActors.KeyStore.Tests.Support.InProcessCluster;
using AkkaCluster = Akka.Cluster.Cluster;

namespace OkvActors.KeyStore.Tests.Vault;

/// <summary>
/// The vault on a real three-node Akka cluster in this process (remoting over loopback TCP): writes
/// replicate, lifecycle rules hold across nodes, and a node that loses its quorum turns read-only.
/// </summary>
public sealed class KeyVaultClusterTests() : ThreeVaultNodes(Settings)
{
    private const string Settings = """
            akka.cluster.failure-detector { heartbeat-interval = 200ms, acceptable-heartbeat-pause = 1s, threshold = 8 }
            # Keep the split-brain resolver from downing the survivor while the test watches restricted mode.
            akka.cluster.split-brain-resolver.stable-after = 120s
            okv.key-store.write-timeout = 3s
            # A write waits for every member only while none lags: the default 20 ms is a benchmark's setting, and a peer
            # busy with another test assembly on a loaded host missed it once (its write was then acknowledged by a
            # majority, correctly, but this class checks writes to every node). Still under write-timeout, so a
            # crashed member that nobody notices delays a write by this long, not into a refusal.
            okv.key-store.fan-out.lag-timeout = 2s
            """;

    private static T Expect<T>(IVaultReply reply, string step) where T : IVaultReply =>
        reply is T expected ? expected : throw new Xunit.Sdk.XunitException($"{step}: expected {typeof(T).Name}, got {reply}");

    [Fact]
    public async Task A_write_acknowledged_on_one_node_is_read_on_another()
    {
        var a = VaultOn(Sys);
        VaultOn(B);
        var c = VaultOn(C);
        var key = NewKey("payments-key");

        var stored = Assert.IsType<ObjectStored>(await a.StoreAsync(key));

        Assert.Equal(ManagedObjectCodec.Encode(key), ManagedObjectCodec.Encode(stored.Object));
        await AwaitAssertAsync(async () =>
        {
            var found = Assert.IsType<ObjectFound>(await c.GetAsync(key.Uid));
            Assert.Equal(ManagedObjectCodec.Encode(key), ManagedObjectCodec.Encode(found.Object));
        }, TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(100));
        Assert.IsType<ObjectNotFound>(await c.GetAsync("no-such-uid"));
        Assert.IsType<ObjectNotFound>(await a.ActivateAsync("no-such-uid", DateTimeOffset.UtcNow));
    }

    [Fact]
    public async Task Lifecycle_rules_hold_across_nodes_and_a_destroyed_key_loses_its_material_everywhere()
    {
        var a = VaultOn(Sys);
        var b = VaultOn(B);
        var c = VaultOn(C);
        var key = NewKey("payments-key");
        Expect<ObjectStored>(await a.StoreAsync(key), "store on a");
        Expect<ObjectStored>(await b.ActivateAsync(key.Uid, DateTimeOffset.UtcNow), "activate on b");

        var refused = Assert.IsType<TransitionRefused>(await c.DestroyAsync(key.Uid, DateTimeOffset.UtcNow));
        Assert.Contains("revoke it before destroying it", refused.Reason);
        Expect<ObjectStored>(await c.RevokeAsync(key.Uid, RevocationReason.CessationOfOperation, DateTimeOffset.UtcNow), "revoke on c");
        var reactivate = Assert.IsType<TransitionRefused>(await a.ActivateAsync(key.Uid, DateTimeOffset.UtcNow));
        Assert.Contains("can never be activated again", reactivate.Reason);
        var destroyed = Expect<ObjectStored>(await a.DestroyAsync(key.Uid, DateTimeOffset.UtcNow), "destroy on a");

        Assert.Equal(LifecycleState.Destroyed, destroyed.Object.State);
        Assert.Null(destroyed.Object.WrappedMaterial);
        foreach (var vault in new[] { a, b, c })
        {
            await AwaitAssertAsync(async () =>
            {
                var found = Assert.IsType<ObjectFound>(await vault.GetAsync(key.Uid));
                Assert.Equal(LifecycleState.Destroyed, found.Object.State);
                Assert.Null(found.Object.WrappedMaterial);
            }, TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(100));
        }
    }

    [Fact]
    public async Task A_change_acknowledged_while_every_member_is_reachable_is_in_every_replica_when_acknowledged()
    {
        var a = VaultOn(Sys);
        var b = VaultOn(B);
        var c = VaultOn(C);
        var key = NewKey("payments-key");
        Expect<ObjectStored>(await a.StoreAsync(key), "store on a");
        // A creation goes to a majority only; c finds it anyway (it asks a majority for what it lacks).
        Expect<ObjectFound>(await c.GetAsync(key.Uid), "acknowledged read on c");

        Expect<ObjectStored>(await a.ActivateAsync(key.Uid, DateTimeOffset.UtcNow), "activate on a");
        var onB = Expect<ObjectFound>(await b.GetAsync(key.Uid, ReadFreshness.Local), "local read on b");
        var onC = Expect<ObjectFound>(await c.GetAsync(key.Uid, ReadFreshness.Local), "local read on c");
        Expect<ObjectStored>(await c.RevokeAsync(key.Uid, RevocationReason.KeyCompromise, DateTimeOffset.UtcNow), "revoke on c");
        var revokedOnA = Expect<ObjectFound>(await a.GetAsync(key.Uid, ReadFreshness.Local), "local read on a");
        var revokedOnB = Expect<ObjectFound>(await b.GetAsync(key.Uid, ReadFreshness.Local), "local read on b");

        // No waiting in between: the change was written to every replica before it was acknowledged (no member lagged).
        Assert.Equal(LifecycleState.Active, onB.Object.State);
        Assert.Equal(LifecycleState.Active, onC.Object.State);
        Assert.Equal(LifecycleState.Compromised, revokedOnA.Object.State);
        Assert.Equal(LifecycleState.Compromised, revokedOnB.Object.State);
    }

    [Fact]
    public async Task A_change_made_while_a_member_has_crashed_unnoticed_is_still_acknowledged_by_the_majority()
    {
        var a = VaultOn(Sys);
        var b = VaultOn(B);
        var key = NewKey("payments-key");
        Expect<ObjectStored>(await a.StoreAsync(key), "store on a");

        await C.Terminate();
        Assert.Equal(3, (await a.ModeAsync()).Reachable); // not yet detected: the change is tried on all three
        var activated = await a.ActivateAsync(key.Uid, DateTimeOffset.UtcNow);

        Assert.Equal(LifecycleState.Active, Expect<ObjectStored>(activated, "activate on a").Object.State);
        Assert.Equal(LifecycleState.Active, Expect<ObjectFound>(await b.GetAsync(key.Uid, ReadFreshness.Local), "local read on b").Object.State);
    }

    [Fact]
    public async Task A_node_that_sees_fewer_than_a_majority_of_the_expected_members_is_restricted()
    {
        var settings = KeyStoreSettings.Create(Sys);
        var actor = Sys.ActorOf(KeyVaultActor.Props(settings), VaultName);
        var vault = new KeyVaultClient(actor, settings);
        VaultOn(B);
        VaultOn(C);
        await AwaitAssertAsync(async () => Assert.Equal(3, (await vault.ModeAsync()).Reachable), TimeSpan.FromSeconds(10));

        actor.Tell(new ExpectedMembers(7)); // a majority of 7 is 4; this node sees 3
        var restricted = await vault.ModeAsync();
        var refused = await vault.StoreAsync(NewKey("payments-key"));
        actor.Tell(new ExpectedMembers(5)); // a majority of 5 is 3
        var normal = await vault.ModeAsync();

        Assert.True(restricted.Restricted, restricted.Reason);
        Assert.Equal(7, restricted.Members);
        Assert.True(Assert.IsType<WriteRefused>(refused).Restricted);
        Assert.False(normal.Restricted, normal.Reason);
        Assert.IsType<ObjectStored>(await vault.StoreAsync(NewKey("payments-key")));
    }

    [Fact]
    public async Task A_node_that_loses_its_quorum_refuses_writes_naming_restricted_mode_and_still_serves_reads()
    {
        var a = VaultOn(Sys);
        VaultOn(B);
        VaultOn(C);
        var key = NewKey("payments-key");
        Assert.IsType<ObjectStored>(await a.StoreAsync(key));
        Assert.False((await a.ModeAsync()).Restricted);

        await B.Terminate();
        await C.Terminate();

        await AwaitAssertAsync(async () => Assert.True((await a.ModeAsync()).Restricted), TimeSpan.FromSeconds(20), TimeSpan.FromMilliseconds(200));
        var mode = await a.ModeAsync();
        Assert.Equal(1, mode.Reachable);
        Assert.Equal(3, mode.Members);
        var refused = Assert.IsType<WriteRefused>(await a.StoreAsync(NewKey("payments-key")));
        Assert.True(refused.Restricted);
        Assert.Contains("restricted mode", refused.Reason);
        Assert.IsType<WriteRefused>(await a.ActivateAsync(key.Uid, DateTimeOffset.UtcNow));
        Assert.IsType<ObjectFound>(await a.GetAsync(key.Uid));
    }
}
