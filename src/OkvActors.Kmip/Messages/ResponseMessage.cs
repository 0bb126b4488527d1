using OkvActors.Kmip.Protocol;
using OkvActors.Kmip.Ttlv;

namespace OkvActors.Kmip.Messages;

/// <summary>Response Header (0x42007A). Batch Count is written from the items, so it cannot disagree with them.</summary>
public sealed record ResponseHeader(ProtocolVersion ProtocolVersion, DateTimeOffset TimeStamp);

/// <summary>
/// One response Batch Item (0x42000F). A success carries a payload (<see cref="Payload"/> tagged Response Payload
/// or not: it is written under 0x42007C either way); a failure carries a reason and message and no payload.
/// </summary>
public sealed record ResponseBatchItem(
    Operation? Operation,
    byte[]? UniqueBatchItemId,
    ResultStatus ResultStatus,
    ResultReason? ResultReason,
    string? ResultMessage,
    TtlvItem? Payload)
{
    /// <summary>A success for <paramref name="request"/>, echoing its operation and batch item id.</summary>
    public static ResponseBatchItem Success(RequestBatchItem request, TtlvItem? payload)
    {
        ArgumentNullException.ThrowIfNull(request);
        return new(request.Operation, request.UniqueBatchItemId, Protocol.ResultStatus.Success, null, null, payload);
    }

    /// <summary>A failure for <paramref name="request"/>; the message is for humans and must not quote secrets.</summary>
    public static ResponseBatchItem Failure(RequestBatchItem? request, ResultReason reason, string message) =>
        new(request?.Operation, request?.UniqueBatchItemId, Protocol.ResultStatus.OperationFailed, reason, message, null);
}

/// <summary>Response Message (0x42007B).</summary>
public sealed record ResponseMessage(ResponseHeader Header, IReadOnlyList<ResponseBatchItem> BatchItems)
{
    /// <summary>The response to <paramref name="request"/>, in the version the request was made in.</summary>
    public static ResponseMessage For(RequestMessage request, DateTimeOffset timeStamp, IReadOnlyList<ResponseBatchItem> items)
    {
        ArgumentNullException.ThrowIfNull(request);
        return new ResponseMessage(new ResponseHeader(request.Header.ProtocolVersion, timeStamp), items);
    }

    /// <summary>
    /// The answer to a request that could not be decoded at all: one failed batch item, no operation. Use the
    /// client's version if it could be read, else the lowest supported; <see cref="TtlvFormatException"/> and
    /// <see cref="KmipFieldException"/> messages carry no value bytes, so they can serve as <paramref name="message"/>.
    /// </summary>
    public static ResponseMessage Failure(ProtocolVersion version, DateTimeOffset timeStamp, ResultReason reason, string message) =>
        new(new ResponseHeader(version, timeStamp), [ResponseBatchItem.Failure(null, reason, message)]);
}
