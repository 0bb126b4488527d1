using Akka.Actor;
using Akka.Event;

namespace OkvActors.KeyStore.Replication;

/// <summary>A peer asks what this node's key shards hash to (<see cref="ShardDigestsActor"/>).</summary>
public sealed record ShardDigestsQuery
{
    public static readonly ShardDigestsQuery Instance = new();
}

/// <summary>
/// This node's digest of every key shard it holds (<see cref="KeyShard.Digest"/>, by Distributed Data key id), read
/// once its durable store has loaded (the replicator answers nothing before); or <paramref name="Refused"/> with why.
/// </summary>
public sealed record ShardDigests(IReadOnlyDictionary<string, byte[]> Digests, string? Refused = null)
{
    /// <summary>The keys whose shards differ between these digests and <paramref name="other"/>, one side missing included.</summary>
    public IEnumerable<string> DifferingFrom(ShardDigests other) =>
        Digests.Keys.Union(other.Digests.Keys, StringComparer.Ordinal).Where(key =>
            !Digests.TryGetValue(key, out var mine) || !other.Digests.TryGetValue(key, out var theirs) || !mine.AsSpan().SequenceEqual(theirs));

    /// <summary>
    /// Which of <paramref name="shards"/> a member holding these digests must read from a majority to hold every write a
    /// majority acknowledged, given its peers' <paramref name="answers"/>; null when they are too few to tell (then it
    /// reads every shard). An acknowledged write is held durably by a majority; this node and <c>majority - 1</c> peers
    /// are a majority too, so the two share a node: this one (the write was in its store) or a peer, and where that
    /// peer's digest equals this node's, this node holds what the peer holds. So a shard equal to every answering peer's
    /// needs no read.
    /// </summary>
    public IReadOnlyList<string>? ShardsToRead(IReadOnlyCollection<ShardDigests> answers, int majority, IEnumerable<string> shards)
    {
        if (answers.Count < majority - 1)
        {
            return null;
        }

        var differing = answers.SelectMany(DifferingFrom).ToHashSet(StringComparer.Ordinal);
        return [.. shards.Where(differing.Contains)];
    }
}

/// <summary>
/// Answers a member's <see cref="ShardDigestsQuery"/> with this node's shard digests: a restarted member compares its
/// replica with a majority's this way and reads from a majority only the shards that differ, instead of moving the
/// whole replica (at 1M objects every node read 1,096,005 objects in each cold restart). Digests say nothing a member
/// could not read anyway; anything else that asks is refused and logged.
/// </summary>
public sealed class ShardDigestsActor : ReceiveActor
{
    public const string Name = "okv-shard-digests";

    public ShardDigestsActor(TimeSpan timeout)
    {
        var log = Context.GetLogger();
        var cluster = Akka.Cluster.Cluster.Get(Context.System);
        ReceiveAsync<ShardDigestsQuery>(async _ =>
        {
            var asker = Sender;
            if (!cluster.State.Members.Any(m => m.Address == asker.Path.Address))
            {
                log.Warning("Refused to send shard digests to {0}, which is not a member of this cluster", asker.Path.Address);
                asker.Tell(new ShardDigests(new Dictionary<string, byte[]>(), "not a member of this cluster"));
                return;
            }

            var shards = await ShardInspector.ShardsAsync(Context.System, timeout);
            asker.Tell(new ShardDigests(shards.ToDictionary(s => s.Key, s => s.Shard.Digest, StringComparer.Ordinal)));
        });
    }

    public static Props Props(TimeSpan timeout) => Akka.Actor.Props.Create(() => new ShardDigestsActor(timeout));
}
