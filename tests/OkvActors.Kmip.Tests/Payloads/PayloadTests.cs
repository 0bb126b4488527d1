using OkvActors.Kmip.Payloads;
using OkvActors.Kmip.Protocol;
using OkvActors.Kmip.Ttlv;
using Xunit;

namespace OkvActors.Kmip.Tests.Payloads;

/// <summary>Attributes read the same from 1.x and 2.0 forms, are written in the right form, and Key Blocks round-trip.</summary>
public sealed class PayloadTests
{
    private static readonly KmipAttribute[] Attributes =
    [
        new(AttributeNames.CryptographicAlgorithm, TtlvItem.Enumeration(Tag.CryptographicAlgorithm, CryptographicAlgorithm.Aes)),
        new(AttributeNames.CryptographicLength, TtlvItem.Integer(Tag.CryptographicLength, 256)),
        new(AttributeNames.Name, AttributeCodec.NameValue("payroll-key")),
        new(AttributeNames.State, TtlvItem.Enumeration(Tag.State, State.Active)),
        new(AttributeNames.ActivationDate, TtlvItem.DateTimeSeconds(Tag.ActivationDate, 1_700_000_000)),
        new(AttributeNames.Link, AttributeCodec.LinkValue(LinkType.PublicKeyLink, "pub-1")),
        new("x-team", TtlvItem.TextString(Tag.AttributeValue, "payments")),
    ];

    [Fact]
    public void The_1x_form_is_a_template_attribute_of_named_attributes()
    {
        var container = AttributeCodec.Write(ProtocolVersion.V1_4, AttributeGroup.Main, Attributes);
        Assert.Equal(Tag.TemplateAttribute, container.Tag);
        Assert.All(container.Children, c => Assert.Equal(Tag.Attribute, c.Tag));
        Assert.Equal("Cryptographic Algorithm", container.Children[0].RequiredText(Tag.AttributeName));
        Assert.Equal(Tag.AttributeValue, container.Children[0].Required(Tag.AttributeValue).Tag);
        Assert.Equal("payroll-key", container.Children[2].Required(Tag.AttributeValue).RequiredText(Tag.NameValue));
    }

    [Fact]
    public void The_2_0_form_is_an_attributes_structure_keyed_by_tag_with_vendor_attributes()
    {
        var container = AttributeCodec.Write(ProtocolVersion.V2_0, AttributeGroup.Main, Attributes);
        Assert.Equal(Tag.Attributes, container.Tag);
        Assert.Equal(
            [Tag.CryptographicAlgorithm, Tag.CryptographicLength, Tag.Name, Tag.State, Tag.ActivationDate, Tag.Link, Tag.Attribute],
            container.Children.Select(c => c.Tag));
        var vendor = container.Children[^1];
        Assert.Equal("x", vendor.RequiredText(Tag.VendorIdentification));
        Assert.Equal("team", vendor.RequiredText(Tag.AttributeName));
    }

    [Theory]
    [InlineData(1, 0)]
    [InlineData(1, 4)]
    [InlineData(2, 0)]
    public void Both_forms_read_back_to_the_same_uniform_list(int major, int minor)
    {
        var version = new ProtocolVersion(major, minor);
        var payload = TtlvItem.Structure(Tag.RequestPayload, AttributeCodec.Write(version, AttributeGroup.Main, Attributes));
        var decoded = TtlvDecoder.Decode(payload.Encode());
        var read = AttributeCodec.ReadFromPayload(decoded);

        Assert.Equal(Attributes.Select(a => a.Name), read.Select(a => a.Name));
        for (var i = 0; i < Attributes.Length; i++)
        {
            Assert.True(Attributes[i].Value.ContentEquals(read[i].Value), $"{Attributes[i].Name} in {version}: {read[i].Value}");
        }
    }

    [Fact]
    public void Create_key_pair_groups_use_their_own_containers()
    {
        var payload = TtlvItem.Structure(
            Tag.RequestPayload,
            AttributeCodec.Write(ProtocolVersion.V1_2, AttributeGroup.Common, [Attributes[0]]),
            AttributeCodec.Write(ProtocolVersion.V1_2, AttributeGroup.PrivateKey, [Attributes[2]]));
        Assert.Equal(AttributeNames.CryptographicAlgorithm, Assert.Single(AttributeCodec.ReadFromPayload(payload, AttributeGroup.Common)).Name);
        Assert.Equal(AttributeNames.Name, Assert.Single(AttributeCodec.ReadFromPayload(payload, AttributeGroup.PrivateKey)).Name);
        Assert.Empty(AttributeCodec.ReadFromPayload(payload, AttributeGroup.PublicKey));
        Assert.Equal(Tag.PublicKeyAttributes, AttributeCodec.ContainerTag(ProtocolVersion.V2_0, AttributeGroup.PublicKey));
    }

    [Fact]
    public void Attribute_items_directly_in_a_1x_payload_are_read_with_their_index()
    {
        var payload = TtlvItem.Structure(
            Tag.ResponsePayload,
            TtlvItem.TextString(Tag.UniqueIdentifier, "k1"),
            AttributeCodec.ToItem(ProtocolVersion.V1_1, Attributes[2] with { Index = 1 }));
        var attribute = Assert.Single(AttributeCodec.ReadFromPayload(payload));
        Assert.Equal(1, attribute.Index);
        Assert.Equal(Tag.Name, attribute.Value.Tag);
    }

    [Theory]
    [InlineData(Tag.NewAttribute)]
    [InlineData(Tag.CurrentAttribute)]
    public void A_2_0_new_or_current_attribute_holds_its_attribute_by_tag(Tag holder)
    {
        var attribute = Assert.Single(AttributeCodec.Read(TtlvItem.Structure(holder, TtlvItem.Integer(Tag.CryptographicUsageMask, 4))));

        Assert.Equal("Cryptographic Usage Mask", attribute.Name);
        Assert.Equal(4, attribute.Value.AsInt32());
    }

    [Fact]
    public void A_name_that_is_neither_standard_nor_vendor_cannot_be_written_in_2_0() =>
        Assert.Throws<ArgumentException>(() => AttributeCodec.ToItem(ProtocolVersion.V2_0, new KmipAttribute("Colour", TtlvItem.TextString(Tag.AttributeValue, "red"))));

    [Theory]
    [InlineData(KeyFormatType.Raw)]
    [InlineData(KeyFormatType.TransparentSymmetricKey)]
    [InlineData(KeyFormatType.Pkcs8)]
    [InlineData(KeyFormatType.X509)]
    public void A_key_block_round_trips(KeyFormatType format)
    {
        var block = new KeyBlock(format, [.. Enumerable.Range(1, 32).Select(i => (byte)i)], CryptographicAlgorithm.Aes, 256);
        var read = KeyBlock.ReadFrom(TtlvDecoder.Decode(block.ToObject(Tag.SymmetricKey).Encode()));
        Assert.Equal(block.FormatType, read.FormatType);
        Assert.Equal(block.KeyMaterial, read.KeyMaterial);
        Assert.Equal(CryptographicAlgorithm.Aes, read.Algorithm);
        Assert.Equal(256, read.Length);
    }

    [Fact]
    public void A_key_block_never_prints_its_material()
    {
        var block = new KeyBlock(KeyFormatType.Raw, [0xDE, 0xAD, 0xBE, 0xEF], CryptographicAlgorithm.Aes, 32);
        Assert.Contains("<4 bytes>", block.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("System.Byte", block.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_wrapped_key_block_is_refused_as_not_supported()
    {
        var wrapped = TtlvItem.Structure(
            Tag.KeyBlock,
            TtlvItem.Enumeration(Tag.KeyFormatType, KeyFormatType.Raw),
            TtlvItem.ByteString(Tag.KeyValue, [1, 2, 3]),
            TtlvItem.Structure(Tag.KeyWrappingData));
        Assert.Equal(ResultReason.FeatureNotSupported, Assert.Throws<KmipFieldException>(() => KeyBlock.Read(wrapped)).Reason);
    }

    [Fact]
    public void Tag_names_follow_the_spec_spelling()
    {
        Assert.Equal("Unique Identifier", TagNames.Describe(Tag.UniqueIdentifier));
        Assert.Equal("Unique Batch Item ID", TagNames.Describe(Tag.UniqueBatchItemId));
        Assert.Equal("X.509 Certificate Subject", TagNames.Describe(Tag.X509CertificateSubject));
        Assert.Equal("0x540001", TagNames.Describe((Tag)0x540001));
    }
}
