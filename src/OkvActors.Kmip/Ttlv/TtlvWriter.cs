using System.Buffers;
using System.Buffers.Binary;
using System.Numerics;
using System.Security.Cryptography;
using System.Text;
using OkvActors.Kmip.Protocol;

namespace OkvActors.Kmip.Ttlv;

/// <summary>
/// Writes TTLV into a pooled buffer. Structures are opened and closed (<see cref="BeginStructure"/> /
/// <see cref="EndStructure"/>) and their length is patched in on close, so a response is written in one pass
/// without measuring it first. Reuse one writer per connection (<see cref="Reset"/>) and encoding allocates nothing.
/// The buffer is zeroed on <see cref="Reset"/> and <see cref="Dispose"/> because responses carry key material.
/// </summary>
public sealed class TtlvWriter : IDisposable
{
    private byte[] _buffer;
    private int _length;
    private int[] _open = new int[TtlvLimits.DepthCeiling];
    private int _depth;

    public TtlvWriter(int initialCapacity = 1024)
    {
        _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(initialCapacity, 64));
    }

    /// <summary>Bytes written so far.</summary>
    public int Length => _length;

    /// <summary>The encoding so far; complete once every structure is closed.</summary>
    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _length);

    public ReadOnlyMemory<byte> WrittenMemory => _buffer.AsMemory(0, _length);

    public void BeginStructure(Tag tag)
    {
        if (_depth == _open.Length)
        {
            Array.Resize(ref _open, _open.Length * 2);
        }

        _open[_depth++] = _length;
        Header(tag, TtlvType.Structure, 0);
    }

    public void EndStructure()
    {
        if (_depth == 0)
        {
            throw new InvalidOperationException("No structure is open.");
        }

        var start = _open[--_depth];
        BinaryPrimitives.WriteUInt32BigEndian(_buffer.AsSpan(start + 4), (uint)(_length - start - 8));
    }

    public void WriteInteger(Tag tag, int value)
    {
        var span = Item(tag, TtlvType.Integer, 4);
        BinaryPrimitives.WriteInt32BigEndian(span, value);
    }

    public void WriteLongInteger(Tag tag, long value) => BinaryPrimitives.WriteInt64BigEndian(Item(tag, TtlvType.LongInteger, 8), value);

    public void WriteEnumeration(Tag tag, uint value) => BinaryPrimitives.WriteUInt32BigEndian(Item(tag, TtlvType.Enumeration, 4), value);

    public void WriteEnumeration<TEnum>(Tag tag, TEnum value)
        where TEnum : struct, Enum => WriteEnumeration(tag, EnumBits.ToUInt32(value));

    public void WriteBoolean(Tag tag, bool value) => BinaryPrimitives.WriteUInt64BigEndian(Item(tag, TtlvType.Boolean, 8), value ? 1UL : 0UL);

    public void WriteDateTime(Tag tag, DateTimeOffset value) => WriteDateTimeSeconds(tag, value.ToUnixTimeSeconds());

    public void WriteDateTimeSeconds(Tag tag, long posixSeconds) => BinaryPrimitives.WriteInt64BigEndian(Item(tag, TtlvType.DateTime, 8), posixSeconds);

    public void WriteInterval(Tag tag, uint seconds) => BinaryPrimitives.WriteUInt32BigEndian(Item(tag, TtlvType.Interval, 4), seconds);

    public void WriteDateTimeExtended(Tag tag, long posixMicroseconds) =>
        BinaryPrimitives.WriteInt64BigEndian(Item(tag, TtlvType.DateTimeExtended, 8), posixMicroseconds);

    public void WriteTextString(Tag tag, ReadOnlySpan<char> value)
    {
        var span = Item(tag, TtlvType.TextString, Encoding.UTF8.GetByteCount(value));
        Encoding.UTF8.GetBytes(value, span);
    }

    public void WriteByteString(Tag tag, ReadOnlySpan<byte> value) => value.CopyTo(Item(tag, TtlvType.ByteString, value.Length));

    /// <summary>Two's complement, big-endian, sign-extended to a multiple of 8 bytes as the spec requires.</summary>
    public void WriteBigInteger(Tag tag, BigInteger value)
    {
        var length = BigIntegerLength(value);
        var span = Item(tag, TtlvType.BigInteger, length);
        var minimal = value.GetByteCount(isUnsigned: false);
        span[..(length - minimal)].Fill(value.Sign < 0 ? (byte)0xFF : (byte)0);
        value.TryWriteBytes(span[(length - minimal)..], out _, isUnsigned: false, isBigEndian: true);
    }

    internal static int BigIntegerLength(BigInteger value) => Math.Max(8, TtlvReader.Padded(value.GetByteCount(isUnsigned: false)));

    /// <summary>Appends a decoded or built item tree.</summary>
    public void WriteItem(TtlvItem item)
    {
        ArgumentNullException.ThrowIfNull(item);
        item.WriteTo(this);
    }

    /// <summary>Copies the finished encoding to <paramref name="output"/>.</summary>
    public void CopyTo(IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        RequireClosed();
        output.Write(WrittenSpan);
    }

    /// <summary>The finished encoding as a new array.</summary>
    public byte[] ToArray()
    {
        RequireClosed();
        return WrittenSpan.ToArray();
    }

    /// <summary>Zeroes what was written and starts again, keeping the buffer.</summary>
    public void Reset()
    {
        CryptographicOperations.ZeroMemory(_buffer.AsSpan(0, _length));
        _length = 0;
        _depth = 0;
    }

    public void Dispose()
    {
        if (_buffer.Length == 0)
        {
            return;
        }

        CryptographicOperations.ZeroMemory(_buffer.AsSpan(0, _length));
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
        _length = 0;
    }

    private void RequireClosed()
    {
        if (_depth != 0)
        {
            throw new InvalidOperationException($"{_depth} structure(s) still open.");
        }
    }

    private void Header(Tag tag, TtlvType type, int length)
    {
        var span = Reserve(8);
        var value = (uint)tag;
        span[0] = (byte)(value >> 16);
        span[1] = (byte)(value >> 8);
        span[2] = (byte)value;
        span[3] = (byte)type;
        BinaryPrimitives.WriteUInt32BigEndian(span[4..], (uint)length);
    }

    /// <summary>Writes a header and returns the value span; the padding after it is already zero.</summary>
    private Span<byte> Item(Tag tag, TtlvType type, int length)
    {
        Header(tag, type, length);
        var padded = TtlvReader.Padded(length);
        var span = Reserve(padded);
        span[length..].Clear();
        return span[..length];
    }

    private Span<byte> Reserve(int count)
    {
        if (_buffer.Length - _length < count)
        {
            var grown = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, _length + count));
            _buffer.AsSpan(0, _length).CopyTo(grown);
            CryptographicOperations.ZeroMemory(_buffer.AsSpan(0, _length));
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = grown;
        }

        var span = _buffer.AsSpan(_length, count);
        _length += count;
        return span;
    }
}
