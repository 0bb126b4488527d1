using System.Collections.Immutable;

namespace OkvActors.KeyStore.Model;

/// <summary>A change a managed object refuses: the message names the object, its state and what is allowed.</summary>
public sealed class IllegalTransitionException(string message) : Exception(message);

/// <summary>
/// KMIP's lifecycle and attribute changes on one replica. Each returns the changed object, which then
/// merges into every other replica; each refuses what KMIP forbids with <see cref="IllegalTransitionException"/>.
/// </summary>
public static class Lifecycle
{
    public static ManagedObject Activate(this ManagedObject o, DateTimeOffset at)
    {
        if (o.IsDestroyed || o.Compromised || o.Progress != Progress.PreActive)
        {
            throw Refuse(o, o.Progress == Progress.Active ? "is already Active" : "was revoked or destroyed and can never be activated again");
        }

        return o.With(progress: Progress.Active, dates: o.Dates with { Activation = at.ToUniversalTime() });
    }

    /// <summary>
    /// KMIP Revoke: a compromise reason marks the object Compromised (from any live state); any other
    /// reason deactivates a Pre-Active or Active object.
    /// </summary>
    public static ManagedObject Revoke(this ManagedObject o, RevocationReason reason, DateTimeOffset at)
    {
        if (o.IsDestroyed)
        {
            throw Refuse(o, "is destroyed");
        }

        var utc = at.ToUniversalTime();
        if (reason is RevocationReason.KeyCompromise or RevocationReason.CaCompromise)
        {
            if (o.Compromised)
            {
                throw Refuse(o, "is already Compromised");
            }

            return o.With(compromised: true, revocationReason: reason, dates: o.Dates with { Compromise = utc });
        }

        if (o.Compromised || o.Progress == Progress.Deactivated)
        {
            throw Refuse(o, "is already revoked");
        }

        return o.With(progress: Progress.Deactivated, revocationReason: reason, dates: o.Dates with { Deactivation = utc });
    }

    /// <summary>KMIP Destroy: the material goes; an Active object must be revoked first.</summary>
    public static ManagedObject Destroy(this ManagedObject o, DateTimeOffset at)
    {
        if (o.IsDestroyed)
        {
            throw Refuse(o, "is already destroyed");
        }

        if (o.Progress == Progress.Active && !o.Compromised)
        {
            throw Refuse(o, "is Active: revoke it before destroying it");
        }

        return o.With(progress: Progress.Destroyed, dates: o.Dates with { Destroy = at.ToUniversalTime() });
    }

    public static ManagedObject SetNames(this ManagedObject o, IEnumerable<string> names, Hlc stamp) =>
        Writable(o).With(names: new Register<ImmutableArray<string>>([.. names], stamp));

    public static ManagedObject SetUsageMask(this ManagedObject o, int mask, Hlc stamp) =>
        Writable(o).With(usageMask: new Register<int>(mask, stamp));

    public static ManagedObject SetWallet(this ManagedObject o, string? wallet, Hlc stamp) =>
        Writable(o).With(wallet: new Register<string?>(wallet, stamp));

    /// <summary>Sets (or, with null, deletes) a custom attribute.</summary>
    public static ManagedObject SetCustom(this ManagedObject o, string name, string? value, Hlc stamp) =>
        Writable(o).With(custom: o.Custom.SetItem(name, new Register<string?>(value, stamp)));

    /// <summary>Sets (or, with null, removes) a link to another object.</summary>
    public static ManagedObject SetLink(this ManagedObject o, LinkType type, string? target, Hlc stamp) =>
        Writable(o).With(links: o.Links.SetItem(type, new Register<string?>(target, stamp)));

    private static ManagedObject Writable(ManagedObject o) =>
        o.IsDestroyed ? throw Refuse(o, "is destroyed; its attributes can no longer change") : o;

    private static IllegalTransitionException Refuse(ManagedObject o, string why) =>
        new($"{o.Type} {o.Uid} {why} (state {o.State})");
}
