using OkvActors.Cluster.Serialization;

namespace OkvActors.Cluster.Secrets;

/// <summary>
/// Publish newly sealed secrets cluster-wide. <paramref name="BaseGeneration"/> is the generation the CLI
/// unsealed from: if the cluster moved on meanwhile, the change is refused rather than silently lost.
/// Answered by <see cref="SealedSecretsPublished"/> or <see cref="SealedSecretsRefused"/>.
/// </summary>
public sealed record PublishSealedSecrets(long BaseGeneration, string KekId, byte[] SealedCaKey, byte[] SealedKek);

public interface ISealedSecretsReply;

/// <summary>A majority holds generation <paramref name="Generation"/> and this node's files carry it.</summary>
public sealed record SealedSecretsPublished(long Generation) : ISealedSecretsReply;

/// <summary>Nothing was published (or it is not confirmed on a majority): <paramref name="Reason"/> says which.</summary>
public sealed record SealedSecretsRefused(string Reason, bool Unconfirmed = false) : ISealedSecretsReply;

/// <summary>Asks a node's secrets keeper (locally or from another node) what its files hold: <see cref="SealedSecretsInspected"/>.</summary>
public sealed record InspectSealedSecrets : IOkvMessage
{
    public static readonly InspectSealedSecrets Instance = new();
}

/// <param name="FileGeneration">The generation of this node's secrets/*.sealed files.</param>
/// <param name="RecordGeneration">The newest generation this node's replica of the record holds (-1: none yet).</param>
/// <param name="KekId">The KEK this node runs with.</param>
public sealed record SealedSecretsInspected(string Node, long FileGeneration, long RecordGeneration, string KekId) : IOkvMessage;
