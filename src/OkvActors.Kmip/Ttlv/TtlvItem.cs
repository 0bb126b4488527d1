using System.Buffers;
using System.Numerics;
using System.Text;
using OkvActors.Kmip.Protocol;

namespace OkvActors.Kmip.Ttlv;

/// <summary>
/// One decoded TTLV item: a primitive value or a structure of children. Payloads are navigated as this tree
/// (<see cref="Find"/>, <see cref="Required"/>, typed <c>As…</c> accessors) because KMIP payloads are many, optional
/// and version-dependent, and a tree lets the server read what it needs and ignore the rest.
/// Primitives are stored inline (no boxing); each node is one allocation.
/// Accessors throw <see cref="KmipFieldException"/> (Invalid Field) naming the field when the client sent the wrong type.
/// </summary>
public sealed class TtlvItem
{
    private readonly long _scalar;
    private readonly object? _reference;

    private TtlvItem(Tag tag, TtlvType type, long scalar, object? reference)
    {
        Tag = tag;
        Type = type;
        _scalar = scalar;
        _reference = reference;
    }

    public Tag Tag { get; }

    public TtlvType Type { get; }

    /// <summary>The children of a structure, in wire order; empty for primitives.</summary>
    public IReadOnlyList<TtlvItem> Children => ChildList;

    /// <summary>The concrete list, so internal loops use its struct enumerator and allocate nothing.</summary>
    internal List<TtlvItem> ChildList => _reference as List<TtlvItem> ?? NoChildren;

    private static readonly List<TtlvItem> NoChildren = [];

    // ---- construction ----------------------------------------------------------------------------------------

    /// <summary>A structure; null children are skipped so optional fields can be passed inline.</summary>
    public static TtlvItem Structure(Tag tag, params IEnumerable<TtlvItem?> children)
    {
        var list = new List<TtlvItem>();
        foreach (var child in children)
        {
            if (child is not null)
            {
                list.Add(child);
            }
        }

        return new TtlvItem(tag, TtlvType.Structure, 0, list);
    }

    public static TtlvItem Integer(Tag tag, int value) => new(tag, TtlvType.Integer, value, null);

    public static TtlvItem LongInteger(Tag tag, long value) => new(tag, TtlvType.LongInteger, value, null);

    public static TtlvItem BigInteger(Tag tag, BigInteger value) => new(tag, TtlvType.BigInteger, 0, value);

    public static TtlvItem Enumeration(Tag tag, uint value) => new(tag, TtlvType.Enumeration, value, null);

    public static TtlvItem Enumeration<TEnum>(Tag tag, TEnum value)
        where TEnum : struct, Enum => Enumeration(tag, EnumBits.ToUInt32(value));

    public static TtlvItem Boolean(Tag tag, bool value) => new(tag, TtlvType.Boolean, value ? 1 : 0, null);

    public static TtlvItem TextString(Tag tag, string value) =>
        new(tag, TtlvType.TextString, 0, value ?? throw new ArgumentNullException(nameof(value)));

    /// <summary>A byte string holding <paramref name="value"/> itself (not a copy): the caller owns its lifetime.</summary>
    public static TtlvItem ByteString(Tag tag, byte[] value) =>
        new(tag, TtlvType.ByteString, 0, value ?? throw new ArgumentNullException(nameof(value)));

    /// <summary>A Date-Time; sub-second precision is dropped, as the wire carries whole POSIX seconds.</summary>
    public static TtlvItem DateTime(Tag tag, DateTimeOffset value) => DateTimeSeconds(tag, value.ToUnixTimeSeconds());

    public static TtlvItem DateTimeSeconds(Tag tag, long posixSeconds) => new(tag, TtlvType.DateTime, posixSeconds, null);

    public static TtlvItem Interval(Tag tag, uint seconds) => new(tag, TtlvType.Interval, seconds, null);

    /// <summary>A KMIP 2.0 Date-Time Extended, in POSIX microseconds.</summary>
    public static TtlvItem DateTimeExtended(Tag tag, long posixMicroseconds) => new(tag, TtlvType.DateTimeExtended, posixMicroseconds, null);

    /// <summary>The same value under another tag (1.x Attribute Value vs the 2.0 attribute's own tag).</summary>
    public TtlvItem WithTag(Tag tag) => tag == Tag ? this : new TtlvItem(tag, Type, _scalar, _reference);

    internal void Add(TtlvItem child) => ((List<TtlvItem>)_reference!).Add(child);

    // ---- navigation ------------------------------------------------------------------------------------------

    /// <summary>The first child with <paramref name="tag"/>, or null.</summary>
    public TtlvItem? Find(Tag tag)
    {
        foreach (var child in ChildList)
        {
            if (child.Tag == tag)
            {
                return child;
            }
        }

        return null;
    }

    /// <summary>Every child with <paramref name="tag"/>, in order.</summary>
    public IEnumerable<TtlvItem> FindAll(Tag tag) => Children.Where(c => c.Tag == tag);

    /// <summary>The first child with <paramref name="tag"/>; Invalid Field naming the field when there is none.</summary>
    public TtlvItem Required(Tag tag) => Find(tag) ?? throw KmipFieldException.Missing(tag, Tag);

    /// <summary>The first child with <paramref name="tag"/>, which must be a structure.</summary>
    public TtlvItem RequiredStructure(Tag tag) => Required(tag).AsStructure();

    /// <summary>This item, checked to be a structure (Invalid Field otherwise).</summary>
    public TtlvItem AsStructure()
    {
        Expect(TtlvType.Structure);
        return this;
    }

    public string RequiredText(Tag tag) => Required(tag).AsText();

    public string? TextOf(Tag tag) => Find(tag)?.AsText();

    public int RequiredInt32(Tag tag) => Required(tag).AsInt32();

    public int? Int32Of(Tag tag) => Find(tag)?.AsInt32();

    public TEnum RequiredEnum<TEnum>(Tag tag)
        where TEnum : struct, Enum => Required(tag).AsEnum<TEnum>();

    public TEnum? EnumOf<TEnum>(Tag tag)
        where TEnum : struct, Enum => Find(tag)?.AsEnum<TEnum>();

    public byte[] RequiredBytes(Tag tag) => Required(tag).AsBytes();

    public byte[]? BytesOf(Tag tag) => Find(tag)?.AsBytes();

    public bool? BooleanOf(Tag tag) => Find(tag)?.AsBoolean();

    // ---- typed values ----------------------------------------------------------------------------------------

    public int AsInt32() => (int)Scalar(TtlvType.Integer);

    public long AsInt64() => Scalar(TtlvType.LongInteger);

    public uint AsEnumeration() => (uint)Scalar(TtlvType.Enumeration);

    /// <summary>The enumeration as <typeparamref name="TEnum"/>; values the enum does not name pass through as numbers.</summary>
    public TEnum AsEnum<TEnum>()
        where TEnum : struct, Enum
    {
        return EnumBits.FromUInt32<TEnum>(AsEnumeration());
    }

    public bool AsBoolean() => Scalar(TtlvType.Boolean) != 0;

    public long AsDateTimeSeconds() => Scalar(TtlvType.DateTime);

    /// <summary>The Date-Time as a <see cref="DateTimeOffset"/>; Invalid Field if it is outside years 1–9999.</summary>
    public DateTimeOffset AsDateTime()
    {
        var seconds = AsDateTimeSeconds();
        if (seconds < -62135596800L || seconds > 253402300799L)
        {
            throw new KmipFieldException(ResultReason.InvalidField, Tag, $"'{TagNames.Describe(Tag)}' is outside the representable date range.");
        }

        return DateTimeOffset.FromUnixTimeSeconds(seconds);
    }

    public uint AsInterval() => (uint)Scalar(TtlvType.Interval);

    public long AsDateTimeExtendedMicroseconds() => Scalar(TtlvType.DateTimeExtended);

    public BigInteger AsBigInteger()
    {
        Expect(TtlvType.BigInteger);
        return (BigInteger)_reference!;
    }

    public string AsText()
    {
        Expect(TtlvType.TextString);
        return (string)_reference!;
    }

    /// <summary>The byte string itself, not a copy: a key's material should be zeroed by whoever consumes it.</summary>
    public byte[] AsBytes()
    {
        Expect(TtlvType.ByteString);
        return (byte[])_reference!;
    }

    private long Scalar(TtlvType type)
    {
        Expect(type);
        return _scalar;
    }

    private void Expect(TtlvType type)
    {
        if (Type != type)
        {
            throw new KmipFieldException(ResultReason.InvalidField, Tag, $"'{TagNames.Describe(Tag)}' must be a {type}, not a {Type}.");
        }
    }

    // ---- encoding --------------------------------------------------------------------------------------------

    /// <summary>Bytes this item takes on the wire, header and padding included.</summary>
    public int EncodedLength => 8 + TtlvReader.Padded(ValueLength);

    internal int ValueLength => Type switch
    {
        TtlvType.Structure => Children.Sum(c => c.EncodedLength),
        TtlvType.Integer or TtlvType.Enumeration or TtlvType.Interval => 4,
        TtlvType.BigInteger => TtlvWriter.BigIntegerLength((BigInteger)_reference!),
        TtlvType.TextString => Encoding.UTF8.GetByteCount((string)_reference!),
        TtlvType.ByteString => ((byte[])_reference!).Length,
        _ => 8,
    };

    /// <summary>Appends this item, and its children, to <paramref name="writer"/>.</summary>
    public void WriteTo(TtlvWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        switch (Type)
        {
            case TtlvType.Structure:
                writer.BeginStructure(Tag);
                foreach (var child in ChildList)
                {
                    child.WriteTo(writer);
                }

                writer.EndStructure();
                break;
            case TtlvType.Integer:
                writer.WriteInteger(Tag, (int)_scalar);
                break;
            case TtlvType.LongInteger:
                writer.WriteLongInteger(Tag, _scalar);
                break;
            case TtlvType.BigInteger:
                writer.WriteBigInteger(Tag, (BigInteger)_reference!);
                break;
            case TtlvType.Enumeration:
                writer.WriteEnumeration(Tag, (uint)_scalar);
                break;
            case TtlvType.Boolean:
                writer.WriteBoolean(Tag, _scalar != 0);
                break;
            case TtlvType.TextString:
                writer.WriteTextString(Tag, (string)_reference!);
                break;
            case TtlvType.ByteString:
                writer.WriteByteString(Tag, (byte[])_reference!);
                break;
            case TtlvType.DateTime:
                writer.WriteDateTimeSeconds(Tag, _scalar);
                break;
            case TtlvType.Interval:
                writer.WriteInterval(Tag, (uint)_scalar);
                break;
            case TtlvType.DateTimeExtended:
                writer.WriteDateTimeExtended(Tag, _scalar);
                break;
            default:
                throw new InvalidOperationException($"Unknown item type {Type}.");
        }
    }

    /// <summary>Appends the encoding to <paramref name="output"/>.</summary>
    public void WriteTo(IBufferWriter<byte> output)
    {
        using var writer = new TtlvWriter(EncodedLength);
        WriteTo(writer);
        writer.CopyTo(output);
    }

    /// <summary>The encoding as a new array.</summary>
    public byte[] Encode()
    {
        using var writer = new TtlvWriter(EncodedLength);
        WriteTo(writer);
        return writer.ToArray();
    }

    /// <summary>Same tag, type, value and children, recursively.</summary>
    public bool ContentEquals(TtlvItem? other)
    {
        if (other is null || other.Tag != Tag || other.Type != Type)
        {
            return false;
        }

        return Type switch
        {
            TtlvType.Structure => Children.Count == other.Children.Count && Children.Zip(other.Children).All(p => p.First.ContentEquals(p.Second)),
            TtlvType.BigInteger => ((BigInteger)_reference!).Equals((BigInteger)other._reference!),
            TtlvType.TextString => (string)_reference! == (string)other._reference!,
            TtlvType.ByteString => ((byte[])_reference!).AsSpan().SequenceEqual((byte[])other._reference!),
            _ => _scalar == other._scalar,
        };
    }

    /// <summary>A readable dump for logs; byte strings show their length only, as they may be key material.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        Append(text, 0);
        return text.ToString();
    }

    private void Append(StringBuilder text, int indent)
    {
        text.Append(' ', indent * 2).Append(TagNames.Describe(Tag)).Append(" (").Append(Type).Append(')');
        switch (Type)
        {
            case TtlvType.Structure:
                foreach (var child in Children)
                {
                    text.Append('\n');
                    child.Append(text, indent + 1);
                }

                break;
            case TtlvType.ByteString:
                text.Append(": <").Append(((byte[])_reference!).Length).Append(" bytes>");
                break;
            case TtlvType.BigInteger:
                text.Append(": <big integer>");
                break;
            case TtlvType.TextString:
                text.Append(": \"").Append((string)_reference!).Append('"');
                break;
            case TtlvType.Boolean:
                text.Append(": ").Append(_scalar != 0);
                break;
            default:
                text.Append(": ").Append(_scalar);
                break;
        }
    }

    internal static TtlvItem FromReader(ref TtlvReader reader) => reader.Type switch
    {
        TtlvType.Structure => new TtlvItem(reader.Tag, TtlvType.Structure, 0, new List<TtlvItem>()),
        TtlvType.Integer => Integer(reader.Tag, reader.GetInt32()),
        TtlvType.LongInteger => LongInteger(reader.Tag, reader.GetInt64()),
        TtlvType.BigInteger => BigInteger(reader.Tag, reader.GetBigInteger()),
        TtlvType.Enumeration => Enumeration(reader.Tag, reader.GetEnumeration()),
        TtlvType.Boolean => Boolean(reader.Tag, reader.GetBoolean()),
        TtlvType.TextString => TextString(reader.Tag, reader.GetString()),
        TtlvType.ByteString => ByteString(reader.Tag, reader.ValueSpan.ToArray()),
        TtlvType.DateTime => DateTimeSeconds(reader.Tag, reader.GetDateTimeSeconds()),
        TtlvType.Interval => Interval(reader.Tag, reader.GetInterval()),
        _ => DateTimeExtended(reader.Tag, reader.GetDateTimeExtendedMicroseconds()),
    };
}
