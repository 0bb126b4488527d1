using System.Numerics;
using OkvActors.Kmip.Protocol;
using OkvActors.Kmip.Tests.Support;
using OkvActors.Kmip.Ttlv;
using Xunit;

namespace OkvActors.Kmip.Tests.Ttlv;

/// <summary>
/// The item-type examples of KMIP 1.x §9.1.2 (tag 0x420020), byte for byte, both ways; plus the 2.0 Date-Time
/// Extended type, which the 1.x examples predate.
/// </summary>
public sealed class TtlvEncodingVectorTests
{
    private const Tag Example = (Tag)0x420020;

    public static TheoryData<string, string> SpecExamples() => new()
    {
        { "Integer 8", "42 00 20 | 02 | 00 00 00 04 | 00 00 00 08 00 00 00 00" },
        { "Long Integer 123456789000000000", "42 00 20 | 03 | 00 00 00 08 | 01 B6 9B 4B A5 74 92 00" },
        { "Big Integer 1234567890000000000000000000", "42 00 20 | 04 | 00 00 00 10 | 00 00 00 00 03 FD 35 EB 6B C2 DF 46 18 08 00 00" },
        { "Enumeration 255", "42 00 20 | 05 | 00 00 00 04 | 00 00 00 FF 00 00 00 00" },
        { "Boolean true", "42 00 20 | 06 | 00 00 00 08 | 00 00 00 00 00 00 00 01" },
        { "Text String Hello World", "42 00 20 | 07 | 00 00 00 0B | 48 65 6C 6C 6F 20 57 6F 72 6C 64 00 00 00 00 00" },
        { "Byte String 01 02 03", "42 00 20 | 08 | 00 00 00 03 | 01 02 03 00 00 00 00 00" },
        { "Date-Time 2008-03-14 11:56:40 UTC", "42 00 20 | 09 | 00 00 00 08 | 00 00 00 00 47 DA 67 F8" },
        { "Interval 10 days", "42 00 20 | 0A | 00 00 00 04 | 00 0D 2F 00 00 00 00 00" },
        { "Structure of Enumeration 254 and Integer 255", "42 00 20 | 01 | 00 00 00 20 | 42 00 04 | 05 | 00 00 00 04 | 00 00 00 FE 00 00 00 00 | 42 00 05 | 02 | 00 00 00 04 | 00 00 00 FF 00 00 00 00" },
        { "Date-Time Extended 1 µs past 2008-03-14 11:56:40", "42 00 20 | 0B | 00 00 00 08 | 00 04 48 64 5C EF EE 01" },
    };

    private static TtlvItem Build(string name) => name switch
    {
        "Integer 8" => TtlvItem.Integer(Example, 8),
        "Long Integer 123456789000000000" => TtlvItem.LongInteger(Example, 123456789000000000),
        "Big Integer 1234567890000000000000000000" => TtlvItem.BigInteger(Example, BigInteger.Parse("1234567890000000000000000000")),
        "Enumeration 255" => TtlvItem.Enumeration(Example, 255u),
        "Boolean true" => TtlvItem.Boolean(Example, true),
        "Text String Hello World" => TtlvItem.TextString(Example, "Hello World"),
        "Byte String 01 02 03" => TtlvItem.ByteString(Example, [1, 2, 3]),
        "Date-Time 2008-03-14 11:56:40 UTC" => TtlvItem.DateTime(Example, new DateTimeOffset(2008, 3, 14, 11, 56, 40, TimeSpan.Zero)),
        "Interval 10 days" => TtlvItem.Interval(Example, 10 * 24 * 3600),
        "Structure of Enumeration 254 and Integer 255" => TtlvItem.Structure(
            Example, TtlvItem.Enumeration((Tag)0x420004, 254u), TtlvItem.Integer((Tag)0x420005, 255)),
        "Date-Time Extended 1 µs past 2008-03-14 11:56:40" => TtlvItem.DateTimeExtended(Example, (0x47DA67F8L * 1_000_000) + 1),
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(SpecExamples))]
    public void Each_item_type_encodes_to_the_spec_example(string name, string hex)
    {
        Assert.Equal(Hex.Of(Hex.Parse(hex)), Hex.Of(Build(name).Encode()));
    }

    [Theory]
    [MemberData(nameof(SpecExamples))]
    public void Each_spec_example_decodes_to_its_value(string name, string hex)
    {
        var decoded = TtlvDecoder.Decode(Hex.Parse(hex));
        Assert.True(Build(name).ContentEquals(decoded), $"{name}: decoded {decoded}");
    }

    [Fact]
    public void Typed_accessors_return_the_example_values()
    {
        Assert.Equal(8, TtlvDecoder.Decode(Hex.Parse("42 00 20 02 00 00 00 04 00 00 00 08 00 00 00 00")).AsInt32());
        Assert.Equal(
            new DateTimeOffset(2008, 3, 14, 11, 56, 40, TimeSpan.Zero),
            TtlvDecoder.Decode(Hex.Parse("42 00 20 09 00 00 00 08 00 00 00 00 47 DA 67 F8")).AsDateTime());
        Assert.Equal(864000u, TtlvDecoder.Decode(Hex.Parse("42 00 20 0A 00 00 00 04 00 0D 2F 00 00 00 00 00")).AsInterval());
        Assert.Equal("Hello World", TtlvDecoder.Decode(Hex.Parse("42 00 20 07 00 00 00 0B 48 65 6C 6C 6F 20 57 6F 72 6C 64 00 00 00 00 00")).AsText());
    }

    [Theory]
    [InlineData("-1", "FF FF FF FF FF FF FF FF")]
    [InlineData("0", "00 00 00 00 00 00 00 00")]
    [InlineData("255", "00 00 00 00 00 00 00 FF")]
    [InlineData("-129", "FF FF FF FF FF FF FF 7F")]
    [InlineData("9223372036854775808", "00 00 00 00 00 00 00 00 80 00 00 00 00 00 00 00")]
    public void Big_integers_are_sign_extended_to_a_multiple_of_eight(string value, string valueHex)
    {
        var item = TtlvItem.BigInteger(Example, BigInteger.Parse(value));
        var encoded = item.Encode();
        Assert.Equal(Hex.Of(Hex.Parse(valueHex)), Hex.Of(encoded.AsSpan(8)));
        Assert.Equal(BigInteger.Parse(value), TtlvDecoder.Decode(encoded).AsBigInteger());
    }

    [Fact]
    public void Every_type_round_trips_through_the_writer_and_reader()
    {
        var tree = TtlvItem.Structure(
            Tag.RequestPayload,
            TtlvItem.Integer(Tag.CryptographicLength, int.MinValue),
            TtlvItem.LongInteger(Tag.UsageLimitsTotal, long.MaxValue),
            TtlvItem.BigInteger(Tag.Modulus, BigInteger.Pow(-7, 61)),
            TtlvItem.Enumeration(Tag.ObjectType, ObjectType.SymmetricKey),
            TtlvItem.Boolean(Tag.Fresh, false),
            TtlvItem.TextString(Tag.NameValue, "clé ✓"),
            TtlvItem.TextString(Tag.ResultMessage, ""),
            TtlvItem.ByteString(Tag.KeyMaterial, [.. Enumerable.Range(0, 33).Select(i => (byte)i)]),
            TtlvItem.ByteString(Tag.Nonce, []),
            TtlvItem.DateTimeSeconds(Tag.ActivationDate, -1),
            TtlvItem.Interval(Tag.LeaseTime, uint.MaxValue),
            TtlvItem.DateTimeExtended(Tag.LastChangeDate, long.MinValue),
            TtlvItem.Structure(Tag.TemplateAttribute));
        var decoded = TtlvDecoder.Decode(tree.Encode());
        Assert.True(tree.ContentEquals(decoded), decoded.ToString());
        Assert.Equal(tree.EncodedLength, tree.Encode().Length);
    }

    [Fact]
    public void A_reused_writer_encodes_the_same_bytes_after_reset()
    {
        using var writer = new TtlvWriter(16);
        var item = TtlvItem.Structure(Tag.KeyBlock, TtlvItem.ByteString(Tag.KeyMaterial, new byte[100]));
        writer.WriteItem(item);
        var first = writer.ToArray();
        writer.Reset();
        writer.WriteItem(item);
        Assert.Equal(first, writer.ToArray());
    }

    [Fact]
    public void The_pull_reader_walks_items_in_order_with_their_depths()
    {
        var bytes = Hex.Parse(KnownMessages.DiscoverVersionsRequest);
        var reader = new TtlvReader(bytes);
        var seen = new List<string>();
        while (reader.Read())
        {
            seen.Add($"{reader.Depth}:{reader.Tag}");
        }

        Assert.Equal(
            ["0:RequestMessage", "1:RequestHeader", "2:ProtocolVersion", "3:ProtocolVersionMajor", "3:ProtocolVersionMinor",
             "2:BatchCount", "1:BatchItem", "2:Operation", "2:RequestPayload"],
            seen);
    }

    [Fact]
    public void Byte_strings_never_appear_in_the_dump()
    {
        var item = TtlvItem.Structure(Tag.KeyValue, TtlvItem.ByteString(Tag.KeyMaterial, [0xDE, 0xAD, 0xBE, 0xEF]));
        var text = item.ToString();
        Assert.Contains("<4 bytes>", text, StringComparison.Ordinal);
        Assert.DoesNotContain("222", text, StringComparison.Ordinal);
        Assert.DoesNotContain("DEADBEEF", text, StringComparison.OrdinalIgnoreCase);
    }
}
