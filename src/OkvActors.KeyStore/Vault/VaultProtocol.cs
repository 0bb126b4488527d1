using OkvActors.KeyStore.Access;
using OkvActors.KeyStore.Model;

namespace OkvActors.KeyStore.Vault;

/// <summary>A request to this node's vault actor; each is answered by one <see cref="IVaultReply"/>.</summary>
public interface IVaultCommand;

public interface IVaultReply;

/// <summary>Store a new object (its material already wrapped under the KEK).</summary>
public sealed record StoreObject(ManagedObject Object) : IVaultCommand;

/// <summary>Apply a change (a lifecycle transition or attribute write) to an existing object, atomically on this replica.</summary>
public sealed record ChangeObject(string Uid, Func<ManagedObject, ManagedObject> Change) : IVaultCommand;

/// <summary>
/// Finds objects (KMIP Locate): every shard is read, filtered and ordered by UID. <paramref name="Visible"/>
/// narrows the result to what the asker may see, before paging. By default it scans this node's replica, which
/// may miss an object created elsewhere a gossip round ago. <paramref name="FromMajority"/> reads every shard from
/// a majority, so it sees every acknowledged object, for decisions such as "is this wallet empty" (not for hot
/// paths); when a shard cannot be read from a majority it answers <see cref="WriteRefused"/>, not a partial answer.
/// </summary>
public sealed record LocateObjects(LocateFilter Filter, Func<ManagedObject, bool>? Visible = null, bool FromMajority = false) : IVaultCommand;

/// <summary>
/// Reads the access registry (endpoints, wallets, grants). Acknowledged (the default) sees every grant
/// or revocation acknowledged anywhere, from this node's replica whenever it can (see <see cref="ReadFreshness"/>).
/// </summary>
public sealed record GetAccess(ReadFreshness Freshness = ReadFreshness.Acknowledged) : IVaultCommand;

/// <summary>Changes the access registry with the configured write consistency; the change may refuse with <see cref="AccessChangeException"/>.</summary>
public sealed record ChangeAccess(Func<AccessRegistry, AccessRegistry> Change) : IVaultCommand;

/// <summary>How fresh a read must be.</summary>
public enum ReadFreshness
{
    /// <summary>This node's replica only: fastest, may lag a write acknowledged elsewhere by a gossip round.</summary>
    Local,

    /// <summary>
    /// Merged from a majority on every read, so every acknowledged write is seen (a majority read meets
    /// every majority write); falls back to the local replica when no majority answers (restricted mode
    /// keeps serving). Each read moves whole shards between nodes: for operators and writes, not hot paths.
    /// </summary>
    Latest,

    /// <summary>
    /// Every acknowledged write is seen, as with <see cref="Latest"/>, but answered from this node's
    /// replica once that replica is confirmed (<see cref="ConfirmedReplicas"/>): changes are written to
    /// every reachable node, and a replica is read from a majority again after any change in reachability.
    /// An object missing here (created on another node a moment ago) is looked for on a majority. The
    /// default for endpoints, embedding hosts and cryptographic use.
    /// </summary>
    Acknowledged,
}

public sealed record GetObject(string Uid, ReadFreshness Freshness = ReadFreshness.Acknowledged) : IVaultCommand;

public sealed record GetMode : IVaultCommand
{
    public static readonly GetMode Instance = new();
}

/// <summary>Asks how this node's replication is paced; the answer is <see cref="ReplicationPacing"/>.</summary>
public sealed record GetReplicationPacing : IVaultCommand
{
    public static readonly GetReplicationPacing Instance = new();
}

/// <summary>
/// How this node's Distributed Data ticks (Replication/ReplicatorPacer.cs): by the vault's pacer (<paramref name="Paced"/>),
/// the rate of its delta rounds and whether gossip runs at the catch-up rate now, and how many rounds of each the
/// pacer sent. Unpaced, the replicator ticks by itself at fixed rates.
/// </summary>
public sealed record ReplicationPacing(bool Paced, DeltaRoundRate DeltaRate, bool GossipCatchingUp, long DeltaRounds, long GossipRounds) : IVaultReply
{
    public static readonly ReplicationPacing Unpaced = new(false, DeltaRoundRate.Idle, false, 0, 0);

    /// <summary>Delta rounds run faster than the idle rate (after an access change or an object write).</summary>
    public bool DeltaRoundsHurried => DeltaRate != DeltaRoundRate.Idle;
}

/// <summary>The rate of a node's delta rounds: after an access change, after an object write, or neither.</summary>
public enum DeltaRoundRate
{
    Idle,
    Writing,
    Active,
}

/// <summary>Asks how this node's object writes reach its peers; the answer is <see cref="WriteFanOutStatus"/>.</summary>
public sealed record GetWriteFanOut : IVaultCommand
{
    public static readonly GetWriteFanOut Instance = new();
}

/// <summary>
/// The peers this node's writes do not wait for now because they did not confirm one within fan-out.lag-timeout
/// (<paramref name="Lagging"/>, remoting addresses), the writes waiting for their quorum and the batches sent and not
/// yet answered.
/// </summary>
public sealed record WriteFanOutStatus(IReadOnlyList<string> Lagging, int OpenWrites, int UnansweredBatches) : IVaultReply;

/// <summary>
/// How many nodes the cluster is meant to have (the controller registry's active nodes). Until this node
/// sees a majority of them it stays in restricted mode: a node that has just started and knows only
/// itself must not count itself as a majority.
/// </summary>
public sealed record ExpectedMembers(int Count) : IVaultCommand;

/// <summary>The write is held by the configured quorum (a majority by default).</summary>
public sealed record ObjectStored(ManagedObject Object) : IVaultReply;

public sealed record ObjectFound(ManagedObject Object) : IVaultReply;

public sealed record ObjectNotFound(string Uid) : IVaultReply;

/// <summary>The objects a locate found, in UID order, after paging.</summary>
public sealed record ObjectsLocated(IReadOnlyList<ManagedObject> Objects) : IVaultReply;

public sealed record AccessFound(AccessRegistry Registry) : IVaultReply;

/// <summary>The access change is held by the write quorum.</summary>
public sealed record AccessChanged(AccessRegistry Registry) : IVaultReply;

/// <summary>The access registry refused the change (unknown endpoint, duplicate wallet...); nothing was written.</summary>
public sealed record AccessChangeRefused(string Reason) : IVaultReply;

/// <summary>The asker may see the object but lacks the grant this operation needs; nothing was done.</summary>
public sealed record AccessDenied(string Uid, string Reason) : IVaultReply;

/// <summary>The object refused the change (KMIP forbids it); nothing was written.</summary>
public sealed record TransitionRefused(string Uid, string Reason) : IVaultReply;

/// <summary>
/// The write was not acknowledged. <paramref name="Restricted"/>: this node is in restricted mode (it cannot
/// reach its write quorum) and refused before writing. Otherwise the quorum did not confirm in time: the
/// write is held locally and may still spread, but it is not acknowledged.
/// </summary>
public sealed record WriteRefused(string Reason, bool Restricted) : IVaultReply;

/// <summary>Normal or restricted (read-only) mode, with why.</summary>
public sealed record ModeStatus(bool Restricted, int Reachable, int Members, string Reason) : IVaultReply;

/// <summary>
/// Object writes one node's vault sends another's (<see cref="WriteFanOut"/>): the objects as written on the sender. The
/// receiver merges them into its replica, stores them durably, then answers <see cref="ReplicaBatchStored"/>. Accepted
/// only from a cluster member.
/// </summary>
public sealed record ReplicaBatch(long Id, IReadOnlyList<ManagedObject> Objects);

/// <summary>The answering node holds every object of batch <paramref name="Id"/> durably (<paramref name="Stored"/>), or could not store them all.</summary>
public sealed record ReplicaBatchStored(long Id, bool Stored);
