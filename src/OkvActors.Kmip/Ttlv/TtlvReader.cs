using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Unicode;
using OkvActors.Kmip.Protocol;

namespace OkvActors.Kmip.Ttlv;

/// <summary>
/// A forward-only, allocation-free pull reader over one TTLV message, in the shape of <c>Utf8JsonReader</c>.
/// Each <see cref="Read"/> moves to the next item in document order and has already checked everything the spec
/// says about it (type, length for the type, padding zero, Boolean 0/1, UTF-8, depth, bounds) before it returns,
/// so a caller that only looks at the items it needs still rejects a malformed message whole.
/// Every failure is a <see cref="TtlvFormatException"/>; nothing else escapes on arbitrary input.
/// </summary>
public ref struct TtlvReader
{
    private const int HeaderSize = 8;

    private readonly ReadOnlySpan<byte> _data;
    private readonly int _maxDepth;
    private readonly int _maxSize;
    private EndStack _ends;
    private int _open;
    private int _position;
    private int _valueStart;
    private bool _rootRead;

    /// <summary>Starts before the outer item. Input longer than the limit is refused here, before any parsing.</summary>
    public TtlvReader(ReadOnlySpan<byte> data, TtlvLimits? limits = null)
    {
        var bounds = limits ?? TtlvLimits.Default;
        if (!ReferenceEquals(bounds, TtlvLimits.Default))
        {
            bounds.Validate();
        }

        _data = data;
        _maxDepth = bounds.MaxDepth;
        _maxSize = bounds.MaxMessageSize;
        if (data.Length > _maxSize)
        {
            throw new TtlvFormatException(TtlvProblem.Oversize, 0, $"input of {data.Length} bytes exceeds the {_maxSize}-byte limit");
        }
    }

    /// <summary>Tag of the current item.</summary>
    public Tag Tag { get; private set; }

    /// <summary>Type of the current item.</summary>
    public TtlvType Type { get; private set; }

    /// <summary>Nesting of the current item: 0 for the outer message, 1 for its fields, and so on.</summary>
    public int Depth { get; private set; }

    /// <summary>Offset of the current item's header in the input.</summary>
    public int ItemOffset { get; private set; }

    /// <summary>Length field of the current item (unpadded value length).</summary>
    public int ValueLength { get; private set; }

    /// <summary>The current item's value bytes, without padding. For a structure, its encoded children.</summary>
    public readonly ReadOnlySpan<byte> ValueSpan => _data.Slice(_valueStart, ValueLength);

    /// <summary>
    /// Moves to the next item; false once the outer item and everything in it has been read.
    /// Throws <see cref="TtlvFormatException"/> on the first problem.
    /// </summary>
    public bool Read()
    {
        while (_open > 0 && _position == _ends[_open - 1])
        {
            _open--;
        }

        if (_open == 0 && _rootRead)
        {
            if (_position != _data.Length)
            {
                throw new TtlvFormatException(TtlvProblem.TrailingBytes, _position, $"{_data.Length - _position} bytes follow the message");
            }

            return false;
        }

        var start = _position;
        var limit = _open > 0 ? _ends[_open - 1] : _data.Length;
        if (limit - start < HeaderSize)
        {
            throw _open == 0
                ? new TtlvFormatException(TtlvProblem.Truncated, start, "input ends inside an item header")
                : new TtlvFormatException(TtlvProblem.BadLength, start, "structure ends inside a child header");
        }

        var header = _data.Slice(start, HeaderSize);
        var tagPrefix = header[0];
        if (tagPrefix is not (0x42 or 0x54))
        {
            throw new TtlvFormatException(TtlvProblem.BadTag, start, $"tag prefix 0x{tagPrefix:X2} is neither 0x42 nor 0x54");
        }

        var tag = (Tag)(uint)((tagPrefix << 16) | (header[1] << 8) | header[2]);
        var typeByte = header[3];
        if (typeByte is < (byte)TtlvType.Structure or > (byte)TtlvType.DateTimeExtended)
        {
            throw new TtlvFormatException(TtlvProblem.BadType, start, $"item type 0x{typeByte:X2} is not a KMIP type");
        }

        var type = (TtlvType)typeByte;
        var declared = BinaryPrimitives.ReadUInt32BigEndian(header[4..]);
        if (declared > (uint)_maxSize - HeaderSize)
        {
            throw new TtlvFormatException(TtlvProblem.Oversize, start, $"length {declared} exceeds the {_maxSize}-byte message limit");
        }

        var length = (int)declared;
        CheckLengthForType(type, length, start);

        var padded = Padded(length);
        var valueStart = start + HeaderSize;
        var itemEnd = (long)valueStart + padded;
        if (itemEnd > limit)
        {
            throw _open == 0
                ? new TtlvFormatException(TtlvProblem.Truncated, start, $"item announces {length} value bytes but the input ends first")
                : new TtlvFormatException(TtlvProblem.BadLength, start, $"item of {length} value bytes overruns its structure");
        }

        if (type == TtlvType.Structure && _open + 1 > _maxDepth)
        {
            throw new TtlvFormatException(TtlvProblem.TooDeep, start, $"structures nested deeper than {_maxDepth}");
        }

        var value = _data.Slice(valueStart, length);
        if (type == TtlvType.Boolean && BinaryPrimitives.ReadUInt64BigEndian(value) > 1)
        {
            throw new TtlvFormatException(TtlvProblem.BadBoolean, valueStart, "boolean is neither 0 nor 1");
        }

        if (type == TtlvType.TextString && !Utf8.IsValid(value))
        {
            throw new TtlvFormatException(TtlvProblem.BadText, valueStart, "text string is not valid UTF-8");
        }

        if (type != TtlvType.Structure && padded != length)
        {
            var bad = _data.Slice(valueStart + length, padded - length).IndexOfAnyExcept((byte)0);
            if (bad >= 0)
            {
                throw new TtlvFormatException(TtlvProblem.BadPadding, valueStart + length + bad, "padding byte is not zero");
            }
        }

        Tag = tag;
        Type = type;
        Depth = _open;
        ItemOffset = start;
        ValueLength = length;
        _valueStart = valueStart;
        if (_open == 0)
        {
            _rootRead = true;
        }

        if (type == TtlvType.Structure)
        {
            _ends[_open++] = valueStart + length;
            _position = valueStart;
        }
        else
        {
            _position = valueStart + padded;
        }

        return true;
    }

    /// <summary>Integer value of the current item.</summary>
    public readonly int GetInt32()
    {
        Expect(TtlvType.Integer);
        return BinaryPrimitives.ReadInt32BigEndian(ValueSpan);
    }

    /// <summary>Long Integer value of the current item.</summary>
    public readonly long GetInt64()
    {
        Expect(TtlvType.LongInteger);
        return BinaryPrimitives.ReadInt64BigEndian(ValueSpan);
    }

    /// <summary>Enumeration value of the current item.</summary>
    public readonly uint GetEnumeration()
    {
        Expect(TtlvType.Enumeration);
        return BinaryPrimitives.ReadUInt32BigEndian(ValueSpan);
    }

    /// <summary>Boolean value of the current item.</summary>
    public readonly bool GetBoolean()
    {
        Expect(TtlvType.Boolean);
        return ValueSpan[7] == 1;
    }

    /// <summary>Date-Time value of the current item, as POSIX seconds (the wire form; any 64-bit value is legal).</summary>
    public readonly long GetDateTimeSeconds()
    {
        Expect(TtlvType.DateTime);
        return BinaryPrimitives.ReadInt64BigEndian(ValueSpan);
    }

    /// <summary>Interval value of the current item, in seconds.</summary>
    public readonly uint GetInterval()
    {
        Expect(TtlvType.Interval);
        return BinaryPrimitives.ReadUInt32BigEndian(ValueSpan);
    }

    /// <summary>Date-Time Extended value of the current item, as POSIX microseconds.</summary>
    public readonly long GetDateTimeExtendedMicroseconds()
    {
        Expect(TtlvType.DateTimeExtended);
        return BinaryPrimitives.ReadInt64BigEndian(ValueSpan);
    }

    /// <summary>Big Integer value of the current item (two's complement, big-endian). Allocates.</summary>
    public readonly BigInteger GetBigInteger()
    {
        Expect(TtlvType.BigInteger);
        return new BigInteger(ValueSpan, isUnsigned: false, isBigEndian: true);
    }

    /// <summary>Text String value of the current item. Allocates; already checked to be UTF-8.</summary>
    public readonly string GetString()
    {
        Expect(TtlvType.TextString);
        return Encoding.UTF8.GetString(ValueSpan);
    }

    /// <summary>True when the current Text String equals <paramref name="utf8"/>, without allocating.</summary>
    public readonly bool ValueTextEquals(ReadOnlySpan<byte> utf8) => Type == TtlvType.TextString && ValueSpan.SequenceEqual(utf8);

    private readonly void Expect(TtlvType type)
    {
        if (Type != type)
        {
            throw new InvalidOperationException($"Current item is {Type}, not {type}.");
        }
    }

    internal static int Padded(int length) => (int)(((uint)length + 7u) & ~7u);

    private static void CheckLengthForType(TtlvType type, int length, int offset)
    {
        var ok = type switch
        {
            TtlvType.Integer or TtlvType.Enumeration or TtlvType.Interval => length == 4,
            TtlvType.LongInteger or TtlvType.Boolean or TtlvType.DateTime or TtlvType.DateTimeExtended => length == 8,
            TtlvType.BigInteger => length > 0 && length % 8 == 0,
            TtlvType.Structure => length % 8 == 0,
            _ => true,
        };
        if (!ok)
        {
            throw new TtlvFormatException(TtlvProblem.BadLength, offset, $"length {length} is not valid for {type}");
        }
    }

    /// <summary>End offsets of the open structures, inline so the reader never touches the heap.</summary>
    [InlineArray(TtlvLimits.DepthCeiling)]
    private struct EndStack
    {
        private int _element;
    }
}
