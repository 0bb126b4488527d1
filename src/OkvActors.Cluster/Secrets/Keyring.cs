using Akka.DistributedData;
using OkvActors.Cluster.Serialization;

namespace OkvActors.Cluster.Secrets;

/// <summary>
/// One KEK generation as the cluster carries it, never in plaintext: <paramref name="Sealed"/> under the
/// recovery passphrase, <paramref name="WrappedUnderPrevious"/> under the generation before it (how nodes
/// holding that one learn it) and <paramref name="PreviousWrappedUnderThis"/> the other way round (how a
/// node admitted with only the newer KEK opens what is not re-wrapped yet). The wraps are dropped when
/// the older generation retires.
/// </summary>
public sealed record KeyringEntry(int Generation, string KekId, byte[]? Sealed, byte[]? WrappedUnderPrevious, byte[]? PreviousWrappedUnderThis);

/// <summary>The cluster's live KEK generations, oldest first; more than one while a rotation runs.</summary>
public sealed record KeyringState(long Version, string Writer, IReadOnlyList<KeyringEntry> Entries)
{
    public KeyringEntry Newest => Entries[^1];

    public bool Rotating => Entries.Count > 1;
}

/// <summary>
/// The replicated, durable keyring. Written rarely (a rotation starts, a generation retires) by whichever
/// node runs the step, so the merge keeps the higher version (ties broken by writer name): a join.
/// </summary>
public sealed class KeyringRecord(KeyringState state) : IReplicatedData<KeyringRecord>, IOkvMessage
{
    public static readonly KeyringKey Key = new("okv-keyring");

    public KeyringState State { get; } = state;

    public KeyringRecord Merge(KeyringRecord other)
    {
        if (other.State.Version != State.Version)
        {
            return other.State.Version > State.Version ? other : this;
        }

        return string.CompareOrdinal(other.State.Writer, State.Writer) > 0 ? other : this;
    }

    public IReplicatedData Merge(IReplicatedData other) => Merge((KeyringRecord)other);

    public override string ToString() =>
        $"KeyringRecord(v{State.Version}: generations {string.Join(", ", State.Entries.Select(e => e.Generation))})";
}

public sealed class KeyringKey(string id) : Key<KeyringRecord>(id);
