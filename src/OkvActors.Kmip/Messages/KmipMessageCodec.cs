using System.Buffers;
using OkvActors.Kmip.Protocol;
using OkvActors.Kmip.Ttlv;

namespace OkvActors.Kmip.Messages;

/// <summary>
/// Request and Response Messages to and from bytes. A server calls <see cref="DecodeRequest"/> and
/// <see cref="EncodeResponse(ResponseMessage, TtlvWriter)"/>; the other two exist for clients and tests.
/// <see cref="DecodeRequest"/> throws <see cref="TtlvFormatException"/> for bytes that are not TTLV within the limits
/// and <see cref="KmipFieldException"/> for TTLV that is not a request; both mean: answer Invalid Message / Invalid Field.
/// </summary>
public static class KmipMessageCodec
{
    /// <summary>Decodes a Request Message (outer tag 0x420078 required).</summary>
    public static RequestMessage DecodeRequest(ReadOnlySpan<byte> data, TtlvLimits? limits = null)
    {
        var root = TtlvDecoder.DecodeMessage(data, Tag.RequestMessage, limits);
        var header = root.RequiredStructure(Tag.RequestHeader);
        var requestHeader = new RequestHeader(
            ReadVersion(header),
            header.Int32Of(Tag.MaximumResponseSize),
            header.RequiredInt32(Tag.BatchCount))
        {
            AsynchronousIndicator = header.BooleanOf(Tag.AsynchronousIndicator) ?? false,
            BatchErrorContinuationOption = header.Find(Tag.BatchErrorContinuationOption)?.AsEnumeration(),
        };

        var items = new List<RequestBatchItem>();
        foreach (var item in root.FindAll(Tag.BatchItem))
        {
            item.AsStructure();
            items.Add(new RequestBatchItem(
                item.RequiredEnum<Operation>(Tag.Operation),
                item.BytesOf(Tag.UniqueBatchItemId),
                item.Find(Tag.RequestPayload)?.AsStructure() ?? TtlvItem.Structure(Tag.RequestPayload)));
        }

        CheckBatch(requestHeader.BatchCount, items.Count);
        return new RequestMessage(requestHeader, items);
    }

    /// <summary>Writes <paramref name="response"/> to <paramref name="writer"/> (reuse one writer to avoid allocation).</summary>
    public static void EncodeResponse(ResponseMessage response, TtlvWriter writer)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(writer);
        writer.BeginStructure(Tag.ResponseMessage);
        writer.BeginStructure(Tag.ResponseHeader);
        WriteVersion(writer, response.Header.ProtocolVersion);
        writer.WriteDateTime(Tag.TimeStamp, response.Header.TimeStamp);
        writer.WriteInteger(Tag.BatchCount, response.BatchItems.Count);
        writer.EndStructure();
        for (var i = 0; i < response.BatchItems.Count; i++)
        {
            var item = response.BatchItems[i];
            writer.BeginStructure(Tag.BatchItem);
            if (item.Operation is { } operation)
            {
                writer.WriteEnumeration(Tag.Operation, operation);
            }

            if (item.UniqueBatchItemId is { } id)
            {
                writer.WriteByteString(Tag.UniqueBatchItemId, id);
            }

            writer.WriteEnumeration(Tag.ResultStatus, item.ResultStatus);
            if (item.ResultReason is { } reason)
            {
                writer.WriteEnumeration(Tag.ResultReason, reason);
            }

            if (item.ResultMessage is { } message)
            {
                writer.WriteTextString(Tag.ResultMessage, message);
            }

            if (item.Payload is { } payload)
            {
                WritePayload(writer, Tag.ResponsePayload, payload);
            }

            writer.EndStructure();
        }

        writer.EndStructure();
    }

    /// <summary>Appends the encoded response to <paramref name="output"/>.</summary>
    public static void EncodeResponse(ResponseMessage response, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        using var writer = new TtlvWriter();
        EncodeResponse(response, writer);
        writer.CopyTo(output);
    }

    public static byte[] EncodeResponse(ResponseMessage response)
    {
        using var writer = new TtlvWriter();
        EncodeResponse(response, writer);
        return writer.ToArray();
    }

    /// <summary>Writes a Request Message; Batch Count comes from the items.</summary>
    public static void EncodeRequest(RequestMessage request, TtlvWriter writer)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(writer);
        writer.BeginStructure(Tag.RequestMessage);
        writer.BeginStructure(Tag.RequestHeader);
        WriteVersion(writer, request.Header.ProtocolVersion);
        if (request.Header.MaximumResponseSize is { } max)
        {
            writer.WriteInteger(Tag.MaximumResponseSize, max);
        }

        if (request.Header.AsynchronousIndicator)
        {
            writer.WriteBoolean(Tag.AsynchronousIndicator, true);
        }

        if (request.Header.BatchErrorContinuationOption is { } option)
        {
            writer.WriteEnumeration(Tag.BatchErrorContinuationOption, option);
        }

        writer.WriteInteger(Tag.BatchCount, request.BatchItems.Count);
        writer.EndStructure();
        foreach (var item in request.BatchItems)
        {
            writer.BeginStructure(Tag.BatchItem);
            writer.WriteEnumeration(Tag.Operation, item.Operation);
            if (item.UniqueBatchItemId is { } id)
            {
                writer.WriteByteString(Tag.UniqueBatchItemId, id);
            }

            WritePayload(writer, Tag.RequestPayload, item.Payload);
            writer.EndStructure();
        }

        writer.EndStructure();
    }

    public static byte[] EncodeRequest(RequestMessage request)
    {
        using var writer = new TtlvWriter();
        EncodeRequest(request, writer);
        return writer.ToArray();
    }

    /// <summary>Decodes a Response Message (outer tag 0x42007B required).</summary>
    public static ResponseMessage DecodeResponse(ReadOnlySpan<byte> data, TtlvLimits? limits = null)
    {
        var root = TtlvDecoder.DecodeMessage(data, Tag.ResponseMessage, limits);
        var header = root.RequiredStructure(Tag.ResponseHeader);
        var version = ReadVersion(header);
        var timeStamp = header.Required(Tag.TimeStamp).AsDateTime();
        var batchCount = header.RequiredInt32(Tag.BatchCount);
        var items = new List<ResponseBatchItem>();
        foreach (var item in root.FindAll(Tag.BatchItem))
        {
            item.AsStructure();
            items.Add(new ResponseBatchItem(
                item.EnumOf<Operation>(Tag.Operation),
                item.BytesOf(Tag.UniqueBatchItemId),
                item.RequiredEnum<ResultStatus>(Tag.ResultStatus),
                item.EnumOf<ResultReason>(Tag.ResultReason),
                item.TextOf(Tag.ResultMessage),
                item.Find(Tag.ResponsePayload)?.AsStructure()));
        }

        CheckBatch(batchCount, items.Count);
        return new ResponseMessage(new ResponseHeader(version, timeStamp), items);
    }

    private static ProtocolVersion ReadVersion(TtlvItem header)
    {
        var version = header.RequiredStructure(Tag.ProtocolVersion);
        return new ProtocolVersion(version.RequiredInt32(Tag.ProtocolVersionMajor), version.RequiredInt32(Tag.ProtocolVersionMinor));
    }

    private static void WriteVersion(TtlvWriter writer, ProtocolVersion version)
    {
        writer.BeginStructure(Tag.ProtocolVersion);
        writer.WriteInteger(Tag.ProtocolVersionMajor, version.Major);
        writer.WriteInteger(Tag.ProtocolVersionMinor, version.Minor);
        writer.EndStructure();
    }

    /// <summary>The payload's children under the right payload tag, whatever tag the caller built it with.</summary>
    private static void WritePayload(TtlvWriter writer, Tag tag, TtlvItem payload)
    {
        if (payload.Type != TtlvType.Structure)
        {
            throw new ArgumentException("A payload must be a structure.", nameof(payload));
        }

        writer.BeginStructure(tag);
        foreach (var child in payload.ChildList)
        {
            child.WriteTo(writer);
        }

        writer.EndStructure();
    }

    private static void CheckBatch(int batchCount, int items)
    {
        if (items == 0)
        {
            throw new KmipFieldException(ResultReason.InvalidMessage, Tag.BatchItem, "The message has no Batch Item.");
        }

        if (batchCount != items)
        {
            throw new KmipFieldException(ResultReason.InvalidMessage, Tag.BatchCount, $"Batch Count is {batchCount} but the message has {items} Batch Items.");
        }
    }
}
