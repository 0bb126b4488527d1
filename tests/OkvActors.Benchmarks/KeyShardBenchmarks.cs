using BenchmarkDotNet.Attributes;
using OkvActors.KeyStore.Replication;

namespace OkvActors.Benchmarks;

/// <summary>
/// What every replica does per write: merge a delta of one new object into a shard of <see cref="Size"/>
/// objects (O(d·log n) by design), and what a local write and the gossip digest cost at that size.
/// ~250 objects per shard is the design point (1M objects over 4096 shards); 100k over 256 shards is ~400.
/// </summary>
[ShortJob]
[MemoryDiagnoser]
public class KeyShardBenchmarks
{
    private KeyShard _shard = KeyShard.Empty;
    private KeyShardDelta _delta = null!;
    private KeyShard _incoming = KeyShard.Empty;

    [Params(250, 1000, 4000)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _shard = KeyShard.FromObjects(Enumerable.Range(0, Size).Select(Samples.Key));
        var fresh = Samples.Key(-1);
        _delta = KeyShardDelta.Of([fresh]);
        _incoming = KeyShard.Empty.Put(fresh);
    }

    [Benchmark(Description = "MergeDelta (1 new object)")]
    public KeyShard MergeDelta() => _shard.MergeDelta(_delta);

    [Benchmark(Description = "Put (local write)")]
    public KeyShard Put() => _shard.Put(_delta.Objects.Values.First());

    [Benchmark(Description = "Merge (full state of 1 object)")]
    public KeyShard MergeFullState() => _shard.Merge(_incoming);

    /// <summary>A fresh shard each time: the digest is cached per instance, and gossip meets new instances after every change.</summary>
    [Benchmark(Description = "Digest after a change")]
    public byte[] DigestAfterChange() => _shard.MergeDelta(_delta).Digest;
}
