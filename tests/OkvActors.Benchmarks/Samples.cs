using OkvActors.KeyStore.Model;

namespace OkvActors.Benchmarks;

/// <summary>Objects shaped like the store's: an AES-256 key wrapped under the KEK, a name, a UUIDv7 UID.</summary>
public static class Samples
{
    private static readonly HybridLogicalClock Clock = new("bench");

    public static ManagedObject Key(int i) =>
        ManagedObject.Create(Guid.CreateVersion7().ToString(), ObjectType.SymmetricKey, 3, 256, new byte[61], Clock.Now(),
            DateTimeOffset.UtcNow, [$"bench-key-{i}"]);
}
