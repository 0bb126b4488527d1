using OkvActors.KeyStore.Vault;
using Xunit;

namespace OkvActors.KeyStore.Tests.Vault;

public sealed class ConfirmedReplicasTests
{
    [Fact]
    public void A_replica_is_doubted_until_a_majority_read_confirms_it()
    {
        var replicas = new ConfirmedReplicas();

        Assert.False(replicas.IsConfirmed("shard-7"));
        replicas.Confirm("shard-7", replicas.Epoch);

        Assert.True(replicas.IsConfirmed("shard-7"));
        Assert.False(replicas.IsConfirmed("shard-8"));
    }

    [Fact]
    public void A_change_in_reachability_doubts_every_replica_again()
    {
        var replicas = new ConfirmedReplicas();
        replicas.Confirm("shard-1", replicas.Epoch);
        replicas.Confirm("okv-access", replicas.Epoch);

        replicas.DoubtAll();

        Assert.False(replicas.IsConfirmed("shard-1"));
        Assert.False(replicas.IsConfirmed("okv-access"));
        Assert.Equal(0, replicas.Count);
    }

    [Fact]
    public void A_majority_read_that_started_before_a_doubt_confirms_nothing()
    {
        var replicas = new ConfirmedReplicas();
        var startedIn = replicas.Epoch;

        replicas.DoubtAll(); // a member became unreachable while the read was under way
        replicas.Confirm("shard-3", startedIn);

        Assert.False(replicas.IsConfirmed("shard-3"));
        replicas.Confirm("shard-3", replicas.Epoch);
        Assert.True(replicas.IsConfirmed("shard-3"));
    }
}
