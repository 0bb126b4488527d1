using OkvActors.Kmip.Messages;
using OkvActors.Kmip.Payloads;
using OkvActors.Kmip.Protocol;
using OkvActors.Kmip.Ttlv;

namespace OkvActors.Kmip.Benchmarks;

/// <summary>
/// The KMIP Get exchange the codec benchmarks measure: a request of <c>batchSize</c> Get items (UID, raw key format)
/// and its response (a 256-bit AES key per item). Shared with the performance lab (linked into okv-lab), which hands
/// the very same bytes to PyKMIP's codec, so ours and the peer decode and encode identical messages.
/// </summary>
public static class GetSamples
{
    /// <summary>A fixed clock: the response's bytes are the same in every run and every process.</summary>
    public static readonly DateTimeOffset Timestamp = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);

    public static RequestMessage Request(int batchSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var items = Enumerable.Range(0, batchSize)
            .Select(i => new RequestBatchItem(
                Operation.Get,
                [(byte)i],
                TtlvItem.Structure(
                    Tag.RequestPayload,
                    TtlvItem.TextString(Tag.UniqueIdentifier, $"6f1c2d3e-4a5b-4c6d-8e9f-{i:D12}"),
                    TtlvItem.Enumeration(Tag.KeyFormatType, KeyFormatType.Raw))))
            .ToArray();
        return new RequestMessage(new RequestHeader(ProtocolVersion.V1_4, 1 << 16, items.Length), items);
    }

    public static byte[] RequestBytes(int batchSize) => KmipMessageCodec.EncodeRequest(Request(batchSize));

    /// <summary>The server's answer to <see cref="Request"/>: each item's key as a raw 32-byte key block.</summary>
    public static ResponseMessage Response(RequestMessage request)
    {
        var key = new KeyBlock(KeyFormatType.Raw, new byte[32], CryptographicAlgorithm.Aes, 256);
        return ResponseMessage.For(
            request,
            Timestamp,
            request.BatchItems.Select(item => ResponseBatchItem.Success(item, TtlvItem.Structure(
                Tag.ResponsePayload,
                TtlvItem.Enumeration(Tag.ObjectType, ObjectType.SymmetricKey),
                item.Payload.Required(Tag.UniqueIdentifier),
                key.ToObject(Tag.SymmetricKey)))).ToArray());
    }

    public static byte[] ResponseBytes(int batchSize) => KmipMessageCodec.EncodeResponse(Response(Request(batchSize)));
}
