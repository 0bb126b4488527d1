using Akka.DistributedData;
using OkvActors.Cluster.Serialization;

namespace OkvActors.Cluster.Secrets;

/// <summary>
/// The cluster's passphrase-sealed secrets at one generation: the CA key and the KEK, each sealed under
/// the recovery passphrase by the operator's CLI (never in plaintext here). <paramref name="KekId"/> names
/// the KEK the sealed blob holds, so a node can tell the blob belongs to the KEK it runs with.
/// Generation 0 is what `okv init` wrote; every passphrase change publishes the next one.
/// </summary>
public sealed record SealedSecretsState(long Generation, string Writer, string KekId, byte[] SealedCaKey, byte[] SealedKek);

/// <summary>
/// The replicated, durable record of the newest sealed secrets. The merge keeps the higher generation
/// (ties, two changes racing from the same base, broken by writer name so every replica picks the same
/// one): a join, so a node that was down takes the newest generation whenever it sees it.
/// </summary>
public sealed class SealedSecretsRecord(SealedSecretsState state) : IReplicatedData<SealedSecretsRecord>, IOkvMessage
{
    public static readonly SealedSecretsKey Key = new("okv-sealed-secrets");

    public SealedSecretsState State { get; } = state;

    public SealedSecretsRecord Merge(SealedSecretsRecord other)
    {
        if (other.State.Generation != State.Generation)
        {
            return other.State.Generation > State.Generation ? other : this;
        }

        return string.CompareOrdinal(other.State.Writer, State.Writer) > 0 ? other : this;
    }

    public IReplicatedData Merge(IReplicatedData other) => Merge((SealedSecretsRecord)other);

    public override string ToString() => $"SealedSecretsRecord(generation {State.Generation} by {State.Writer})";
}

public sealed class SealedSecretsKey(string id) : Key<SealedSecretsRecord>(id);
