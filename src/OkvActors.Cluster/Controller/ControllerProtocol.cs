using OkvActors.Cluster.Serialization;

namespace OkvActors.Cluster.Controller;

/// <summary>Everything the controller singleton is asked; each is answered by one <see cref="IControllerReply"/>.</summary>
public interface IControllerCommand : IOkvMessage;

public interface IControllerReply : IOkvMessage;

/// <summary>A candidate asks to be admitted before it joins. Sent over mutual TLS with its new certificate.</summary>
public sealed record RequestAdmission(
    string Name,
    string Subgroup,
    string Fingerprint,
    string SoftwareVersion,
    DateTimeOffset CandidateClock,
    string Address) : IControllerCommand;

/// <summary>Admitted: join these seeds. The KEK is wrapped to the candidate's approved key.</summary>
public sealed record Admitted(
    string ClusterName,
    IReadOnlyList<string> Seeds,
    byte[] WrappedKek,
    byte[] SealedCaKey,
    byte[] SealedKek) : IControllerReply;

public enum AdmissionRefusal
{
    NotApproved,
    VersionMismatch,
    ClockSkew,
    ClusterFull,
    DuplicateName,
    UnknownSubgroup,
    Revoked,
    WrongCluster,
    RestrictedMode,
    Disabled,
}

public sealed record AdmissionRejected(AdmissionRefusal Refusal, string Reason) : IControllerReply;

/// <summary>
/// An admitted node whose conversion failed (its first sync never completed, or it could not write its member
/// files) takes its admission back, so the registry stops counting it and the same candidate may join again.
/// Signed with the node's own key over <see cref="SignedText"/>: the controller checks it against the key the
/// operator approved, and <paramref name="SignedAt"/> against its clock, so nobody else can withdraw a node and
/// an old withdrawal can't be replayed. Answered by <see cref="CommandAccepted"/> or <see cref="CommandRejected"/>.
/// </summary>
public sealed record WithdrawAdmission(string Name, string Fingerprint, string Reason, DateTimeOffset SignedAt, byte[] Signature) : IControllerCommand
{
    public static byte[] SignedText(string name, string fingerprint, string reason, DateTimeOffset signedAt) =>
        System.Text.Encoding.UTF8.GetBytes($"okv-withdraw-admission\n{name}\n{fingerprint}\n{reason}\n{signedAt.ToUnixTimeMilliseconds()}");
}

/// <summary>The operator approves a CSR (by fingerprint) for a node name.</summary>
public sealed record ApproveCandidate(string Name, string Fingerprint, byte[] PublicKeyInfo) : IControllerCommand;

public sealed record AddSubgroup(string Name) : IControllerCommand;

public enum LifecycleAction
{
    Disable,
    Enable,
    Remove,
    ForceRemove,
}

public sealed record ChangeNodeLifecycle(string Name, LifecycleAction Action) : IControllerCommand;

/// <summary>
/// Revokes an endpoint's or operator's certificate (by public-key fingerprint) on every node: its next
/// handshake on any listener is refused. Node certificates are revoked by removing the node instead.
/// </summary>
public sealed record RevokeCertificate(string Fingerprint, string Name) : IControllerCommand;

public sealed record GetRegistry : IControllerCommand
{
    public static readonly GetRegistry Instance = new();
}

/// <summary>The command was recorded on a majority; <paramref name="What"/> says what changed.</summary>
public sealed record CommandAccepted(string What, ControllerState State) : IControllerReply;

/// <summary>The command changed nothing; <paramref name="Reason"/> says why and what to do.</summary>
public sealed record CommandRejected(string Reason) : IControllerReply;

public sealed record RegistrySnapshot(ControllerState State, string ControllerAddress) : IControllerReply;
