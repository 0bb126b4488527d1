using System.Collections.Immutable;
using System.Text.RegularExpressions;
using Akka.DistributedData;
using OkvActors.KeyStore.Model;

namespace OkvActors.KeyStore.Access;

/// <summary>What a grant lets an endpoint do with the objects of one wallet; each level includes the ones below.</summary>
public enum AccessLevel
{
    /// <summary>Read objects and their attributes, locate them, and use keys (encrypt, decrypt, sign, MAC).</summary>
    ReadOnly = 1,

    /// <summary>Also create objects in the wallet and change them (activate, revoke, attributes, names).</summary>
    ReadModify = 2,

    /// <summary>Also destroy objects and move them in and out of the wallet.</summary>
    Manage = 3,
}

/// <summary>An endpoint: a client identified by the SHA-256 fingerprint of its certificate's public key.</summary>
public sealed record EndpointEntry(string Name, string Fingerprint, string? DefaultWallet);

/// <summary>A wallet: a named set of objects that grants refer to.</summary>
public sealed record WalletEntry(string Name, string Description);

/// <summary>A change the registry refuses (unknown endpoint, duplicate wallet, bad name...); nothing is written.</summary>
public sealed class AccessChangeException(string message) : Exception(message);

/// <summary>
/// Endpoints, wallets and grants, replicated to every node as one small state-based CRDT: each entry is a
/// last-writer-wins register ordered by <see cref="Hlc"/>, and a removal is a null value that wins by its
/// stamp (a tombstone), so merge is a pointwise join. Validation happens where a change is made, against
/// the replica it is made on; the merge itself never refuses.
/// </summary>
public sealed partial class AccessRegistry : IReplicatedData<AccessRegistry>
{
    /// <summary>Every endpoint owns a private wallet, named "@" + its name; other wallet names may not start with "@".</summary>
    public const string PrivatePrefix = "@";

    public static readonly AccessRegistry Empty = new(
        ImmutableSortedDictionary.Create<string, Register<EndpointEntry?>>(StringComparer.Ordinal),
        ImmutableSortedDictionary.Create<string, Register<WalletEntry?>>(StringComparer.Ordinal),
        ImmutableSortedDictionary.Create<string, Register<AccessLevel?>>(StringComparer.Ordinal));

    public AccessRegistry(
        ImmutableSortedDictionary<string, Register<EndpointEntry?>> endpoints,
        ImmutableSortedDictionary<string, Register<WalletEntry?>> wallets,
        ImmutableSortedDictionary<string, Register<AccessLevel?>> grants)
    {
        Endpoints = endpoints;
        Wallets = wallets;
        Grants = grants;
    }

    /// <summary>By endpoint name; a null value is a removed endpoint.</summary>
    public ImmutableSortedDictionary<string, Register<EndpointEntry?>> Endpoints { get; }

    /// <summary>By wallet name; a null value is a deleted wallet.</summary>
    public ImmutableSortedDictionary<string, Register<WalletEntry?>> Wallets { get; }

    /// <summary>By <see cref="GrantKey"/>; a null value is a revoked grant.</summary>
    public ImmutableSortedDictionary<string, Register<AccessLevel?>> Grants { get; }

    public IEnumerable<EndpointEntry> LiveEndpoints => Endpoints.Values.Select(r => r.Value).OfType<EndpointEntry>();

    public IEnumerable<WalletEntry> LiveWallets => Wallets.Values.Select(r => r.Value).OfType<WalletEntry>();

    /// <summary>Live grants as (endpoint, wallet, level), in name order.</summary>
    public IEnumerable<(string Endpoint, string Wallet, AccessLevel Level)> LiveGrants =>
        Grants.Where(g => g.Value.Value is not null).Select(g =>
        {
            var (endpoint, wallet) = SplitGrantKey(g.Key);
            return (endpoint, wallet, g.Value.Value!.Value);
        });

    public static string PrivateWalletOf(string endpoint) => PrivatePrefix + endpoint;

    public static string GrantKey(string endpoint, string wallet) => endpoint + "\n" + wallet;

    private static (string Endpoint, string Wallet) SplitGrantKey(string key)
    {
        var at = key.IndexOf('\n');
        return (key[..at], key[(at + 1)..]);
    }

    public EndpointEntry? Endpoint(string name) => Endpoints.GetValueOrDefault(name).Value;

    public EndpointEntry? EndpointByFingerprint(string fingerprint) =>
        LiveEndpoints.FirstOrDefault(e => string.Equals(e.Fingerprint, fingerprint, StringComparison.OrdinalIgnoreCase));

    public bool WalletExists(string name) => Wallets.GetValueOrDefault(name).Value is not null;

    public AccessLevel? Grant(string endpoint, string wallet) => Grants.GetValueOrDefault(GrantKey(endpoint, wallet)).Value;

    public AccessRegistry AddEndpoint(string name, string fingerprint, string? defaultWallet, Hlc stamp)
    {
        RequireName(name, "endpoint");
        if (!FingerprintPattern().IsMatch(fingerprint))
        {
            throw new AccessChangeException($"'{fingerprint}' is not a certificate fingerprint (64 hex digits, SHA-256 of the public key)");
        }

        if (Endpoint(name) is not null)
        {
            throw new AccessChangeException($"endpoint '{name}' is already registered");
        }

        if (EndpointByFingerprint(fingerprint) is { } holder)
        {
            throw new AccessChangeException($"that certificate already identifies endpoint '{holder.Name}'");
        }

        if (defaultWallet is not null && !WalletExists(defaultWallet))
        {
            throw new AccessChangeException($"no wallet '{defaultWallet}' to be endpoint '{name}''s default wallet");
        }

        return With(endpoints: Endpoints.SetItem(name, new Register<EndpointEntry?>(
            new EndpointEntry(name, fingerprint.ToLowerInvariant(), defaultWallet), stamp)));
    }

    public AccessRegistry RemoveEndpoint(string name, Hlc stamp)
    {
        if (Endpoint(name) is null)
        {
            throw new AccessChangeException($"no endpoint '{name}'");
        }

        return With(endpoints: Endpoints.SetItem(name, new Register<EndpointEntry?>(null, stamp)));
    }

    public AccessRegistry CreateWallet(string name, string description, Hlc stamp)
    {
        RequireName(name, "wallet");
        if (WalletExists(name))
        {
            throw new AccessChangeException($"wallet '{name}' already exists");
        }

        return With(wallets: Wallets.SetItem(name, new Register<WalletEntry?>(new WalletEntry(name, description), stamp)));
    }

    /// <summary>Deletes an (empty: the caller checks) wallet and drops every grant on it.</summary>
    public AccessRegistry DeleteWallet(string name, Hlc stamp)
    {
        if (!WalletExists(name))
        {
            throw new AccessChangeException($"no wallet '{name}'");
        }

        if (LiveEndpoints.FirstOrDefault(e => e.DefaultWallet == name) is { } user)
        {
            throw new AccessChangeException($"wallet '{name}' is the default wallet of endpoint '{user.Name}'");
        }

        var grants = Grants;
        foreach (var (endpoint, wallet, _) in LiveGrants.Where(g => g.Wallet == name).ToArray())
        {
            grants = grants.SetItem(GrantKey(endpoint, wallet), new Register<AccessLevel?>(null, stamp));
        }

        return With(wallets: Wallets.SetItem(name, new Register<WalletEntry?>(null, stamp)), grants: grants);
    }

    /// <summary>Grants a level on a wallet to an endpoint, or revokes the grant (null).</summary>
    public AccessRegistry SetGrant(string endpoint, string wallet, AccessLevel? level, Hlc stamp)
    {
        if (Endpoint(endpoint) is null)
        {
            throw new AccessChangeException($"no endpoint '{endpoint}'");
        }

        if (!WalletExists(wallet))
        {
            throw new AccessChangeException($"no wallet '{wallet}'");
        }

        if (level is null && Grant(endpoint, wallet) is null)
        {
            throw new AccessChangeException($"endpoint '{endpoint}' holds no grant on wallet '{wallet}'");
        }

        return With(grants: Grants.SetItem(GrantKey(endpoint, wallet), new Register<AccessLevel?>(level, stamp)));
    }

    /// <summary>The latest stamp anywhere in the registry, so a node's clock can move past it before a change.</summary>
    public Hlc LatestStamp =>
        Endpoints.Values.Select(r => r.Stamp)
            .Concat(Wallets.Values.Select(r => r.Stamp))
            .Concat(Grants.Values.Select(r => r.Stamp))
            .DefaultIfEmpty(Hlc.Zero)
            .Max();

    public AccessRegistry Merge(AccessRegistry other) =>
        ReferenceEquals(this, other)
            ? this
            : new AccessRegistry(MergeMap(Endpoints, other.Endpoints), MergeMap(Wallets, other.Wallets), MergeMap(Grants, other.Grants));

    public IReplicatedData Merge(IReplicatedData other) => Merge((AccessRegistry)other);

    private AccessRegistry With(
        ImmutableSortedDictionary<string, Register<EndpointEntry?>>? endpoints = null,
        ImmutableSortedDictionary<string, Register<WalletEntry?>>? wallets = null,
        ImmutableSortedDictionary<string, Register<AccessLevel?>>? grants = null) =>
        new(endpoints ?? Endpoints, wallets ?? Wallets, grants ?? Grants);

    private static ImmutableSortedDictionary<string, Register<T>> MergeMap<T>(
        ImmutableSortedDictionary<string, Register<T>> a, ImmutableSortedDictionary<string, Register<T>> b)
    {
        if (b.IsEmpty || ReferenceEquals(a, b))
        {
            return a;
        }

        var builder = a.ToBuilder();
        foreach (var (key, register) in b)
        {
            builder[key] = builder.TryGetValue(key, out var mine) ? mine.Merge(register) : register;
        }

        return builder.ToImmutable();
    }

    private static void RequireName(string name, string what)
    {
        if (!NamePattern().IsMatch(name))
        {
            throw new AccessChangeException(
                $"'{name}' is not a valid {what} name (1-64 characters: letters, digits, '.', '_', '-'; starting with a letter or digit)");
        }
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
    private static partial Regex NamePattern();

    [GeneratedRegex("^[0-9A-Fa-f]{64}$")]
    private static partial Regex FingerprintPattern();
}
