using OkvActors.KeyStore.Replication;
using Xunit;

namespace OkvActors.KeyStore.Tests.Replication;

public sealed class ShardMapTests
{
    /// <summary>
    /// Regression values, computed once (and cross-checked against an independent FNV-1a 64 implementation).
    /// A change here moves objects between shards on a running cluster: it must never happen silently.
    /// </summary>
    [Theory]
    [InlineData("", 805)]
    [InlineData("a", 3212)]
    [InlineData("okv-0001", 565)]
    [InlineData("3f2504e0-4f89-11d3-9a0c-0305e82c3301", 1952)]
    [InlineData("00000000-0000-0000-0000-000000000000", 2545)]
    [InlineData("ключ-鍵", 2689)]
    public void ShardOf_is_stable_across_processes_and_versions(string uid, int shard)
    {
        Assert.Equal(shard, ShardMap.ShardOf(uid, 4096));
        Assert.Equal(shard % 256, ShardMap.ShardOf(uid, 256));
    }

    [Fact]
    public void ShardOf_handles_a_uid_longer_than_its_stack_buffer()
    {
        var uid = new string('x', 300);

        Assert.Equal(1365, ShardMap.ShardOf(uid, 4096));
        Assert.Equal(ShardMap.ShardOf(uid, 4096), ShardMap.ShardOf(new string('x', 300), 4096));
    }

    [Fact]
    public void ShardOf_near_the_buffer_boundary_agrees_with_a_plain_fnv1a()
    {
        foreach (var length in new[] { 254, 255, 256, 257, 258 })
        {
            var uid = new string('é', length / 2) + new string('z', length % 2);

            Assert.Equal(Fnv1a(uid, 4096), ShardMap.ShardOf(uid, 4096));
        }
    }

    [Fact]
    public void ShardOf_spreads_uids_evenly_over_256_shards()
    {
        // 100k UIDs from a fixed seed: the same UIDs on every run.
        var random = new Random(4096);
        var counts = new int[256];
        Span<byte> bytes = stackalloc byte[16];
        for (var i = 0; i < 100_000; i++)
        {
            random.NextBytes(bytes);
            counts[ShardMap.ShardOf(new Guid(bytes).ToString(), 256)]++;
        }

        // Expected 390.6 per shard, standard deviation about 20: 250..550 is seven deviations either side.
        Assert.All(counts, c => Assert.InRange(c, 250, 550));
    }

    [Fact]
    public void ShardOf_is_within_range_for_any_shard_count()
    {
        foreach (var count in new[] { 1, 2, 3, 7, 256, 1000, 4096 })
        {
            Assert.InRange(ShardMap.ShardOf("3f2504e0-4f89-11d3-9a0c-0305e82c3301", count), 0, count - 1);
        }

        Assert.Equal(0, ShardMap.ShardOf("anything", 1));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void ShardOf_refuses_a_shard_count_below_one(int count)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ShardMap.ShardOf("a", count));
    }

    [Theory]
    [InlineData(0, "okv-shard-0000")]
    [InlineData(42, "okv-shard-0042")]
    [InlineData(4095, "okv-shard-4095")]
    public void KeyId_names_the_shard_with_four_digits(int shard, string id)
    {
        Assert.Equal(id, ShardMap.KeyId(shard));
    }

    private static int Fnv1a(string uid, int shardCount)
    {
        var hash = 14695981039346656037UL;
        foreach (var b in System.Text.Encoding.UTF8.GetBytes(uid))
        {
            hash = (hash ^ b) * 1099511628211UL;
        }

        return (int)(hash % (ulong)shardCount);
    }
}
