using OkvActors.KeyStore.Model;

namespace OkvActors.KeyStore.Access;

/// <summary>What an operation needs on the object's wallet.</summary>
public enum Permission
{
    /// <summary>Get, get attributes, locate, and cryptographic use.</summary>
    Read,

    /// <summary>Create into a wallet, lifecycle moves short of destruction, attribute and name changes.</summary>
    Modify,

    /// <summary>Destroy, and moving objects between wallets.</summary>
    Manage,
}

/// <summary>
/// The verdict on one request. <see cref="Hidden"/>: the principal may not even see the object, and is
/// told "not found" so that access control does not reveal which UIDs exist.
/// </summary>
public abstract record AccessDecision
{
    public sealed record Allowed : AccessDecision
    {
        public static readonly Allowed Instance = new();
    }

    public sealed record Denied(string Reason, bool Hidden) : AccessDecision;
}

/// <summary>Pure authorisation rules over a registry replica.</summary>
public static class AccessPolicy
{
    public static AccessLevel Required(Permission permission) => permission switch
    {
        Permission.Read => AccessLevel.ReadOnly,
        Permission.Modify => AccessLevel.ReadModify,
        _ => AccessLevel.Manage,
    };

    /// <summary>The level a principal holds on a wallet (null: none; operators hold Manage everywhere).</summary>
    public static AccessLevel? LevelOn(AccessRegistry registry, Principal principal, string? wallet) => principal switch
    {
        Principal.Operator => AccessLevel.Manage,
        Principal.Endpoint e when registry.Endpoint(e.EndpointName) is null => null,
        Principal.Endpoint e when wallet == AccessRegistry.PrivateWalletOf(e.EndpointName) => AccessLevel.Manage,
        Principal.Endpoint e when wallet is not null && registry.WalletExists(wallet) => registry.Grant(e.EndpointName, wallet),
        _ => null,
    };

    public static AccessDecision Authorize(AccessRegistry registry, Principal principal, Permission permission, string? wallet)
    {
        if (principal is Principal.Endpoint e && registry.Endpoint(e.EndpointName) is null)
        {
            return new AccessDecision.Denied($"endpoint '{e.EndpointName}' is not registered", Hidden: false);
        }

        var level = LevelOn(registry, principal, wallet);
        if (level is null)
        {
            return new AccessDecision.Denied(
                wallet is null ? $"{principal.Name} has no access to objects outside wallets" : $"{principal.Name} has no access to wallet '{wallet}'",
                Hidden: true);
        }

        var required = Required(permission);
        return level >= required
            ? AccessDecision.Allowed.Instance
            : new AccessDecision.Denied($"{principal.Name} holds {level} on wallet '{wallet}'; this operation needs {required}", Hidden: false);
    }

    public static AccessDecision Authorize(AccessRegistry registry, Principal principal, Permission permission, ManagedObject o) =>
        Authorize(registry, principal, permission, o.Wallet.Value);

    /// <summary>Where a principal's new object goes when it names no wallet: the endpoint's default, else its private wallet.</summary>
    public static string? TargetWallet(AccessRegistry registry, Principal principal, string? requested) => principal switch
    {
        _ when requested is not null => requested,
        Principal.Endpoint e => registry.Endpoint(e.EndpointName)?.DefaultWallet ?? AccessRegistry.PrivateWalletOf(e.EndpointName),
        _ => null,
    };
}

/// <summary>Thrown inside a change when the asker may not make it; the vault answers AccessDenied or, if hidden, not found.</summary>
public sealed class AccessDeniedException(AccessDecision.Denied denied) : Exception(denied.Reason)
{
    public AccessDecision.Denied Denied { get; } = denied;

    /// <summary>Throws unless the decision allows.</summary>
    public static void Demand(AccessDecision decision)
    {
        if (decision is AccessDecision.Denied denied)
        {
            throw new AccessDeniedException(denied);
        }
    }
}
