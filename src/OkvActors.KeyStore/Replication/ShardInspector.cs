using Akka.Actor;
using Akka.DistributedData;

namespace OkvActors.KeyStore.Replication;

/// <summary>One shard as this node holds it: how many objects and the digest that equal replicas share.</summary>
public sealed record ShardDigest(string Key, int Objects, string Digest);

/// <summary>Reads this node's replica of every key shard, for inspection and convergence checks.</summary>
public static class ShardInspector
{
    public static async Task<IReadOnlyList<ShardDigest>> DigestsAsync(ActorSystem system, TimeSpan timeout)
    {
        var replicator = DistributedData.Get(system).Replicator;
        var ids = await replicator.Ask<GetKeysIdsResult>(GetKeyIds.Instance, timeout);
        var digests = new List<ShardDigest>();
        foreach (var id in ids.Keys.Where(k => k.StartsWith(ShardMap.KeyPrefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            var response = await replicator.Ask<IGetResponse>(new Get(new Vault.KeyShardKey(id), ReadLocal.Instance), timeout);
            if (response is GetSuccess { Data: KeyShard shard })
            {
                digests.Add(new ShardDigest(id, shard.Count, shard.DigestHex));
            }
        }

        return digests;
    }
}
