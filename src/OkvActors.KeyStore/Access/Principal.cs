namespace OkvActors.KeyStore.Access;

/// <summary>Who asks: audited by <see cref="Name"/>, authorised by kind.</summary>
public abstract record Principal(string Name)
{
    /// <summary>An administrator (local control socket, an embedding host): unrestricted, still audited.</summary>
    public sealed record Operator(string Who) : Principal($"operator:{Who}");

    /// <summary>A registered endpoint: sees only its private wallet and the wallets its grants name.</summary>
    public sealed record Endpoint(string EndpointName) : Principal($"endpoint:{EndpointName}");
}
