using OkvActors.Kmip.Ttlv;

namespace OkvActors.Kmip.Payloads;

/// <summary>
/// One attribute, the same whichever protocol version carried it. <see cref="Name"/> is the KMIP 1.x Attribute Name
/// ("Cryptographic Algorithm", "Name", "x-…" for custom); <see cref="Value"/> is tagged with the attribute's own tag
/// when it is a standard attribute (so 1.x and 2.0 values look alike) and Attribute Value otherwise.
/// <see cref="Index"/> is the 1.x Attribute Index, when sent.
/// </summary>
public sealed record KmipAttribute(string Name, TtlvItem Value, int? Index = null);

/// <summary>Which attribute set of a request: KMIP 1.x Template-Attribute names vs KMIP 2.0 Attributes names.</summary>
public enum AttributeGroup
{
    /// <summary>Template-Attribute (0x420091) in 1.x, Attributes (0x420125) in 2.0.</summary>
    Main,

    /// <summary>Common Template-Attribute (0x42001F) / Common Attributes (0x420126), for Create Key Pair.</summary>
    Common,

    /// <summary>Private Key Template-Attribute (0x420065) / Private Key Attributes (0x420127).</summary>
    PrivateKey,

    /// <summary>Public Key Template-Attribute (0x42006E) / Public Key Attributes (0x420128).</summary>
    PublicKey,
}
