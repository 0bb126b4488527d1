using OkvActors.Kmip.Messages;
using OkvActors.Kmip.Payloads;
using OkvActors.Kmip.Protocol;
using OkvActors.Kmip.Tests.Support;
using OkvActors.Kmip.Ttlv;
using Xunit;

namespace OkvActors.Kmip.Tests.Messages;

/// <summary>Known messages decode to the model and the model encodes to the same bytes.</summary>
public sealed class KmipMessageCodecTests
{
    [Fact]
    public void The_discover_versions_request_decodes_to_its_header_and_empty_payload()
    {
        var request = KmipMessageCodec.DecodeRequest(Hex.Parse(KnownMessages.DiscoverVersionsRequest));

        Assert.Equal(ProtocolVersion.V1_1, request.Header.ProtocolVersion);
        Assert.Equal(1, request.Header.BatchCount);
        Assert.Null(request.Header.MaximumResponseSize);
        var item = Assert.Single(request.BatchItems);
        Assert.Equal(Operation.DiscoverVersions, item.Operation);
        Assert.Null(item.UniqueBatchItemId);
        Assert.Empty(item.Payload.Children);
    }

    [Fact]
    public void The_discover_versions_request_encodes_to_the_exact_bytes()
    {
        var request = new RequestMessage(
            new RequestHeader(ProtocolVersion.V1_1, null, 1),
            [new RequestBatchItem(Operation.DiscoverVersions, null, TtlvItem.Structure(Tag.RequestPayload))]);
        Assert.Equal(Hex.Of(Hex.Parse(KnownMessages.DiscoverVersionsRequest)), Hex.Of(KmipMessageCodec.EncodeRequest(request)));
    }

    [Fact]
    public void The_create_request_yields_object_type_and_template_attributes()
    {
        var request = KmipMessageCodec.DecodeRequest(Hex.Parse(KnownMessages.CreateAes256Request));

        Assert.Equal(ProtocolVersion.V1_0, request.Header.ProtocolVersion);
        var item = Assert.Single(request.BatchItems);
        Assert.Equal(Operation.Create, item.Operation);
        Assert.Equal(ObjectType.SymmetricKey, item.Payload.RequiredEnum<ObjectType>(Tag.ObjectType));
        var attributes = AttributeCodec.ReadFromPayload(item.Payload);
        Assert.Equal([AttributeNames.CryptographicAlgorithm, AttributeNames.CryptographicLength, AttributeNames.CryptographicUsageMask], attributes.Select(a => a.Name));
        Assert.Equal(CryptographicAlgorithm.Aes, attributes[0].Value.AsEnum<CryptographicAlgorithm>());
        Assert.Equal(Tag.CryptographicAlgorithm, attributes[0].Value.Tag);
        Assert.Equal(256, attributes[1].Value.AsInt32());
        Assert.Equal(CryptographicUsageMask.Encrypt | CryptographicUsageMask.Decrypt, (CryptographicUsageMask)attributes[2].Value.AsInt32());
    }

    [Fact]
    public void The_create_request_re_encodes_from_the_model_to_the_exact_bytes()
    {
        var bytes = Hex.Parse(KnownMessages.CreateAes256Request);
        var request = KmipMessageCodec.DecodeRequest(bytes);
        Assert.Equal(Hex.Of(bytes), Hex.Of(KmipMessageCodec.EncodeRequest(request)));
    }

    [Fact]
    public void The_create_request_built_with_the_attribute_writer_is_byte_exact()
    {
        var attributes = new[]
        {
            new KmipAttribute(AttributeNames.CryptographicAlgorithm, TtlvItem.Enumeration(Tag.CryptographicAlgorithm, CryptographicAlgorithm.Aes)),
            new KmipAttribute(AttributeNames.CryptographicLength, TtlvItem.Integer(Tag.CryptographicLength, 256)),
            new KmipAttribute(AttributeNames.CryptographicUsageMask, TtlvItem.Integer(Tag.CryptographicUsageMask, 12)),
        };
        var payload = TtlvItem.Structure(
            Tag.RequestPayload,
            TtlvItem.Enumeration(Tag.ObjectType, ObjectType.SymmetricKey),
            AttributeCodec.Write(ProtocolVersion.V1_0, AttributeGroup.Main, attributes));
        var request = new RequestMessage(new RequestHeader(ProtocolVersion.V1_0, null, 1), [new RequestBatchItem(Operation.Create, null, payload)]);
        Assert.Equal(Hex.Of(Hex.Parse(KnownMessages.CreateAes256Request)), Hex.Of(KmipMessageCodec.EncodeRequest(request)));
    }

    [Fact]
    public void The_create_response_encodes_to_the_exact_bytes()
    {
        var requestItem = new RequestBatchItem(Operation.Create, null, TtlvItem.Structure(Tag.RequestPayload));
        var response = new ResponseMessage(
            new ResponseHeader(ProtocolVersion.V1_0, KnownMessages.CreateResponseTimeStamp),
            [ResponseBatchItem.Success(requestItem, TtlvItem.Structure(
                Tag.ResponsePayload,
                TtlvItem.Enumeration(Tag.ObjectType, ObjectType.SymmetricKey),
                TtlvItem.TextString(Tag.UniqueIdentifier, KnownMessages.CreateResponseUniqueIdentifier)))]);

        Assert.Equal(Hex.Of(Hex.Parse(KnownMessages.CreateResponse)), Hex.Of(KmipMessageCodec.EncodeResponse(response)));
    }

    [Fact]
    public void The_create_response_decodes_for_a_client()
    {
        var response = KmipMessageCodec.DecodeResponse(Hex.Parse(KnownMessages.CreateResponse));
        Assert.Equal(KnownMessages.CreateResponseTimeStamp, response.Header.TimeStamp);
        var item = Assert.Single(response.BatchItems);
        Assert.Equal(ResultStatus.Success, item.ResultStatus);
        Assert.Equal(KnownMessages.CreateResponseUniqueIdentifier, item.Payload!.RequiredText(Tag.UniqueIdentifier));
    }

    [Fact]
    public void A_batch_of_several_items_keeps_order_ids_and_per_item_results()
    {
        var items = Enumerable.Range(0, 5)
            .Select(i => new RequestBatchItem(
                i % 2 == 0 ? Operation.Get : Operation.Destroy,
                [(byte)i, 0xAA],
                TtlvItem.Structure(Tag.RequestPayload, TtlvItem.TextString(Tag.UniqueIdentifier, $"key-{i}"))))
            .ToArray();
        var request = KmipMessageCodec.DecodeRequest(KmipMessageCodec.EncodeRequest(
            new RequestMessage(new RequestHeader(ProtocolVersion.V1_4, 4096, items.Length) { BatchErrorContinuationOption = 1 }, items)));

        Assert.Equal(5, request.BatchItems.Count);
        Assert.Equal(4096, request.Header.MaximumResponseSize);
        Assert.Equal(1u, request.Header.BatchErrorContinuationOption);
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(items[i].Operation, request.BatchItems[i].Operation);
            Assert.Equal(items[i].UniqueBatchItemId, request.BatchItems[i].UniqueBatchItemId);
            Assert.Equal($"key-{i}", request.BatchItems[i].Payload.RequiredText(Tag.UniqueIdentifier));
        }

        var results = request.BatchItems
            .Select((item, i) => i == 3
                ? ResponseBatchItem.Failure(item, ResultReason.ItemNotFound, "No such object.")
                : ResponseBatchItem.Success(item, TtlvItem.Structure(Tag.ResponsePayload, item.Payload.Required(Tag.UniqueIdentifier))))
            .ToArray();
        var response = KmipMessageCodec.DecodeResponse(KmipMessageCodec.EncodeResponse(
            ResponseMessage.For(request, DateTimeOffset.FromUnixTimeSeconds(1_700_000_000), results)));

        Assert.Equal(ProtocolVersion.V1_4, response.Header.ProtocolVersion);
        Assert.Equal(5, response.BatchItems.Count);
        Assert.Equal([(byte)3, 0xAA], response.BatchItems[3].UniqueBatchItemId);
        Assert.Equal(ResultStatus.OperationFailed, response.BatchItems[3].ResultStatus);
        Assert.Equal(ResultReason.ItemNotFound, response.BatchItems[3].ResultReason);
        Assert.Null(response.BatchItems[3].Payload);
        Assert.Equal("key-4", response.BatchItems[4].Payload!.RequiredText(Tag.UniqueIdentifier));
    }

    [Fact]
    public void A_batch_count_that_disagrees_with_the_items_is_an_invalid_message()
    {
        var bytes = Hex.Parse(KnownMessages.DiscoverVersionsRequest);
        bytes[67] = 2; // Batch Count value: 1 -> 2
        var error = Assert.Throws<KmipFieldException>(() => KmipMessageCodec.DecodeRequest(bytes));
        Assert.Equal(ResultReason.InvalidMessage, error.Reason);
        Assert.Equal(Tag.BatchCount, error.Field);
    }

    [Fact]
    public void A_missing_operation_is_an_invalid_field_naming_it()
    {
        var request = TtlvItem.Structure(
            Tag.RequestMessage,
            TtlvItem.Structure(Tag.RequestHeader,
                TtlvItem.Structure(Tag.ProtocolVersion, TtlvItem.Integer(Tag.ProtocolVersionMajor, 1), TtlvItem.Integer(Tag.ProtocolVersionMinor, 2)),
                TtlvItem.Integer(Tag.BatchCount, 1)),
            TtlvItem.Structure(Tag.BatchItem, TtlvItem.Structure(Tag.RequestPayload)));
        var error = Assert.Throws<KmipFieldException>(() => KmipMessageCodec.DecodeRequest(request.Encode()));
        Assert.Equal(ResultReason.InvalidField, error.Reason);
        Assert.Equal(Tag.Operation, error.Field);
        Assert.Equal("Required field 'Operation' is missing from 'Batch Item'.", error.Message);
    }

    [Fact]
    public void A_field_of_the_wrong_type_is_an_invalid_field()
    {
        var payload = TtlvItem.Structure(Tag.RequestPayload, TtlvItem.Integer(Tag.UniqueIdentifier, 7));
        var error = Assert.Throws<KmipFieldException>(() => payload.RequiredText(Tag.UniqueIdentifier));
        Assert.Equal(ResultReason.InvalidField, error.Reason);
        Assert.Contains("'Unique Identifier' must be a TextString", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Authentication_in_the_header_is_accepted_and_ignored()
    {
        var request = TtlvItem.Structure(
            Tag.RequestMessage,
            TtlvItem.Structure(Tag.RequestHeader,
                TtlvItem.Structure(Tag.ProtocolVersion, TtlvItem.Integer(Tag.ProtocolVersionMajor, 2), TtlvItem.Integer(Tag.ProtocolVersionMinor, 0)),
                TtlvItem.Structure(Tag.Authentication, TtlvItem.Structure(Tag.Credential, TtlvItem.Enumeration(Tag.CredentialType, 1u))),
                TtlvItem.Integer(Tag.BatchCount, 1)),
            TtlvItem.Structure(Tag.BatchItem, TtlvItem.Enumeration(Tag.Operation, Operation.Query)));
        var decoded = KmipMessageCodec.DecodeRequest(request.Encode());
        Assert.Equal(ProtocolVersion.V2_0, decoded.Header.ProtocolVersion);
        Assert.Equal(Operation.Query, decoded.BatchItems[0].Operation);
    }

    [Fact]
    public void An_undecodable_request_is_answered_with_a_single_invalid_message_item()
    {
        var error = Assert.Throws<TtlvFormatException>(() => KmipMessageCodec.DecodeRequest(Hex.Parse("42 00 78 01 00 00 00 08 42")));
        var response = KmipMessageCodec.DecodeResponse(KmipMessageCodec.EncodeResponse(
            ResponseMessage.Failure(ProtocolVersion.V1_0, DateTimeOffset.FromUnixTimeSeconds(1), ResultReason.InvalidMessage, error.Message)));
        var item = Assert.Single(response.BatchItems);
        Assert.Null(item.Operation);
        Assert.Equal(ResultStatus.OperationFailed, item.ResultStatus);
        Assert.Equal(ResultReason.InvalidMessage, item.ResultReason);
        Assert.Equal(error.Message, item.ResultMessage);
    }

    [Fact]
    public void Version_negotiation_picks_the_highest_mutual_version()
    {
        Assert.Equal(ProtocolVersion.V1_4, KmipVersions.Highest([new ProtocolVersion(1, 2), ProtocolVersion.V1_4, new ProtocolVersion(3, 0)]));
        Assert.Equal(ProtocolVersion.V2_0, KmipVersions.Highest([]));
        Assert.Null(KmipVersions.Highest([new ProtocolVersion(0, 98)]));
        Assert.Equal([ProtocolVersion.V2_0, ProtocolVersion.V1_1, ProtocolVersion.V1_0], KmipVersions.Discover([ProtocolVersion.V1_0, new ProtocolVersion(2, 1), ProtocolVersion.V1_1, ProtocolVersion.V2_0]));
        Assert.Equal(KmipVersions.Supported, KmipVersions.Discover(null));
        Assert.True(new ProtocolVersion(1, 10) > ProtocolVersion.V1_4);
    }
}
