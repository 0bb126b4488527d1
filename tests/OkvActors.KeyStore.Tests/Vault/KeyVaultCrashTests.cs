using Akka.Remote;
using OkvActors.KeyStore.Model;
using OkvActors.KeyStore.Tests.Support;
using OkvActors.KeyStore.Vault;
using Xunit;
using static OkvActors.KeyStore.Tests.Support.InProcessCluster;
using AkkaCluster = Akka.Cluster.Cluster;

namespace OkvActors.KeyStore.Tests.Vault;

/// <summary>
/// A member crashes while writes flow: three real actor systems in this process, one terminated abruptly (its
/// connections close as a killed process's do). The failure detector and the lag timeout are set far beyond
/// the test's patience here, so a write is acknowledged in time only if the vault reacts to the dropped connection
/// itself, and a majority write only if a short attempt sends it to the live member without waiting for the dead one.
/// </summary>
public sealed class KeyVaultCrashTests() : ThreeVaultNodes(Settings)
{
    /// <summary>What a write may take here; each thing the vault could wait for instead is configured longer.</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(8);

    private const string Settings = """
            # The crashed member is not called unreachable during the test.
            akka.cluster.failure-detector { heartbeat-interval = 1s, acceptable-heartbeat-pause = 120s }
            akka.cluster.split-brain-resolver.stable-after = 120s
            # Waiting for the crashed member to confirm (until it counts as lagging) would take 30 s.
            okv.key-store.change-to-all-timeout = 30s
            okv.key-store.fan-out.lag-timeout = 30s
            # Distributed Data sends a majority write to the other live member after a fifth of its timeout: with one
            # attempt for the whole write-timeout, 12 s whenever it picked the crashed member first.
            okv.key-store.write-timeout = 60s
            okv.key-store.ask-timeout = 90s
            """;

    private static ManagedObject NewKey(int i) => NewKey($"key-{i}");

    [Fact]
    public async Task Writes_after_a_member_crashes_are_acknowledged_by_the_live_majority_without_waiting_for_the_crashed_one()
    {
        var a = VaultOn(Sys);
        var b = VaultOn(B);
        var first = NewKey(0);
        Assert.IsType<ObjectStored>(await a.StoreAsync(first));

        await C.Terminate();

        // Several writes in a row, on several shards: each picks the member it asks first at random.
        var written = new List<ManagedObject>();
        for (var i = 1; i <= 8; i++)
        {
            var key = NewKey(i);
            var reply = await a.StoreAsync(key).WaitAsync(Patience);
            Assert.IsType<ObjectStored>(reply);
            written.Add(key);
        }

        var activated = await a.ActivateAsync(first.Uid, DateTimeOffset.UtcNow).WaitAsync(Patience);
        Assert.Equal(LifecycleState.Active, Assert.IsType<ObjectStored>(activated).Object.State);

        // Acknowledged by the majority that is left: the other live member holds each in its own replica.
        foreach (var key in written)
        {
            Assert.IsType<ObjectFound>(await b.GetAsync(key.Uid, ReadFreshness.Local));
        }

        Assert.Equal(LifecycleState.Active, Assert.IsType<ObjectFound>(await b.GetAsync(first.Uid, ReadFreshness.Local)).Object.State);

        // A locate from a majority reads every shard from one: each shard read is made of attempts as a write is.
        var located = Assert.IsType<ObjectsLocated>(await a.LocateAcknowledgedAsync(new LocateFilter(Name: "key-3")).WaitAsync(Patience));
        Assert.Equal(written[2].Uid, Assert.Single(located.Objects).Uid);
        Assert.Equal(3, (await a.ModeAsync()).Reachable); // still not detected: the vault saw the connection drop
    }

    [Fact]
    public async Task A_member_that_disconnected_but_answers_is_written_to_with_everyone_again()
    {
        var a = VaultOn(Sys);
        var b = VaultOn(B);
        var c = VaultOn(C);
        Assert.IsType<ObjectStored>(await a.StoreAsync(NewKey(0)));

        // What remoting reports when one of the two connections to a member closes while the member lives on.
        Sys.EventStream.Publish(new DisassociatedEvent(AkkaCluster.Get(Sys).SelfAddress, AkkaCluster.Get(B).SelfAddress, inbound: false));

        // Once the member has answered, a write reaches every node before it is acknowledged again: each of a row of
        // writes is in both other replicas at once (a majority write reaches one of them first, the other later).
        await AwaitAssertAsync(async () =>
        {
            for (var i = 1; i <= 8; i++)
            {
                var key = NewKey(i);
                Assert.IsType<ObjectStored>(await a.StoreAsync(key));
                Assert.IsType<ObjectFound>(await b.GetAsync(key.Uid, ReadFreshness.Local));
                Assert.IsType<ObjectFound>(await c.GetAsync(key.Uid, ReadFreshness.Local));
            }
        }, TimeSpan.FromSeconds(15), TimeSpan.FromMilliseconds(200));
    }
}
