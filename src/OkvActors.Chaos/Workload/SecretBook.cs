using System.Security.Cryptography;

namespace OkvActors.Chaos.Workload;

/// <summary>
/// The key material the workload knows (what it registered, what Get returned), held in memory only so the end of
/// the run can look for it in the nodes' files; the history keeps only its SHA-256. Cleared (zeroed) on dispose.
/// </summary>
public sealed class SecretBook : IDisposable
{
    private readonly Dictionary<string, byte[]> _material = [];

    public static string Hash(byte[] material) => Convert.ToHexStringLower(SHA256.HashData(material));

    public void Remember(string uid, byte[] material)
    {
        lock (_material)
        {
            if (!_material.ContainsKey(uid))
            {
                _material[uid] = material.ToArray();
            }
        }
    }

    public IReadOnlyList<(string Uid, byte[] Material)> Snapshot()
    {
        lock (_material)
        {
            return _material.Select(kv => (kv.Key, kv.Value)).ToArray();
        }
    }

    public void Dispose()
    {
        lock (_material)
        {
            foreach (var material in _material.Values)
            {
                CryptographicOperations.ZeroMemory(material);
            }

            _material.Clear();
        }
    }
}
