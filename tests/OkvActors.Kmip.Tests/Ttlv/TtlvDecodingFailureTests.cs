using OkvActors.Kmip.Messages;
using OkvActors.Kmip.Protocol;
using OkvActors.Kmip.Tests.Support;
using OkvActors.Kmip.Ttlv;
using Xunit;

namespace OkvActors.Kmip.Tests.Ttlv;

/// <summary>Every way the decoder refuses bytes: the problem it names and the offset it points at.</summary>
public sealed class TtlvDecodingFailureTests
{
    private static TtlvFormatException Refuse(string hex, TtlvLimits? limits = null) =>
        Assert.Throws<TtlvFormatException>(() => TtlvDecoder.Decode(Hex.Parse(hex), limits));

    private static void AssertProblem(TtlvFormatException error, TtlvProblem problem, int offset)
    {
        Assert.Equal(problem, error.Problem);
        Assert.Equal(offset, error.Offset);
    }

    [Fact]
    public void Empty_input_is_truncated_at_0() => AssertProblem(Refuse(""), TtlvProblem.Truncated, 0);

    [Fact]
    public void A_truncated_header_is_refused_at_its_start() =>
        AssertProblem(Refuse("42 00 20 02 00 00"), TtlvProblem.Truncated, 0);

    [Fact]
    public void A_truncated_value_is_refused_at_its_item() =>
        AssertProblem(Refuse("42 00 20 02 00 00 00 04 00 00 00 08"), TtlvProblem.Truncated, 0);

    [Fact]
    public void A_truncated_message_is_refused_before_its_children_are_read()
    {
        var bytes = Hex.Parse(KnownMessages.CreateAes256Request);
        var error = Assert.Throws<TtlvFormatException>(() => TtlvDecoder.Decode(bytes.AsSpan(0, bytes.Length - 8)));
        AssertProblem(error, TtlvProblem.Truncated, 0);
    }

    [Fact]
    public void A_child_overrunning_its_structure_is_a_bad_length_at_the_child()
    {
        // Structure of 16 bytes holding a text string that claims 16 value bytes (24 with its header).
        var error = Refuse("42 00 20 01 00 00 00 10 | 42 00 21 07 00 00 00 10 | 41 41 41 41 41 41 41 41 | 41 41 41 41 41 41 41 41");
        AssertProblem(error, TtlvProblem.BadLength, 8);
    }

    [Fact]
    public void A_length_beyond_the_message_limit_is_oversize_before_allocation() =>
        AssertProblem(Refuse("42 00 20 08 7F FF FF F0"), TtlvProblem.Oversize, 0);

    [Fact]
    public void An_inner_length_beyond_the_limit_is_oversize_at_the_inner_item() =>
        AssertProblem(Refuse("42 00 20 01 00 00 00 08 | 42 00 21 08 FF FF FF FF"), TtlvProblem.Oversize, 8);

    [Fact]
    public void A_message_bigger_than_the_maximum_size_is_refused_whole()
    {
        var limits = new TtlvLimits { MaxMessageSize = 64 };
        var bytes = Hex.Parse(KnownMessages.DiscoverVersionsRequest);
        var error = Assert.Throws<TtlvFormatException>(() => KmipMessageCodec.DecodeRequest(bytes, limits));
        AssertProblem(error, TtlvProblem.Oversize, 0);
    }

    [Fact]
    public void Nesting_deeper_than_the_limit_is_too_deep_at_the_structure_that_crosses_it()
    {
        // Three nested empty-ish structures; a limit of 2 refuses the third, at offset 16.
        var error = Refuse("42 00 20 01 00 00 00 10 | 42 00 21 01 00 00 00 08 | 42 00 22 01 00 00 00 00", new TtlvLimits { MaxDepth = 2 });
        AssertProblem(error, TtlvProblem.TooDeep, 16);
    }

    [Fact]
    public void Deep_nesting_within_the_ceiling_is_refused_without_recursion()
    {
        var depth = 200;
        var bytes = new byte[depth * 8];
        for (var i = 0; i < depth; i++)
        {
            var remaining = (depth - i - 1) * 8;
            bytes[i * 8] = 0x42;
            bytes[(i * 8) + 3] = 0x01;
            bytes[(i * 8) + 6] = (byte)(remaining >> 8);
            bytes[(i * 8) + 7] = (byte)remaining;
        }

        var error = Assert.Throws<TtlvFormatException>(() => TtlvDecoder.Decode(bytes));
        AssertProblem(error, TtlvProblem.TooDeep, TtlvLimits.Default.MaxDepth * 8);
    }

    [Fact]
    public void Non_zero_padding_after_an_integer_is_refused_at_the_padding_byte() =>
        AssertProblem(Refuse("42 00 20 02 00 00 00 04 | 00 00 00 08 00 00 01 00"), TtlvProblem.BadPadding, 14);

    [Fact]
    public void Non_zero_padding_after_a_byte_string_is_refused_at_the_padding_byte() =>
        AssertProblem(Refuse("42 00 20 08 00 00 00 03 | 01 02 03 00 00 00 00 09"), TtlvProblem.BadPadding, 15);

    [Fact]
    public void A_boolean_of_2_is_refused_at_its_value() =>
        AssertProblem(Refuse("42 00 20 06 00 00 00 08 | 00 00 00 00 00 00 00 02"), TtlvProblem.BadBoolean, 8);

    [Fact]
    public void A_boolean_with_high_bits_set_is_refused() =>
        AssertProblem(Refuse("42 00 20 06 00 00 00 08 | 01 00 00 00 00 00 00 01"), TtlvProblem.BadBoolean, 8);

    [Theory]
    [InlineData("00")]
    [InlineData("0C")]
    [InlineData("FF")]
    public void An_unknown_item_type_byte_is_refused_at_its_item(string type) =>
        AssertProblem(Refuse($"42 00 20 01 00 00 00 08 | 42 00 21 {type} 00 00 00 00"), TtlvProblem.BadType, 8);

    [Theory]
    [InlineData("02", "00 00 00 08")]
    [InlineData("03", "00 00 00 04")]
    [InlineData("05", "00 00 00 08")]
    [InlineData("06", "00 00 00 04")]
    [InlineData("09", "00 00 00 04")]
    [InlineData("0A", "00 00 00 08")]
    [InlineData("0B", "00 00 00 04")]
    [InlineData("04", "00 00 00 04")]
    [InlineData("04", "00 00 00 00")]
    [InlineData("01", "00 00 00 04")]
    public void A_length_wrong_for_its_type_is_a_bad_length(string type, string length) =>
        AssertProblem(Refuse($"42 00 20 {type} {length} 00 00 00 00 00 00 00 00"), TtlvProblem.BadLength, 0);

    [Fact]
    public void A_tag_outside_the_kmip_ranges_is_refused() =>
        AssertProblem(Refuse("43 00 20 02 00 00 00 04 00 00 00 08 00 00 00 00"), TtlvProblem.BadTag, 0);

    [Fact]
    public void Extension_tags_are_accepted() =>
        Assert.Equal(8, TtlvDecoder.Decode(Hex.Parse("54 00 01 02 00 00 00 04 00 00 00 08 00 00 00 00")).AsInt32());

    [Fact]
    public void Invalid_utf8_in_a_text_string_is_refused_at_its_value() =>
        AssertProblem(Refuse("42 00 20 07 00 00 00 02 | C3 28 00 00 00 00 00 00"), TtlvProblem.BadText, 8);

    [Fact]
    public void Bytes_after_the_message_are_refused_where_they_start() =>
        AssertProblem(Refuse("42 00 20 02 00 00 00 04 00 00 00 08 00 00 00 00 | 42"), TtlvProblem.TrailingBytes, 16);

    [Fact]
    public void A_request_must_start_with_the_request_message_tag()
    {
        var response = Hex.Parse(KnownMessages.CreateResponse);
        var error = Assert.Throws<TtlvFormatException>(() => KmipMessageCodec.DecodeRequest(response));
        AssertProblem(error, TtlvProblem.WrongOuterTag, 0);
    }

    [Fact]
    public void A_request_message_that_is_not_a_structure_is_the_wrong_outer_item()
    {
        var error = Assert.Throws<TtlvFormatException>(() => KmipMessageCodec.DecodeRequest(Hex.Parse("42 00 78 02 00 00 00 04 00 00 00 08 00 00 00 00")));
        AssertProblem(error, TtlvProblem.WrongOuterTag, 0);
    }

    [Fact]
    public void Framing_reads_the_length_from_the_header_and_checks_tag_and_limit()
    {
        var request = Hex.Parse(KnownMessages.CreateAes256Request);
        Assert.Equal(request.Length, TtlvDecoder.ReadFrameLength(request.AsSpan(0, 8), Tag.RequestMessage));
        AssertProblem(
            Assert.Throws<TtlvFormatException>(() => TtlvDecoder.ReadFrameLength(request.AsSpan(0, 8), Tag.RequestMessage, new TtlvLimits { MaxMessageSize = 64 })),
            TtlvProblem.Oversize,
            0);
        AssertProblem(
            Assert.Throws<TtlvFormatException>(() => TtlvDecoder.ReadFrameLength(Hex.Parse("42 00 7B 01 00 00 00 08"), Tag.RequestMessage)),
            TtlvProblem.WrongOuterTag,
            0);
    }

    [Fact]
    public void Error_messages_carry_no_value_bytes()
    {
        var error = Refuse("42 00 20 08 00 00 00 03 | AB CD EF 00 00 00 00 09");
        Assert.DoesNotContain("AB", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("171", error.Message, StringComparison.Ordinal);
    }
}
