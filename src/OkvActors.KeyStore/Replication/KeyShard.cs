using System.Buffers;
using System.Collections.Immutable;
using System.Security.Cryptography;
using Akka.DistributedData;
using OkvActors.KeyStore.Model;

namespace OkvActors.KeyStore.Replication;

/// <summary>
/// One shard of the key space as a delta CRDT for Akka's Replicator: a UID-sorted immutable map of
/// <see cref="ManagedObject"/>s. Measured on this machine (AKKA-NOTES), the stock dictionaries collapse
/// near a thousand objects per shard; this type keeps every operation proportional to what changed:
/// <list type="bullet">
/// <item>a local change records the changed objects as the delta, and remembers (by reference) the
/// shard it was derived from, so the Replicator's merge of the new state into the old is O(1);</item>
/// <item><see cref="MergeDelta"/> costs O(d·log n) for d changed objects;</item>
/// <item>the encoding is in UID order from cached per-object bytes, so equal replicas have equal digests
/// and gossip between converged nodes stops.</item>
/// </list>
/// </summary>
public sealed class KeyShard : IDeltaReplicatedData<KeyShard, KeyShardDelta>
{
    public static readonly KeyShard Empty = new(ImmutableSortedDictionary.Create<string, ManagedObject>(StringComparer.Ordinal), null, null, ShardChanges.Start());

    private readonly KeyShard? _derivedFrom;
    private byte[]? _digest;

    private KeyShard(ImmutableSortedDictionary<string, ManagedObject> objects, KeyShardDelta? delta, KeyShard? derivedFrom, ShardChanges changes)
    {
        Objects = objects;
        Delta = delta;
        _derivedFrom = derivedFrom;
        Changes = changes;
    }

    public ImmutableSortedDictionary<string, ManagedObject> Objects { get; }

    public KeyShardDelta? Delta { get; }

    // The Replicator reads a null delta as "nothing changed locally".
    KeyShardDelta IDeltaReplicatedData<KeyShard, KeyShardDelta>.Delta => Delta!;

    IReplicatedDelta IDeltaReplicatedData.Delta => Delta!;

    public int Count => Objects.Count;

    public ManagedObject? Get(string uid) => Objects.GetValueOrDefault(uid);

    /// <summary>This version's place in the shard's recent history (what changed since an earlier version).</summary>
    public ShardChanges Changes { get; }

    /// <summary>
    /// The objects changed from <paramref name="earlier"/> to this version when this version is known to derive
    /// from it (then the cost is the changes, not the shard); null when that is not known.
    /// </summary>
    public IReadOnlyList<ManagedObject>? ChangedSince(KeyShard earlier) =>
        Changes.Since(earlier.Changes) is { } uids ? [.. uids.Select(uid => Objects.GetValueOrDefault(uid)).OfType<ManagedObject>()] : null;

    public static KeyShard FromObjects(IEnumerable<ManagedObject> objects) =>
        Empty.WithObjects(objects).ResetDelta();

    /// <summary>A local write: merges each object into this shard and records it in the delta.</summary>
    public KeyShard Put(ManagedObject changed) => WithObjects([changed]);

    public KeyShard WithObjects(IEnumerable<ManagedObject> changed) => Merged(changed, recordDelta: true);

    /// <summary>
    /// A write the vault sends every peer itself (Vault/WriteFanOut.cs): merges each object into this shard without a
    /// delta, so Distributed Data's delta rounds do not send it a second time. The Replicator's merge of the result
    /// into this shard stays O(1), and the durable store still sees which objects changed.
    /// </summary>
    public KeyShard Apply(IEnumerable<ManagedObject> changed) => Merged(changed, recordDelta: false);

    private KeyShard Merged(IEnumerable<ManagedObject> changed, bool recordDelta)
    {
        var objects = Objects.ToBuilder();
        var delta = recordDelta ? (Delta?.Objects ?? KeyShardDelta.EmptyMap).ToBuilder() : null;
        var uids = new List<string>();
        foreach (var o in changed)
        {
            var merged = objects.TryGetValue(o.Uid, out var existing) ? existing.Merge(o) : o;
            objects[o.Uid] = merged;
            if (delta is not null)
            {
                delta[o.Uid] = delta.TryGetValue(o.Uid, out var pending) ? pending.Merge(merged) : merged;
            }

            uids.Add(o.Uid);
        }

        return new KeyShard(objects.ToImmutable(), delta is null ? Delta : new KeyShardDelta(delta.ToImmutable()), Origin, Changes.Then(uids));
    }

    /// <summary>
    /// The state a chain of local changes started from: what the Replicator still holds. A shard without a
    /// pending delta is settled (held by the Replicator); one with a delta is mid-change.
    /// </summary>
    private KeyShard Origin => Delta is null ? this : _derivedFrom ?? this;

    public KeyShard Merge(KeyShard other)
    {
        // The Replicator merges a locally modified state into the one it was derived from: recognise it.
        if (ReferenceEquals(other._derivedFrom, this) || ReferenceEquals(other.Objects, Objects))
        {
            return other.Settled();
        }

        if (ReferenceEquals(_derivedFrom, other))
        {
            return Settled();
        }

        // Full-state merge (gossip between diverged replicas): iterate the smaller side. Only a merge into this
        // shard's own objects continues its history; the other way round the changes are not known.
        if (Objects.Count >= other.Objects.Count)
        {
            var (merged, changed) = MergeInto(Objects, other.Objects.Values);
            return changed.Count == 0 ? Settled() : new KeyShard(merged, null, null, Changes.Then(changed));
        }

        return new KeyShard(MergeInto(other.Objects, Objects.Values).Merged, null, null, ShardChanges.Start());
    }

    public IReplicatedData Merge(IReplicatedData other) => Merge((KeyShard)other);

    public KeyShard MergeDelta(KeyShardDelta delta)
    {
        if (delta.Objects.IsEmpty)
        {
            return this;
        }

        var (merged, changed) = MergeInto(Objects, delta.Objects.Values);
        return changed.Count == 0 ? Settled() : new KeyShard(merged, null, null, Changes.Then(changed));
    }

    public IReplicatedData MergeDelta(IReplicatedDelta delta) => MergeDelta((KeyShardDelta)delta);

    // Keeps the link to the origin: the Replicator merges the reset state into the origin next.
    public KeyShard ResetDelta() => Delta is null ? this : new KeyShard(Objects, null, _derivedFrom, Changes);

    /// <summary>The same objects with no delta and no link to an older state (which would pin every version in memory).</summary>
    private KeyShard Settled() => Delta is null && _derivedFrom is null ? this : new KeyShard(Objects, null, null, Changes);

    IReplicatedData IDeltaReplicatedData.ResetDelta() => ResetDelta();

    /// <summary>
    /// SHA-256 over the objects' own SHA-256 values (of their encodings, each cached in its object) in UID order:
    /// equal replicas, equal digests, and a digest still binds every byte of every object. Gossip asks for the digest
    /// of every shard changed since its last round; over whole encodings that was ~40 ms of a node's replicator per
    /// round at 100k objects, which every write queued behind it waited out.
    /// </summary>
    public byte[] Digest
    {
        get
        {
            if (_digest is not null)
            {
                return _digest;
            }

            var size = Objects.Count * SHA256.HashSizeInBytes;
            var hashes = ArrayPool<byte>.Shared.Rent(size);
            try
            {
                var at = 0;
                foreach (var o in Objects.Values)
                {
                    o.CopyHashTo(hashes.AsSpan(at, SHA256.HashSizeInBytes));
                    at += SHA256.HashSizeInBytes;
                }

                return _digest = SHA256.HashData(hashes.AsSpan(0, size));
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(hashes);
            }
        }
    }

    public string DigestHex => Convert.ToHexStringLower(Digest);

    /// <summary>Merges <paramref name="incoming"/> into <paramref name="target"/>; also says which UIDs it changed.</summary>
    private static (ImmutableSortedDictionary<string, ManagedObject> Merged, List<string> Changed) MergeInto(
        ImmutableSortedDictionary<string, ManagedObject> target, IEnumerable<ManagedObject> incoming)
    {
        var builder = target.ToBuilder();
        var changed = new List<string>();
        foreach (var o in incoming)
        {
            if (builder.TryGetValue(o.Uid, out var mine))
            {
                // A write reaches a node twice (from the writer, then in its delta round) and gossip brings what is
                // held already: an object held already (equal encodings) is not merged, and one the merge leaves as
                // it was is kept, so the shard, its digest and its durable row stay as they are.
                if (mine.SameAs(o))
                {
                    continue;
                }

                var merged = mine.Merge(o);
                if (!merged.SameAs(mine))
                {
                    builder[o.Uid] = merged;
                    changed.Add(o.Uid);
                }
            }
            else
            {
                builder[o.Uid] = o;
                changed.Add(o.Uid);
            }
        }

        return (builder.ToImmutable(), changed);
    }

    public override string ToString() => $"KeyShard({Objects.Count} objects)";
}

/// <summary>The objects a shard changed since its last delta was taken: itself an idempotent join.</summary>
public sealed class KeyShardDelta(ImmutableSortedDictionary<string, ManagedObject> objects)
    : IReplicatedDelta, IReplicatedDeltaSize, IReplicatedData<KeyShardDelta>
{
    internal static readonly ImmutableSortedDictionary<string, ManagedObject> EmptyMap =
        ImmutableSortedDictionary.Create<string, ManagedObject>(StringComparer.Ordinal);

    public ImmutableSortedDictionary<string, ManagedObject> Objects { get; } = objects;

    /// <summary>A delta carrying these objects (as read back from a journal or the wire).</summary>
    public static KeyShardDelta Of(IEnumerable<ManagedObject> objects) =>
        new(ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, objects.Select(o => KeyValuePair.Create(o.Uid, o))));

    public IDeltaReplicatedData Zero => KeyShard.Empty;

    public int DeltaSize => Objects.Count;

    public KeyShardDelta Merge(KeyShardDelta other)
    {
        var builder = Objects.ToBuilder();
        foreach (var o in other.Objects.Values)
        {
            builder[o.Uid] = builder.TryGetValue(o.Uid, out var mine) ? mine.Merge(o) : o;
        }

        return new KeyShardDelta(builder.ToImmutable());
    }

    public IReplicatedData Merge(IReplicatedData other) => Merge((KeyShardDelta)other);
}
