using Akka.Actor;
using Akka.DistributedData;
using OkvActors.KeyStore.Model;

namespace OkvActors.KeyStore.Replication;

/// <summary>One shard as this node holds it: how many objects and the digest that equal replicas share.</summary>
public sealed record ShardDigest(string Key, int Objects, string Digest);

/// <summary>Reads this node's replica of every key shard, for inspection, convergence checks and scans.</summary>
public static class ShardInspector
{
    public static async Task<IReadOnlyList<(string Key, KeyShard Shard)>> ShardsAsync(ActorSystem system, TimeSpan timeout)
    {
        var replicator = DistributedData.Get(system).Replicator;
        var ids = await replicator.Ask<GetKeysIdsResult>(GetKeyIds.Instance, timeout);
        var shards = new List<(string, KeyShard)>();
        foreach (var id in ids.Keys.Where(k => k.StartsWith(ShardMap.KeyPrefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            var response = await replicator.Ask<IGetResponse>(new Get(new Vault.KeyShardKey(id), ReadLocal.Instance), timeout);
            if (response is GetSuccess { Data: KeyShard shard })
            {
                shards.Add((id, shard));
            }
        }

        return shards;
    }

    public static async Task<IReadOnlyList<ShardDigest>> DigestsAsync(ActorSystem system, TimeSpan timeout) =>
        (await ShardsAsync(system, timeout)).Select(s => new ShardDigest(s.Key, s.Shard.Count, s.Shard.DigestHex)).ToArray();

    /// <summary>Every object this node holds, in UID order within each shard.</summary>
    public static async Task<IReadOnlyList<ManagedObject>> ObjectsAsync(ActorSystem system, TimeSpan timeout) =>
        (await ShardsAsync(system, timeout)).SelectMany(s => s.Shard.Objects.Values).ToArray();
}
