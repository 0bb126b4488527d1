using System.Collections.Immutable;

namespace OkvActors.Pki.Trust;

/// <summary>
/// The fingerprints the controller has revoked, as this process knows them. Read on every TLS
/// handshake (any thread), replaced whole when the replicated registry changes.
/// </summary>
public sealed class RevocationList
{
    private ImmutableHashSet<string> _revoked = ImmutableHashSet<string>.Empty;

    public bool IsRevoked(string fingerprint) => Volatile.Read(ref _revoked).Contains(fingerprint);

    public int Count => Volatile.Read(ref _revoked).Count;

    public void Replace(IEnumerable<string> fingerprints) =>
        Volatile.Write(ref _revoked, fingerprints.ToImmutableHashSet(StringComparer.Ordinal));
}
