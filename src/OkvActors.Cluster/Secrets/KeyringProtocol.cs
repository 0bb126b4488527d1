using OkvActors.Cluster.Serialization;

namespace OkvActors.Cluster.Secrets;

/// <summary>
/// Start a KEK rotation: the new generation travels only sealed under the passphrase and wrapped under the
/// current KEK (and the current one wrapped under it). Answered by <see cref="RotationStarted"/> or <see cref="RotationRefused"/>.
/// </summary>
public sealed record StartRotation(
    string CurrentKekId,
    int CurrentGeneration,
    byte[] SealedCurrent,
    string NewKekId,
    int NewGeneration,
    byte[] SealedNew,
    byte[] NewUnderCurrent,
    byte[] CurrentUnderNew);

public interface IRotationReply;

public sealed record RotationStarted(int Generation, string KekId) : IRotationReply;

public sealed record RotationRefused(string Reason) : IRotationReply;

/// <summary>Asks a node's keyring keeper which KEK generations it holds (<see cref="KeyringInspected"/>).</summary>
public sealed record InspectKeyring : IOkvMessage
{
    public static readonly InspectKeyring Instance = new();
}

/// <param name="Held">The generations this node holds, oldest first, as "GENERATION:KEKID".</param>
/// <param name="RecordVersion">The keyring record version this node's replica holds (0: none yet).</param>
public sealed record KeyringInspected(string Node, int CurrentGeneration, string CurrentKekId, IReadOnlyList<string> Held, long RecordVersion)
    : IOkvMessage;
