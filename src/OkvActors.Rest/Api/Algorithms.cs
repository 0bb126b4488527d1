using OkvActors.KeyStore.Vault;

namespace OkvActors.Rest.Api;

/// <summary>KMIP Cryptographic Algorithm values by the names the API uses.</summary>
public static class Algorithms
{
    private static readonly Dictionary<string, int> ByName = new(StringComparer.OrdinalIgnoreCase)
    {
        ["aes"] = KeyManager.Algorithms.Aes,
        ["rsa"] = KeyManager.Algorithms.Rsa,
        ["ecdsa"] = KeyManager.Algorithms.Ecdsa,
        ["hmac-sha256"] = KeyManager.Algorithms.HmacSha256,
        ["hmac-sha384"] = KeyManager.Algorithms.HmacSha384,
        ["hmac-sha512"] = KeyManager.Algorithms.HmacSha512,
    };

    public static string NameOf(int algorithm) =>
        ByName.FirstOrDefault(kv => kv.Value == algorithm).Key ?? algorithm.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static int Parse(string? name) =>
        name is not null && ByName.TryGetValue(name, out var value)
            ? value
            : throw new RestInputException($"'{name}' is not an algorithm this node knows ({string.Join(", ", ByName.Keys)})");
}
