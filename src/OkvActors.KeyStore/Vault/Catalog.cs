using OkvActors.KeyStore.Model;

namespace OkvActors.KeyStore.Vault;

/// <summary>What to look for (KMIP Locate): every given criterion must match; paging by offset and maximum.</summary>
public sealed record LocateFilter(
    string? Name = null,
    ObjectType? Type = null,
    LifecycleState? State = null,
    int? Algorithm = null,
    string? Wallet = null,
    int Offset = 0,
    int MaxItems = int.MaxValue);

/// <summary>Two or more live objects that were given the same name (each survives; operators rename one).</summary>
public sealed record NameConflict(string Name, IReadOnlyList<string> Uids);

/// <summary>
/// Queries over a set of objects (this node's replicas). Results are in a total order (UID), so every
/// replica with the same data answers the same, and conflicts are marked identically everywhere.
/// </summary>
public static class Catalog
{
    public static IReadOnlyList<ManagedObject> Locate(IEnumerable<ManagedObject> objects, LocateFilter filter) =>
        objects
            .Where(o => filter.Name is null || o.Names.Value.Contains(filter.Name))
            .Where(o => filter.Type is null || o.Type == filter.Type)
            .Where(o => filter.State is null || o.State == filter.State)
            .Where(o => filter.Algorithm is null || o.Algorithm == filter.Algorithm)
            .Where(o => filter.Wallet is null || o.Wallet.Value == filter.Wallet)
            .OrderBy(o => o.Uid, StringComparer.Ordinal)
            .Skip(Math.Max(filter.Offset, 0))
            .Take(Math.Max(filter.MaxItems, 0))
            .ToArray();

    /// <summary>
    /// Names carried by more than one object that is not destroyed: two nodes may accept the same name
    /// concurrently; both objects stay, and this lists them until one is renamed.
    /// </summary>
    public static IReadOnlyList<NameConflict> Conflicts(IEnumerable<ManagedObject> objects) =>
        objects
            .Where(o => !o.IsDestroyed)
            .SelectMany(o => o.Names.Value.Distinct().Select(name => (Name: name, o.Uid)))
            .GroupBy(p => p.Name, StringComparer.Ordinal)
            .Where(g => g.Count() > 1)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new NameConflict(g.Key, g.Select(p => p.Uid).Order(StringComparer.Ordinal).ToArray()))
            .ToArray();
}
