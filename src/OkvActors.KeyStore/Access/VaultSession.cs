using OkvActors.Crypto.Keys;
using OkvActors.Crypto.Operations;
using OkvActors.KeyStore.Audit;
using OkvActors.KeyStore.Model;
using OkvActors.KeyStore.Vault;

namespace OkvActors.KeyStore.Access;

/// <summary>
/// The key store as one principal sees it: every operation is authorised against the access registry
/// (an endpoint reaches its private wallet and the wallets its grants name; objects it may not see are
/// "not found") and recorded in the audit trail with its outcome. The KMIP and REST servers open one
/// per authenticated connection; the local control socket and embedding hosts act as an operator.
/// Authorisation sees every acknowledged grant or revocation at once (<see cref="ReadFreshness.Acknowledged"/>);
/// in restricted mode it uses this node's replica.
/// </summary>
public sealed class VaultSession(Principal principal, KeyManager keys, IAuditTrail audit)
{
    public Principal Principal => principal;

    private IKeyVault Store => keys.Store;

    public async Task<IVaultReply> CreateSymmetricKeyAsync(SymmetricKeyAlgorithm algorithm, int lengthBits, IReadOnlyList<string> names,
        int usageMask = 0, string? wallet = null, CancellationToken ct = default) =>
        await Audited("Create", null, CreateInto(wallet, target => keys.CreateSymmetricKeyAsync(algorithm, lengthBits, names, usageMask, target, ct), ct));

    public async Task<IVaultReply> RegisterAsync(ObjectType type, int algorithm, int lengthBits, byte[] material, IReadOnlyList<string> names,
        int usageMask = 0, string? wallet = null, CancellationToken ct = default) =>
        await Audited("Register", null, CreateInto(wallet, target => keys.RegisterAsync(type, algorithm, lengthBits, material, names, usageMask, target, ct), ct));

    public async Task<IVaultReply> CreateKeyPairAsync(KeyPairAlgorithm algorithm, int sizeBits, IReadOnlyList<string> names,
        string? wallet = null, CancellationToken ct = default) =>
        await Audited("CreateKeyPair", null, CreateInto(wallet, target => keys.CreateKeyPairAsync(algorithm, sizeBits, names, target, ct), ct));

    /// <summary>KMIP Re-key: needs Modify on the old key's wallet, where the replacement is created.</summary>
    public async Task<IVaultReply> ReKeyAsync(string uid, CancellationToken ct = default)
    {
        var registry = await Store.AccessAsync(ct);
        return await Audited("ReKey", uid, keys.ReKeyAsync(uid, o => Refusal(registry, Permission.Modify, o), ct));
    }

    public Task<IVaultReply> SignAsync(string uid, SignatureAlgorithm algorithm, byte[] data, CancellationToken ct = default) =>
        Use("Sign", uid, admit => keys.SignAsync(uid, algorithm, data, admit, ct), ct);

    public Task<IVaultReply> VerifyAsync(string uid, SignatureAlgorithm algorithm, byte[] data, byte[] signature, CancellationToken ct = default) =>
        Use("SignatureVerify", uid, admit => keys.VerifyAsync(uid, algorithm, data, signature, admit, ct), ct);

    /// <summary>KMIP Get with the material: needs Read on the object's wallet; the caller zeroes the material after sending it.</summary>
    public Task<IVaultReply> ExportAsync(string uid, CancellationToken ct = default) =>
        Use("Export", uid, admit => keys.ExportAsync(uid, admit, ct), ct);

    public Task<IVaultReply> MacAsync(string uid, byte[] data, CancellationToken ct = default) =>
        Use("Mac", uid, admit => keys.MacAsync(uid, data, admit, ct), ct);

    public Task<IVaultReply> MacVerifyAsync(string uid, byte[] data, byte[] mac, CancellationToken ct = default) =>
        Use("MacVerify", uid, admit => keys.MacVerifyAsync(uid, data, mac, admit, ct), ct);

    public async Task<IVaultReply> GetAsync(string uid, ReadFreshness freshness = ReadFreshness.Acknowledged, CancellationToken ct = default)
    {
        var reply = await Store.GetAsync(uid, freshness, ct);
        if (reply is ObjectFound found)
        {
            reply = Refusal(await Store.AccessAsync(ct), Permission.Read, found.Object) ?? reply;
        }

        return await Audited("Get", uid, Task.FromResult(reply));
    }

    public Task<IVaultReply> ActivateAsync(string uid, CancellationToken ct = default) =>
        Change("Activate", uid, Permission.Modify, o => o.Activate(keys.Now), ct);

    public Task<IVaultReply> RevokeAsync(string uid, RevocationReason reason, CancellationToken ct = default) =>
        Change("Revoke", uid, Permission.Modify, o => o.Revoke(reason, keys.Now), ct, reason.ToString());

    public Task<IVaultReply> DestroyAsync(string uid, CancellationToken ct = default) =>
        Change("Destroy", uid, Permission.Manage, o => o.Destroy(keys.Now), ct);

    /// <summary>Replaces an object's names (how a name conflict is resolved).</summary>
    public Task<IVaultReply> RenameAsync(string uid, IReadOnlyList<string> names, CancellationToken ct = default) =>
        Change("Rename", uid, Permission.Modify, o =>
        {
            // Stamp after everything this object has seen, or the rename could lose to an older write.
            keys.Clock.Observe(o.Names.Stamp);
            return o.SetNames(names, keys.Clock.Now());
        }, ct);

    /// <summary>
    /// Changes attributes (KMIP Add/Modify/Delete Attribute): needs Modify. <paramref name="change"/> gets a
    /// stamp later than every stamp on the object, so the change wins over what it replaces.
    /// </summary>
    public Task<IVaultReply> ChangeAttributesAsync(string operation, string uid, Func<ManagedObject, Hlc, ManagedObject> change,
        string? detail = null, CancellationToken ct = default) =>
        Change(operation, uid, Permission.Modify, o =>
        {
            keys.Clock.Observe(o.Names.Stamp);
            keys.Clock.Observe(o.UsageMask.Stamp);
            foreach (var register in o.Custom.Values)
            {
                keys.Clock.Observe(register.Stamp);
            }

            return change(o, keys.Clock.Now());
        }, ct, detail);

    /// <summary>Moves an object to another wallet: needs Manage on both the wallet it leaves and the one it joins.</summary>
    public async Task<IVaultReply> MoveAsync(string uid, string wallet, CancellationToken ct = default)
    {
        var registry = await Store.AccessAsync(ct);
        if (!registry.WalletExists(wallet) && AccessPolicy.LevelOn(registry, principal, wallet) is null)
        {
            return await Audited("Move", uid, Task.FromResult<IVaultReply>(new AccessDenied(uid, $"no wallet '{wallet}' {principal.Name} may use")), wallet);
        }

        return await Audited("Move", uid, Store.ChangeAsync(uid, o =>
        {
            AccessDeniedException.Demand(AccessPolicy.Authorize(registry, principal, Permission.Manage, o));
            AccessDeniedException.Demand(AccessPolicy.Authorize(registry, principal, Permission.Manage, wallet));
            keys.Clock.Observe(o.Wallet.Stamp);
            return o.SetWallet(wallet, keys.Clock.Now());
        }, ct), wallet);
    }

    public Task<IVaultReply> EncryptAsync(string uid, byte[] plaintext, CipherOptions? options = null, CancellationToken ct = default) =>
        Use("Encrypt", uid, admit => keys.EncryptAsync(uid, plaintext, options, admit, ct), ct);

    public Task<IVaultReply> DecryptAsync(string uid, byte[] ciphertext, byte[] iv, CipherOptions? options = null, CancellationToken ct = default) =>
        Use("Decrypt", uid, admit => keys.DecryptAsync(uid, ciphertext, iv, options, admit, ct), ct);

    /// <summary>A cryptographic use of an object: needs Read on its wallet, checked before the material is unwrapped.</summary>
    private async Task<IVaultReply> Use(string operation, string uid, Func<Func<ManagedObject, IVaultReply?>, Task<IVaultReply>> call,
        CancellationToken ct)
    {
        var registry = await Store.AccessAsync(ct);
        return await Audited(operation, uid, call(o => Refusal(registry, Permission.Read, o)));
    }

    /// <summary>KMIP Locate among the objects this principal may see.</summary>
    public async Task<IReadOnlyList<ManagedObject>> LocateAsync(LocateFilter filter, CancellationToken ct = default)
    {
        var registry = await Store.AccessAsync(ct);
        var found = await Store.LocateAsync(filter, o => AccessPolicy.Authorize(registry, principal, Permission.Read, o) is AccessDecision.Allowed, ct);
        await Record("Locate", null, "success", $"{found.Count} object(s)", ct);
        return found;
    }

    /// <summary>Name conflicts among the objects this principal may see.</summary>
    public async Task<IReadOnlyList<NameConflict>> ConflictsAsync(CancellationToken ct = default) =>
        Catalog.Conflicts(await LocateAsync(new LocateFilter(), ct));

    public Task<AccessRegistry> AccessAsync(CancellationToken ct = default) => Store.AccessAsync(ct);

    public Task<IVaultReply> AddEndpointAsync(string name, string fingerprint, string? defaultWallet, CancellationToken ct = default) =>
        ChangeAccess("EndpointAdd", $"{name} {fingerprint}", (r, stamp) => r.AddEndpoint(name, fingerprint, defaultWallet, stamp), ct);

    public Task<IVaultReply> RemoveEndpointAsync(string name, CancellationToken ct = default) =>
        ChangeAccess("EndpointRemove", name, (r, stamp) => r.RemoveEndpoint(name, stamp), ct);

    public Task<IVaultReply> CreateWalletAsync(string name, string description, CancellationToken ct = default) =>
        ChangeAccess("WalletCreate", name, (r, stamp) => r.CreateWallet(name, description, stamp), ct);

    /// <summary>
    /// Deletes a wallet that holds no live object (destroyed objects' tombstones do not count). The objects are
    /// counted from a majority, so one acknowledged through another node a moment ago is not missed.
    /// </summary>
    public async Task<IVaultReply> DeleteWalletAsync(string name, CancellationToken ct = default)
    {
        var counted = await Store.LocateAcknowledgedAsync(new LocateFilter(Wallet: name), o => !o.IsDestroyed, ct);
        if (counted is ObjectsLocated { Objects.Count: 0 })
        {
            return await ChangeAccess("WalletDelete", name, (r, stamp) => r.DeleteWallet(name, stamp), ct);
        }

        var refused = counted is ObjectsLocated { Objects.Count: var held }
            ? new AccessChangeRefused($"wallet '{name}' still holds {held} object(s); move or destroy them first")
            : counted;
        return await Audited("WalletDelete", null, Task.FromResult(refused), name);
    }

    /// <summary>Grants <paramref name="level"/> on a wallet to an endpoint, or revokes its grant (null).</summary>
    public Task<IVaultReply> GrantAsync(string endpoint, string wallet, AccessLevel? level, CancellationToken ct = default) =>
        ChangeAccess(level is null ? "GrantRevoke" : "Grant", $"{endpoint} {wallet} {level}",
            (r, stamp) => r.SetGrant(endpoint, wallet, level, stamp), ct);

    /// <summary>How an outcome is written in the audit log.</summary>
    public static string ResultOf(IVaultReply reply) => reply switch
    {
        ObjectStored or ObjectFound or KeyPairStored or AccessChanged or ObjectsLocated or AccessFound => "success",
        SignatureChecked { Valid: false } or MacChecked { Valid: false } => "mismatch",
        CryptoReply and not OperationRefused => "success",
        ObjectNotFound => "not-found",
        AccessDenied => "denied",
        WriteRefused { Restricted: true } => "restricted",
        WriteRefused => "not-acknowledged",
        _ => "refused",
    };

    private async Task<IVaultReply> CreateInto(string? wallet, Func<string?, Task<IVaultReply>> create, CancellationToken ct)
    {
        var registry = await Store.AccessAsync(ct);
        var target = AccessPolicy.TargetWallet(registry, principal, wallet);
        if (target is not null && !registry.WalletExists(target) && target != PrivateWallet)
        {
            return new AccessDenied("", $"no wallet '{target}'");
        }

        return AccessPolicy.Authorize(registry, principal, Permission.Modify, target) is AccessDecision.Denied denied
            ? new AccessDenied("", denied.Reason)
            : await create(target);
    }

    private string? PrivateWallet => principal is Principal.Endpoint e ? AccessRegistry.PrivateWalletOf(e.EndpointName) : null;

    private async Task<IVaultReply> Change(string operation, string uid, Permission permission, Func<ManagedObject, ManagedObject> change,
        CancellationToken ct, string? detail = null)
    {
        var registry = await Store.AccessAsync(ct);
        return await Audited(operation, uid, Store.ChangeAsync(uid, o =>
        {
            AccessDeniedException.Demand(AccessPolicy.Authorize(registry, principal, permission, o));
            return change(o);
        }, ct), detail);
    }

    private async Task<IVaultReply> ChangeAccess(string operation, string detail, Func<AccessRegistry, Hlc, AccessRegistry> change,
        CancellationToken ct)
    {
        if (principal is not Principal.Operator)
        {
            return await Audited(operation, null, Task.FromResult<IVaultReply>(
                new AccessDenied("", $"{principal.Name} may not change endpoints, wallets or grants; operators do")), detail);
        }

        return await Audited(operation, null, Store.ChangeAccessAsync(r =>
        {
            keys.Clock.Observe(r.LatestStamp);
            return change(r, keys.Clock.Now());
        }, ct), detail);
    }

    /// <summary>The reply that refuses this principal the object, or null when allowed.</summary>
    private IVaultReply? Refusal(AccessRegistry registry, Permission permission, ManagedObject o) =>
        AccessPolicy.Authorize(registry, principal, permission, o) switch
        {
            AccessDecision.Denied { Hidden: true } => new ObjectNotFound(o.Uid),
            AccessDecision.Denied denied => new AccessDenied(o.Uid, denied.Reason),
            _ => null,
        };

    private async Task<IVaultReply> Audited(string operation, string? uid, Task<IVaultReply> call, string? detail = null)
    {
        var reply = await call;
        var objectUid = uid ?? (reply as ObjectStored)?.Object.Uid ?? (reply as KeyPairStored)?.Private.Uid;
        var why = reply switch
        {
            AccessDenied d => d.Reason,
            AccessChangeRefused r => r.Reason,
            TransitionRefused t => t.Reason,
            OperationRefused o => o.Reason,
            WriteRefused w => w.Reason,
            _ => null,
        };
        await Record(operation, objectUid, ResultOf(reply), why is null ? detail : detail is null ? why : $"{detail}: {why}", CancellationToken.None);
        return reply;
    }

    private Task Record(string operation, string? uid, string result, string? detail, CancellationToken ct) =>
        audit.RecordAsync(new AuditEvent(principal.Name, operation, uid, result, detail), ct);
}
