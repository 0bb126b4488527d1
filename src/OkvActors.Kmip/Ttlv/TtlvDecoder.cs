using System.Buffers.Binary;
using OkvActors.Kmip.Protocol;

namespace OkvActors.Kmip.Ttlv;

/// <summary>
/// Decodes whole TTLV messages into <see cref="TtlvItem"/> trees, and frames messages off a stream. Everything goes
/// through <see cref="TtlvReader"/>, so the same bounds hold; the tree is built without recursion.
/// </summary>
public static class TtlvDecoder
{
    /// <summary>Decodes one item (any outer tag) that spans the whole input.</summary>
    public static TtlvItem Decode(ReadOnlySpan<byte> data, TtlvLimits? limits = null)
    {
        var reader = new TtlvReader(data, limits);
        var open = new List<TtlvItem>(8);
        TtlvItem? root = null;
        while (reader.Read())
        {
            var item = TtlvItem.FromReader(ref reader);
            var depth = reader.Depth;
            if (depth == 0)
            {
                root = item;
            }
            else
            {
                open[depth - 1].Add(item);
            }

            if (item.Type == TtlvType.Structure)
            {
                if (open.Count > depth)
                {
                    open[depth] = item;
                }
                else
                {
                    open.Add(item);
                }
            }
        }

        return root!;
    }

    /// <summary>
    /// Decodes a message whose outer item must be the structure <paramref name="outerTag"/> (Request Message for a
    /// server); anything else is <see cref="TtlvProblem.WrongOuterTag"/> at offset 0, checked before the rest.
    /// </summary>
    public static TtlvItem DecodeMessage(ReadOnlySpan<byte> data, Tag outerTag, TtlvLimits? limits = null)
    {
        CheckOuter(data, outerTag);
        return Decode(data, limits);
    }

    /// <summary>
    /// From the first 8 bytes of a message on a stream, the total number of bytes the message takes (header
    /// included), after checking the outer tag and the size limit: read exactly that many, then decode.
    /// </summary>
    public static int ReadFrameLength(ReadOnlySpan<byte> header, Tag outerTag, TtlvLimits? limits = null)
    {
        var bounds = limits ?? TtlvLimits.Default;
        if (header.Length < 8)
        {
            throw new TtlvFormatException(TtlvProblem.Truncated, header.Length, "fewer than 8 header bytes");
        }

        CheckOuter(header, outerTag);
        var length = BinaryPrimitives.ReadUInt32BigEndian(header[4..]);
        if (length > (uint)bounds.MaxMessageSize - 8)
        {
            throw new TtlvFormatException(TtlvProblem.Oversize, 0, $"message of {length} value bytes exceeds the {bounds.MaxMessageSize}-byte limit");
        }

        if (length % 8 != 0)
        {
            throw new TtlvFormatException(TtlvProblem.BadLength, 0, "message length is not a multiple of 8");
        }

        return (int)length + 8;
    }

    private static void CheckOuter(ReadOnlySpan<byte> data, Tag outerTag)
    {
        if (data.Length < 4)
        {
            throw new TtlvFormatException(TtlvProblem.Truncated, 0, "input ends inside the message header");
        }

        var tag = (uint)((data[0] << 16) | (data[1] << 8) | data[2]);
        if (tag != (uint)outerTag || data[3] != (byte)TtlvType.Structure)
        {
            throw new TtlvFormatException(TtlvProblem.WrongOuterTag, 0, $"outer item is 0x{tag:X6} type 0x{data[3]:X2}, expected the {TagNames.Describe(outerTag)} structure 0x{(uint)outerTag:X6}");
        }
    }
}
