namespace OkvActors.KeyStore.Vault;

/// <summary>
/// Which of this node's replicas (key shards, the access registry) may answer a read on their own.
/// A replica is confirmed by one majority read (the read repairs it, so it then holds every write a
/// majority acknowledged) and stays confirmed while nothing changes in whom this node can reach: changes
/// made meanwhile are written to every reachable node, this one included. Any change in membership or
/// reachability is a moment when a write may have been acknowledged without this node, so every replica
/// is doubted again; a majority read that started before the doubt confirms nothing (its epoch is old).
/// Not thread-safe: the vault actor owns it.
/// </summary>
public sealed class ConfirmedReplicas
{
    private readonly HashSet<string> _confirmed = new(StringComparer.Ordinal);

    /// <summary>Advances on every doubt; a majority read carries the epoch it started in.</summary>
    public int Epoch { get; private set; }

    public int Count => _confirmed.Count;

    public bool IsConfirmed(string keyId) => _confirmed.Contains(keyId);

    /// <summary>A majority read of <paramref name="keyId"/> that started in <paramref name="epoch"/> has completed.</summary>
    public void Confirm(string keyId, int epoch)
    {
        if (epoch == Epoch)
        {
            _confirmed.Add(keyId);
        }
    }

    public void DoubtAll()
    {
        Epoch++;
        _confirmed.Clear();
    }
}
