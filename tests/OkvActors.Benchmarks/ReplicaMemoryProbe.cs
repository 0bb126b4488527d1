using System.Diagnostics;
using System.Runtime.CompilerServices;
using OkvActors.KeyStore.Model;
using OkvActors.KeyStore.Replication;
using OkvActors.KeyStore.Serialization;

namespace OkvActors.Benchmarks;

/// <summary>
/// What a replica keeps per object: <c>objects</c> objects shaped like the store's, each read from the wire as a peer
/// reads it, merged into <c>shards</c> shards whose digests are taken (as gossip does), then the managed heap that
/// stays reachable divided by the count. Not a BenchmarkDotNet job: it measures what survives, not what is allocated.
/// <c>dotnet run -c Release --project tests/OkvActors.Benchmarks -- memory [objects] [shards]</c>.
/// </summary>
public static class ReplicaMemoryProbe
{
    public static void Run(string[] args)
    {
        var count = args.Length > 1 ? int.Parse(args[1]) : 200_000;
        var shardCount = args.Length > 2 ? int.Parse(args[2]) : 1024;
        var before = Retained();
        var started = Stopwatch.GetTimestamp();
        var shards = Build(count, shardCount);
        var digests = shards.Sum(s => s.Digest.Length);
        var elapsed = Stopwatch.GetElapsedTime(started);
        var after = Retained();
        Console.WriteLine($"{count:N0} objects in {shards.Length:N0} shards: {(after - before) / (double)count:F0} bytes retained per object " +
            $"({(after - before) / 1048576.0:F1} MiB; built, read back and digested in {elapsed.TotalSeconds:F1} s; {digests / 32} digests)");
        // What a node answering a read of its whole replica (a restarted peer catching up) spends on serializing it.
        started = Stopwatch.GetTimestamp();
        var bytes = shards.Sum(s => (long)KeyStoreSerializer.Write(s.Objects).Length);
        Console.WriteLine($"serializing every shard: {Stopwatch.GetElapsedTime(started).TotalMilliseconds:F0} ms ({bytes / 1048576.0:F1} MiB)");
        GC.KeepAlive(shards);
    }

    // A method of its own, so that nothing it used (the objects as created, before the replica read them back) stays
    // reachable from the caller's frame while the heap is measured.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static KeyShard[] Build(int count, int shardCount) => Enumerable.Range(0, count)
        .Select(Samples.Key)
        .GroupBy(o => ShardMap.ShardOf(o.Uid, shardCount))
        .Select(group => KeyShard.Empty.MergeDelta(KeyShardDelta.Of(KeyStoreSerializer.Read(KeyStoreSerializer.Write(KeyShard.FromObjects(group).Objects)))))
        .ToArray();

    private static long Retained()
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        return GC.GetTotalMemory(forceFullCollection: false);
    }
}
