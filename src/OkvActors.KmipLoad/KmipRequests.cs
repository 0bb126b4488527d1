using OkvActors.Kmip.Messages;
using OkvActors.Kmip.Payloads;
using OkvActors.Kmip.Protocol;
using OkvActors.Kmip.Ttlv;

namespace OkvActors.KmipLoad;

/// <summary>
/// The requests the load sends, in KMIP 1.2 with 1.x Template-Attributes: the form every server of the last decade
/// accepts. Encrypt names AES-CBC with PKCS#5 padding explicitly, so it does not depend on a server's default mode
/// (and names the algorithm too: PyKMIP's server refuses an Encrypt without it).
/// </summary>
public static class KmipRequests
{
    public static readonly ProtocolVersion Version = ProtocolVersion.V1_2;

    private const uint EncryptDecryptMask = 0x04 | 0x08;

    public static RequestMessage Single(Operation operation, TtlvItem payload) =>
        new(new RequestHeader(Version, null, 1), [new RequestBatchItem(operation, null, payload)]);

    /// <summary>Create an AES key of <paramref name="bits"/>, usable for encrypt/decrypt, optionally named.</summary>
    public static RequestMessage Create(int bits, string? name)
    {
        var attributes = new List<KmipAttribute>
        {
            new(AttributeNames.CryptographicAlgorithm, TtlvItem.Enumeration(Tag.CryptographicAlgorithm, CryptographicAlgorithm.Aes)),
            new(AttributeNames.CryptographicLength, TtlvItem.Integer(Tag.CryptographicLength, bits)),
            new(AttributeNames.CryptographicUsageMask, TtlvItem.Integer(Tag.CryptographicUsageMask, (int)EncryptDecryptMask)),
        };
        if (name is not null)
        {
            attributes.Add(new(AttributeNames.Name, AttributeCodec.NameValue(name)));
        }

        return Single(Operation.Create, Payload(
            TtlvItem.Enumeration(Tag.ObjectType, ObjectType.SymmetricKey),
            AttributeCodec.Write(Version, AttributeGroup.Main, attributes)));
    }

    public static RequestMessage Activate(string id) => Single(Operation.Activate, Payload(TtlvItem.TextString(Tag.UniqueIdentifier, id)));

    public static RequestMessage Get(string id) => Single(Operation.Get, Payload(TtlvItem.TextString(Tag.UniqueIdentifier, id)));

    /// <summary>Locate by Name: the lookup an application does to find its key.</summary>
    public static RequestMessage LocateByName(string name) => Single(Operation.Locate, Payload(
        AttributeCodec.ToItem(Version, new KmipAttribute(AttributeNames.Name, AttributeCodec.NameValue(name)))));

    public static RequestMessage Encrypt(string id, byte[] data) => Single(Operation.Encrypt, Payload(
        TtlvItem.TextString(Tag.UniqueIdentifier, id),
        AesCbc(),
        TtlvItem.ByteString(Tag.Data, data)));

    /// <summary>Decrypt of what <see cref="Encrypt"/> returned: the ciphertext and the server's IV, same parameters.</summary>
    public static RequestMessage Decrypt(string id, byte[] ciphertext, byte[]? iv) => Single(Operation.Decrypt, Payload(
        TtlvItem.TextString(Tag.UniqueIdentifier, id),
        AesCbc(),
        TtlvItem.ByteString(Tag.Data, ciphertext),
        iv is null ? null : TtlvItem.ByteString(Tag.IvCounterNonce, iv)));

    /// <summary>An Encrypt response's ciphertext and IV (when the server chose one).</summary>
    public static (byte[] Ciphertext, byte[]? Iv) Encrypted(ResponseMessage response)
    {
        var payload = Expect(response, Operation.Encrypt) ?? throw new KmipLoadException("Encrypt: no response payload");
        return (payload.BytesOf(Tag.Data) ?? throw new KmipLoadException("Encrypt: no Data in the response"), payload.BytesOf(Tag.IvCounterNonce));
    }

    private static TtlvItem AesCbc() => TtlvItem.Structure(Tag.CryptographicParameters,
        TtlvItem.Enumeration(Tag.BlockCipherMode, BlockCipherMode.Cbc),
        TtlvItem.Enumeration(Tag.PaddingMethod, PaddingMethod.Pkcs5),
        TtlvItem.Enumeration(Tag.CryptographicAlgorithm, CryptographicAlgorithm.Aes));

    private static TtlvItem Payload(params TtlvItem?[] items) => TtlvItem.Structure(Tag.RequestPayload, items);

    /// <summary>The single batch item's payload, or an exception naming the server's result reason and message.</summary>
    public static TtlvItem? Expect(ResponseMessage response, Operation operation)
    {
        if (response.BatchItems.Count != 1)
        {
            throw new KmipLoadException($"{operation}: {response.BatchItems.Count} batch items in the response");
        }

        var item = response.BatchItems[0];
        if (item.ResultStatus != ResultStatus.Success)
        {
            throw new KmipLoadException($"{operation}: {item.ResultStatus} {item.ResultReason}: {item.ResultMessage}");
        }

        return item.Payload;
    }

    public static string CreatedId(ResponseMessage response) =>
        Expect(response, Operation.Create)?.TextOf(Tag.UniqueIdentifier) ?? throw new KmipLoadException("Create: no Unique Identifier in the response");
}

public sealed class KmipLoadException(string message) : Exception(message);
