using OkvActors.Crypto.Kek;

namespace OkvActors.Cluster.Secrets;

/// <summary>How a node's <see cref="KekRing"/> follows the replicated keyring (actor-free, so it is tested alone).</summary>
public static class KeyringLearning
{
    /// <summary>
    /// Opens every generation of <paramref name="state"/> reachable from the KEKs <paramref name="ring"/> holds, through the wraps
    /// either way (a node with the older KEK learns the newer, a node admitted with only the newer learns the older), and
    /// gives a held KEK the generation the keyring names (a node learns it here, e.g. after admission). Throws
    /// <see cref="KeyUnwrapException"/> on a wrap that does not open.
    /// </summary>
    public static void Learn(KekRing ring, KeyringState state)
    {
        bool progress;
        do
        {
            progress = false;
            for (var i = 0; i < state.Entries.Count; i++)
            {
                var entry = state.Entries[i];
                var held = ring.Keys.FirstOrDefault(k => k.KeyId == entry.KekId);
                if (held is not null)
                {
                    if (held.Generation != entry.Generation)
                    {
                        var raw = held.Export();
                        try
                        {
                            ring.Replace(new KeyEncryptionKey(raw, entry.Generation));
                        }
                        finally
                        {
                            System.Security.Cryptography.CryptographicOperations.ZeroMemory(raw);
                        }

                        progress = true;
                    }

                    continue;
                }

                var before = i > 0 ? ring.Keys.FirstOrDefault(k => k.KeyId == state.Entries[i - 1].KekId) : null;
                var after = i + 1 < state.Entries.Count ? ring.Keys.FirstOrDefault(k => k.KeyId == state.Entries[i + 1].KekId) : null;
                if (before is not null && entry.WrappedUnderPrevious is { } fromBefore)
                {
                    ring.Add(before.UnwrapKey(fromBefore, entry.KekId, entry.Generation));
                    progress = true;
                }
                else if (after is not null && state.Entries[i + 1].PreviousWrappedUnderThis is { } fromAfter)
                {
                    ring.Add(after.UnwrapKey(fromAfter, entry.KekId, entry.Generation));
                    progress = true;
                }
            }
        }
        while (progress);
    }
}
