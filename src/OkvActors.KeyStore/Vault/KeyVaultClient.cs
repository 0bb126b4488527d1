using Akka.Actor;
using OkvActors.KeyStore.Access;
using OkvActors.KeyStore.Model;

namespace OkvActors.KeyStore.Vault;

/// <summary>
/// The typed, in-process client of a node's key store, shared by the KMIP server, the REST API and
/// embedding hosts. Every call answers with what happened (<see cref="IVaultReply"/>), never a bare bool.
/// </summary>
public interface IKeyVault
{
    Task<IVaultReply> StoreAsync(ManagedObject managedObject, CancellationToken cancellationToken = default);

    Task<IVaultReply> GetAsync(string uid, ReadFreshness freshness = ReadFreshness.Acknowledged, CancellationToken cancellationToken = default);

    Task<IVaultReply> ChangeAsync(string uid, Func<ManagedObject, ManagedObject> change, CancellationToken cancellationToken = default);

    Task<ModeStatus> ModeAsync(CancellationToken cancellationToken = default);

    /// <summary>How this node's replication ticks: paced by the vault, and at which rates now.</summary>
    Task<ReplicationPacing> PacingAsync(CancellationToken cancellationToken = default);

    /// <summary>How this node's object writes reach its peers: which of them lag, what is still waiting.</summary>
    Task<WriteFanOutStatus> FanOutAsync(CancellationToken cancellationToken = default);

    /// <summary>KMIP Locate over this node's replica; <paramref name="visible"/> narrows to what the asker may see.</summary>
    Task<IReadOnlyList<ManagedObject>> LocateAsync(LocateFilter filter, Func<ManagedObject, bool>? visible = null,
        CancellationToken cancellationToken = default);

    /// <summary>
    /// Locate over a majority's replicas, so every acknowledged object is seen: ObjectsLocated, or WriteRefused
    /// when a majority did not answer for some shard (a decision must not rest on a partial answer).
    /// </summary>
    Task<IVaultReply> LocateAcknowledgedAsync(LocateFilter filter, Func<ManagedObject, bool>? visible = null,
        CancellationToken cancellationToken = default);

    Task<AccessRegistry> AccessAsync(CancellationToken cancellationToken = default);

    /// <summary>Changes endpoints, wallets or grants; answers AccessChanged, AccessChangeRefused or WriteRefused.</summary>
    Task<IVaultReply> ChangeAccessAsync(Func<AccessRegistry, AccessRegistry> change, CancellationToken cancellationToken = default);
}

public sealed class KeyVaultClient(IActorRef vault, KeyStoreSettings settings) : IKeyVault
{
    public Task<IVaultReply> StoreAsync(ManagedObject managedObject, CancellationToken cancellationToken = default) =>
        Ask(new StoreObject(managedObject), cancellationToken);

    public Task<IVaultReply> GetAsync(string uid, ReadFreshness freshness = ReadFreshness.Acknowledged, CancellationToken cancellationToken = default) =>
        Ask(new GetObject(uid, freshness), cancellationToken);

    public Task<IVaultReply> ChangeAsync(string uid, Func<ManagedObject, ManagedObject> change, CancellationToken cancellationToken = default) =>
        Ask(new ChangeObject(uid, change), cancellationToken);

    public async Task<ModeStatus> ModeAsync(CancellationToken cancellationToken = default) =>
        (ModeStatus)await Ask(GetMode.Instance, cancellationToken);

    public async Task<ReplicationPacing> PacingAsync(CancellationToken cancellationToken = default) =>
        (ReplicationPacing)await Ask(GetReplicationPacing.Instance, cancellationToken);

    public async Task<WriteFanOutStatus> FanOutAsync(CancellationToken cancellationToken = default) =>
        (WriteFanOutStatus)await Ask(GetWriteFanOut.Instance, cancellationToken);

    public async Task<IReadOnlyList<ManagedObject>> LocateAsync(LocateFilter filter, Func<ManagedObject, bool>? visible = null,
        CancellationToken cancellationToken = default) =>
        ((ObjectsLocated)await Ask(new LocateObjects(filter, visible), cancellationToken)).Objects;

    public Task<IVaultReply> LocateAcknowledgedAsync(LocateFilter filter, Func<ManagedObject, bool>? visible = null,
        CancellationToken cancellationToken = default) =>
        Ask(new LocateObjects(filter, visible, FromMajority: true), cancellationToken);

    public async Task<AccessRegistry> AccessAsync(CancellationToken cancellationToken = default) =>
        ((AccessFound)await Ask(new GetAccess(), cancellationToken)).Registry;

    public Task<IVaultReply> ChangeAccessAsync(Func<AccessRegistry, AccessRegistry> change, CancellationToken cancellationToken = default) =>
        Ask(new ChangeAccess(change), cancellationToken);

    private Task<IVaultReply> Ask(IVaultCommand command, CancellationToken cancellationToken) =>
        // The write timeout bounds the vault's answer; the ask waits a little longer so the vault's own
        // "not acknowledged" reply arrives instead of an ask timeout.
        vault.Ask<IVaultReply>(command, settings.AskTimeout + settings.WriteTimeout, cancellationToken);
}

/// <summary>KMIP operations on the store, as one call each over <see cref="IKeyVault"/>.</summary>
public static class KeyVaultOperations
{
    public static Task<IVaultReply> ActivateAsync(this IKeyVault vault, string uid, DateTimeOffset at, CancellationToken ct = default) =>
        vault.ChangeAsync(uid, o => o.Activate(at), ct);

    public static Task<IVaultReply> RevokeAsync(this IKeyVault vault, string uid, RevocationReason reason, DateTimeOffset at,
        CancellationToken ct = default) =>
        vault.ChangeAsync(uid, o => o.Revoke(reason, at), ct);

    public static Task<IVaultReply> DestroyAsync(this IKeyVault vault, string uid, DateTimeOffset at, CancellationToken ct = default) =>
        vault.ChangeAsync(uid, o => o.Destroy(at), ct);

    public static Task<IVaultReply> SetCustomAttributeAsync(this IKeyVault vault, string uid, string name, string? value, Hlc stamp,
        CancellationToken ct = default) =>
        vault.ChangeAsync(uid, o => o.SetCustom(name, value, stamp), ct);
}
