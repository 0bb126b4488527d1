using System.Numerics;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using OkvActors.Kmip.Messages;
using OkvActors.Kmip.Protocol;
using OkvActors.Kmip.Ttlv;

namespace OkvActors.Kmip.Tests.Ttlv;

/// <summary>
/// Properties over random item trees and random bytes. On a failure FsCheck prints the shrunk case and the seed;
/// replay it with <c>[Property(Replay = "...")]</c>.
/// </summary>
public sealed class TtlvProperties
{
    private static readonly Gen<Tag> Tags = Gen.Elements(Enum.GetValues<Tag>()).Select(t => t)
        .Or(Gen.Choose(0, 0xFFFF).Select(n => (Tag)(uint)(0x540000 | n)));

    private static Gen<TtlvItem> Leaf(Tag tag) => Gen.OneOf(
        ArbMap.Default.GeneratorFor<int>().Select(v => TtlvItem.Integer(tag, v)),
        ArbMap.Default.GeneratorFor<long>().Select(v => TtlvItem.LongInteger(tag, v)),
        ArbMap.Default.GeneratorFor<byte[]>().Select(b => TtlvItem.BigInteger(tag, new BigInteger(b))),
        ArbMap.Default.GeneratorFor<uint>().Select(v => TtlvItem.Enumeration(tag, v)),
        ArbMap.Default.GeneratorFor<bool>().Select(v => TtlvItem.Boolean(tag, v)),
        ArbMap.Default.GeneratorFor<NonNull<string>>().Select(s => TtlvItem.TextString(tag, s.Get)),
        ArbMap.Default.GeneratorFor<byte[]>().Select(b => TtlvItem.ByteString(tag, b)),
        ArbMap.Default.GeneratorFor<long>().Select(v => TtlvItem.DateTimeSeconds(tag, v)),
        ArbMap.Default.GeneratorFor<uint>().Select(v => TtlvItem.Interval(tag, v)),
        ArbMap.Default.GeneratorFor<long>().Select(v => TtlvItem.DateTimeExtended(tag, v)));

    private static Gen<TtlvItem> Tree(int depth) =>
        from tag in Tags
        from item in depth <= 1
            ? Leaf(tag)
            : Gen.Frequency(
                (3, Leaf(tag)),
                (1, Gen.ListOf(Tree(depth - 1)).Select(children => TtlvItem.Structure(tag, children.Take(6)))))
        select item;

    private static readonly Arbitrary<TtlvItem> Trees = Arb.From(Tree(6), _ => []);

    [Property(MaxTest = 300)]
    public Property Random_item_trees_round_trip() => Prop.ForAll(Trees, tree =>
    {
        var encoded = tree.Encode();
        var decoded = TtlvDecoder.Decode(encoded);
        return (tree.ContentEquals(decoded) && encoded.Length == tree.EncodedLength && encoded.Length % 8 == 0)
            .Label($"tree:\n{tree}\ndecoded:\n{decoded}");
    });

    [Property(MaxTest = 300)]
    public Property Re_encoding_a_decoded_tree_gives_the_same_bytes() => Prop.ForAll(Trees, tree =>
    {
        var encoded = tree.Encode();
        return encoded.AsSpan().SequenceEqual(TtlvDecoder.Decode(encoded).Encode());
    });

    [Property(MaxTest = 2000)]
    public Property Arbitrary_bytes_decode_or_raise_a_format_exception() => Prop.ForAll(
        ArbMap.Default.ArbFor<byte[]>(),
        bytes => DecodesOrRefuses(bytes));

    [Property(MaxTest = 2000)]
    public Property Mutated_valid_messages_decode_or_raise_a_format_exception() => Prop.ForAll(
        Arb.From(
            from tree in Tree(5)
            from position in Gen.Choose(0, 10_000)
            from value in ArbMap.Default.GeneratorFor<byte>()
            from cut in Gen.Choose(0, 3)
            select (tree, position, value, cut)),
        c =>
        {
            var bytes = c.tree.Encode();
            bytes[c.position % bytes.Length] = c.value;
            var length = c.cut == 0 ? Math.Max(0, bytes.Length - (c.position % 9)) : bytes.Length;
            return DecodesOrRefuses(bytes[..length]);
        });

    private static bool DecodesOrRefuses(byte[] bytes)
    {
        try
        {
            TtlvDecoder.Decode(bytes);
        }
        catch (TtlvFormatException)
        {
        }

        try
        {
            KmipMessageCodec.DecodeRequest(bytes);
        }
        catch (TtlvFormatException)
        {
        }
        catch (KmipFieldException)
        {
        }

        return true;
    }
}
