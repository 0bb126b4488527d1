using OkvActors.Kmip.Messages;
using OkvActors.Kmip.Payloads;
using OkvActors.Kmip.Protocol;
using OkvActors.Kmip.Ttlv;
using OkvActors.KmipLoad;

namespace OkvActors.Chaos.Workload;

/// <summary>
/// The KMIP 1.2 requests the workload sends beyond what the load generator's <see cref="KmipRequests"/> has:
/// Register, Revoke, Destroy, Re-key, Decrypt and Add Attribute, and reading material out of a Get response.
/// </summary>
public static class ChaosRequests
{
    /// <summary>The custom attribute the workload changes (a client-settable "x-" attribute).</summary>
    public const string TagAttribute = "x-chaos-tag";

    private const int EncryptDecryptMask = 0x04 | 0x08;

    public static RequestMessage Register(byte[] material, string name)
    {
        var attributes = new List<KmipAttribute>
        {
            new(AttributeNames.CryptographicAlgorithm, TtlvItem.Enumeration(Tag.CryptographicAlgorithm, CryptographicAlgorithm.Aes)),
            new(AttributeNames.CryptographicLength, TtlvItem.Integer(Tag.CryptographicLength, material.Length * 8)),
            new(AttributeNames.CryptographicUsageMask, TtlvItem.Integer(Tag.CryptographicUsageMask, EncryptDecryptMask)),
            new(AttributeNames.Name, AttributeCodec.NameValue(name)),
        };
        return KmipRequests.Single(Operation.Register, TtlvItem.Structure(Tag.RequestPayload,
            TtlvItem.Enumeration(Tag.ObjectType, ObjectType.SymmetricKey),
            AttributeCodec.Write(KmipRequests.Version, AttributeGroup.Main, attributes),
            new KeyBlock(KeyFormatType.Raw, material, CryptographicAlgorithm.Aes, material.Length * 8).ToObject(Tag.SymmetricKey)));
    }

    public static RequestMessage Revoke(string uid) => KmipRequests.Single(Operation.Revoke, TtlvItem.Structure(Tag.RequestPayload,
        TtlvItem.TextString(Tag.UniqueIdentifier, uid),
        TtlvItem.Structure(Tag.RevocationReason, TtlvItem.Enumeration(Tag.RevocationReasonCode, RevocationReasonCode.CessationOfOperation))));

    public static RequestMessage Destroy(string uid) => ByUid(Operation.Destroy, uid);

    public static RequestMessage ReKey(string uid) => ByUid(Operation.ReKey, uid);

    public static RequestMessage Decrypt(string uid, byte[] ciphertext, byte[] iv) => KmipRequests.Single(Operation.Decrypt, TtlvItem.Structure(Tag.RequestPayload,
        TtlvItem.TextString(Tag.UniqueIdentifier, uid),
        TtlvItem.Structure(Tag.CryptographicParameters,
            TtlvItem.Enumeration(Tag.BlockCipherMode, BlockCipherMode.Cbc),
            TtlvItem.Enumeration(Tag.PaddingMethod, PaddingMethod.Pkcs5),
            TtlvItem.Enumeration(Tag.CryptographicAlgorithm, CryptographicAlgorithm.Aes)),
        TtlvItem.ByteString(Tag.Data, ciphertext),
        TtlvItem.ByteString(Tag.IvCounterNonce, iv)));

    public static RequestMessage AddAttribute(string uid, string value) => KmipRequests.Single(Operation.AddAttribute, TtlvItem.Structure(Tag.RequestPayload,
        TtlvItem.TextString(Tag.UniqueIdentifier, uid),
        AttributeCodec.ToItem(KmipRequests.Version, new KmipAttribute(TagAttribute, TtlvItem.TextString(Tag.AttributeValue, value)))));

    /// <summary>The key material of a Get response's Symmetric Key (the caller's to zero).</summary>
    public static byte[] MaterialOf(TtlvItem? payload) =>
        KeyBlock.ReadFrom(payload?.Find(Tag.SymmetricKey) ?? throw new KmipLoadException("Get: no Symmetric Key in the response")).KeyMaterial;

    private static RequestMessage ByUid(Operation operation, string uid) =>
        KmipRequests.Single(operation, TtlvItem.Structure(Tag.RequestPayload, TtlvItem.TextString(Tag.UniqueIdentifier, uid)));
}
