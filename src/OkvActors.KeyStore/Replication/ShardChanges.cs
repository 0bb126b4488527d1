namespace OkvActors.KeyStore.Replication;

/// <summary>
/// The recent history of one shard's versions in this process: each version of a <see cref="KeyShard"/>
/// derived from another (a local write, a merged delta, a full merge into it) links to its parent's
/// entry with the UIDs it changed. The durable store asks what changed between the version it committed
/// last and the one it is handed, which then costs the changes instead of a walk over the whole shard
/// (measured: that walk was the largest single cost of a node under write load).
/// </summary>
/// <remarks>
/// Ancestry is proven by reference: an answer is given only when the earlier version's own entry is found
/// walking back from the later one, so versions on different branches, from another process or from before
/// the history was cut never get a wrong answer, only none. The chain is cut behind the newest
/// <see cref="Kept"/>·2 entries, so history costs a bounded amount of memory per shard.
/// </remarks>
public sealed class ShardChanges
{
    /// <summary>Entries kept at least, behind the newest one, before older ones are cut off.</summary>
    internal const int Kept = 32;

    private static readonly string[] NoUids = [];

    private readonly string[] _uids;
    private readonly int _depth;
    private ShardChanges? _previous;

    private ShardChanges(ShardChanges? previous, string[] uids)
    {
        _previous = previous;
        _uids = uids;
        _depth = previous is null ? 0 : previous._depth + 1;
    }

    /// <summary>The first version of a line with no known past (an empty shard, or one read from bytes).</summary>
    public static ShardChanges Start() => new(null, NoUids);

    /// <summary>The entry of a version derived from this one by changing <paramref name="uids"/>.</summary>
    public ShardChanges Then(IReadOnlyCollection<string> uids)
    {
        var next = new ShardChanges(this, uids.Count == 0 ? NoUids : [.. uids]);
        if (next._depth % Kept == 0)
        {
            // Cut what lies more than 2·Kept behind; a reader on another thread sees the link or null, and null
            // only makes it answer "unknown".
            var keep = next;
            for (var i = 0; i < 2 * Kept && keep._previous is not null; i++)
            {
                keep = keep._previous;
            }

            Volatile.Write(ref keep._previous, null);
        }

        return next;
    }

    /// <summary>
    /// The UIDs changed from <paramref name="earlier"/> to this version, or null when <paramref name="earlier"/> is
    /// not provably an ancestor within the kept history.
    /// </summary>
    public IReadOnlySet<string>? Since(ShardChanges earlier)
    {
        var changed = new HashSet<string>(StringComparer.Ordinal);
        for (var entry = this; entry is not null; entry = Volatile.Read(ref entry._previous))
        {
            if (ReferenceEquals(entry, earlier))
            {
                return changed;
            }

            changed.UnionWith(entry._uids);
        }

        return null;
    }
}
