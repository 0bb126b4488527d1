namespace OkvActors.Crypto.Hsm;

/// <summary>
/// Where the HSM key that seals the cluster KEK lives: a PKCS#11 module, a token found by its label
/// (not its slot number, which SoftHSM2 and many HSMs reassign) and a secret key found by its label.
/// The user PIN is deliberately not part of it: these options are written to node.json and printed,
/// the PIN never is (see <see cref="HsmKekSeal.Open"/>).
/// </summary>
public sealed record HsmOptions(string Module, string Token, string KeyLabel = HsmOptions.DefaultKeyLabel)
{
    /// <summary><b>Default:</b> the key label a node uses when the operator names none.</summary>
    public const string DefaultKeyLabel = "okv-cluster-kek";

    /// <summary>Refuses empty values up front, so a mistake reads as a flag problem rather than a PKCS#11 one.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Module))
        {
            throw new HsmException(HsmFailure.ModuleNotFound, "no PKCS#11 module path given");
        }

        if (string.IsNullOrWhiteSpace(Token))
        {
            throw new HsmException(HsmFailure.TokenNotFound, "no HSM token label given");
        }

        if (string.IsNullOrWhiteSpace(KeyLabel))
        {
            throw new HsmException(HsmFailure.KeyNotFound, "no HSM key label given");
        }
    }
}
