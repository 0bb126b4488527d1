using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text;

namespace OkvActors.KeyStore.Model;

/// <summary>
/// The deterministic binary form of a <see cref="ManagedObject"/>: fixed field order, maps in key order,
/// dates as UTC ticks. Equal objects have equal bytes, which is what makes replica digests comparable
/// and an idle cluster quiet. Versioned by its first byte.
/// </summary>
public static class ManagedObjectCodec
{
    public const byte Version = 1;

    public static byte[] Encode(ManagedObject o)
    {
        var w = new ArrayBufferWriter<byte>(256);
        Encode(o, w);
        return w.WrittenSpan.ToArray();
    }

    /// <summary>Writes the encoding of <paramref name="o"/> to <paramref name="w"/> (a message being built, a scratch buffer).</summary>
    public static void Encode(ManagedObject o, IBufferWriter<byte> w)
    {
        Byte(w, Version);
        String(w, o.Uid);
        Int(w, (int)o.Type);
        Int(w, o.Algorithm);
        Int(w, o.Length);
        Long(w, o.InitialDate.UtcTicks);
        String(w, o.Creator);
        Bytes(w, o.WrappedMaterial);
        Byte(w, (byte)o.Progress);
        Byte(w, o.Compromised ? (byte)1 : (byte)0);
        Date(w, o.Dates.Activation);
        Date(w, o.Dates.Deactivation);
        Date(w, o.Dates.Compromise);
        Date(w, o.Dates.Destroy);
        Int(w, o.RevocationReason is { } reason ? (int)reason : 0);
        Stamp(w, o.Names.Stamp);
        Int(w, o.Names.Value.Length);
        foreach (var name in o.Names.Value)
        {
            String(w, name);
        }

        Stamp(w, o.UsageMask.Stamp);
        Int(w, o.UsageMask.Value);
        Stamp(w, o.Wallet.Stamp);
        NullableString(w, o.Wallet.Value);
        Int(w, o.Custom.Count);
        foreach (var (name, register) in o.Custom)
        {
            String(w, name);
            Stamp(w, register.Stamp);
            NullableString(w, register.Value);
        }

        Int(w, o.Links.Count);
        foreach (var (type, register) in o.Links)
        {
            Int(w, (int)type);
            Stamp(w, register.Stamp);
            NullableString(w, register.Value);
        }
    }

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? _scratch;

    /// <summary>
    /// The SHA-256 of the encoding of <paramref name="o"/> into <paramref name="hash"/>, and the encoding's length:
    /// encoded into a buffer reused per thread, so nothing of the encoding outlives the call.
    /// </summary>
    internal static int Hash(ManagedObject o, Span<byte> hash)
    {
        var w = _scratch ??= new ArrayBufferWriter<byte>(512);
        w.ResetWrittenCount();
        Encode(o, w);
        SHA256.HashData(w.WrittenSpan, hash);
        var length = w.WrittenCount;
        if (w.Capacity > MaxScratchBytes)
        {
            // One large object (a certificate chain, an opaque blob) should not pin its size per thread for good.
            _scratch = null;
        }

        return length;
    }

    private const int MaxScratchBytes = 64 * 1024;

    // Most objects have no custom attributes and no links: one shared empty map each instead of one per object.
    private static readonly ImmutableSortedDictionary<string, Register<string?>> NoCustom =
        ImmutableSortedDictionary.Create<string, Register<string?>>(StringComparer.Ordinal);

    private static readonly ImmutableSortedDictionary<LinkType, Register<string?>> NoLinks = ImmutableSortedDictionary<LinkType, Register<string?>>.Empty;

    /// <summary>
    /// Node names recur in every decoded object (its creator, each register's stamp); a replica holding a million
    /// objects keeps one string per name, not four per object. Bounded, as peers are few.
    /// </summary>
    private static readonly ConcurrentDictionary<string, string> NodeNames = new(StringComparer.Ordinal);

    private const int MaxNodeNames = 4096;

    public static ManagedObject Decode(ReadOnlySpan<byte> bytes)
    {
        var r = new Reader(bytes);
        var version = r.Byte();
        if (version != Version)
        {
            throw new FormatException($"managed object encoding version {version} is not supported (this node reads {Version})");
        }

        var uid = r.String();
        var type = (ObjectType)r.Int();
        var algorithm = r.Int();
        var length = r.Int();
        var initial = Reader.Instant(r.Long());
        var creator = r.NodeName();
        var material = r.Bytes();
        var progress = (Progress)r.Byte();
        var compromised = r.Byte() == 1;
        var dates = new LifecycleDates(r.Date(), r.Date(), r.Date(), r.Date()) is var read && read == LifecycleDates.None ? LifecycleDates.None : read;
        var reasonValue = r.Int();
        var namesStamp = r.Stamp();
        var nameCount = r.Int();
        if (nameCount is < 0 or > 4096)
        {
            throw new FormatException($"implausible name count {nameCount}");
        }

        var names = ImmutableArray.CreateBuilder<string>(nameCount);
        for (var i = nameCount; i > 0; i--)
        {
            names.Add(r.String());
        }

        var usageStamp = r.Stamp();
        var usage = new Register<int>(r.Int(), usageStamp);
        var walletStamp = r.Stamp();
        var wallet = new Register<string?>(r.NullableString(), walletStamp);
        var custom = ImmutableSortedDictionary.CreateBuilder<string, Register<string?>>(StringComparer.Ordinal);
        for (var i = r.Int(); i > 0; i--)
        {
            var name = r.String();
            var stamp = r.Stamp();
            custom[name] = new Register<string?>(r.NullableString(), stamp);
        }

        var links = ImmutableSortedDictionary.CreateBuilder<LinkType, Register<string?>>();
        for (var i = r.Int(); i > 0; i--)
        {
            var linkType = (LinkType)r.Int();
            var stamp = r.Stamp();
            links[linkType] = new Register<string?>(r.NullableString(), stamp);
        }

        if (!r.AtEnd)
        {
            throw new FormatException("trailing bytes after a managed object");
        }

        var decoded = new ManagedObject(uid, type, algorithm, length, initial, creator, material, progress, compromised, dates,
            reasonValue == 0 ? null : (RevocationReason)reasonValue,
            new Register<ImmutableArray<string>>(names.MoveToImmutable(), namesStamp),
            usage, wallet, custom.Count == 0 ? NoCustom : custom.ToImmutable(), links.Count == 0 ? NoLinks : links.ToImmutable());
        // The bytes read are the object's encoding (the encoding is deterministic), so their hash is its hash and comparing
        // it needs no second encoding; unless the object dropped what they held (a destroyed object's material), when they
        // are not its encoding and its hash is taken from its own encoding when first asked for.
        return material is not null && decoded.WrappedMaterial is null ? decoded : decoded.WithHashOf(bytes);
    }

    private static void Byte(IBufferWriter<byte> w, byte value)
    {
        w.GetSpan(1)[0] = value;
        w.Advance(1);
    }

    private static void Int(IBufferWriter<byte> w, int value)
    {
        BinaryPrimitives.WriteInt32LittleEndian(w.GetSpan(4), value);
        w.Advance(4);
    }

    private static void Long(IBufferWriter<byte> w, long value)
    {
        BinaryPrimitives.WriteInt64LittleEndian(w.GetSpan(8), value);
        w.Advance(8);
    }

    private static void Date(IBufferWriter<byte> w, DateTimeOffset? value) => Long(w, value?.UtcTicks ?? -1);

    private static void Stamp(IBufferWriter<byte> w, Hlc stamp)
    {
        Long(w, stamp.WallTicks);
        Int(w, stamp.Counter);
        String(w, stamp.Node);
    }

    private static void String(IBufferWriter<byte> w, string value)
    {
        var length = Encoding.UTF8.GetByteCount(value);
        Int(w, length);
        Encoding.UTF8.GetBytes(value, w.GetSpan(length));
        w.Advance(length);
    }

    private static void NullableString(IBufferWriter<byte> w, string? value)
    {
        if (value is null)
        {
            Int(w, -1);
            return;
        }

        String(w, value);
    }

    private static void Bytes(IBufferWriter<byte> w, byte[]? value)
    {
        Int(w, value?.Length ?? -1);
        if (value is { Length: > 0 })
        {
            value.CopyTo(w.GetSpan(value.Length));
            w.Advance(value.Length);
        }
    }

    private ref struct Reader(ReadOnlySpan<byte> bytes)
    {
        private readonly ReadOnlySpan<byte> _bytes = bytes;
        private int _at;

        public readonly bool AtEnd => _at == _bytes.Length;

        public byte Byte() => Take(1)[0];

        public int Int() => BinaryPrimitives.ReadInt32LittleEndian(Take(4));

        public long Long() => BinaryPrimitives.ReadInt64LittleEndian(Take(8));

        public DateTimeOffset? Date() => Long() is var ticks && ticks < 0 ? null : Instant(ticks);

        public static DateTimeOffset Instant(long ticks) => ticks >= 0 && ticks <= DateTimeOffset.MaxValue.UtcTicks
            ? new DateTimeOffset(ticks, TimeSpan.Zero)
            : throw new FormatException($"date ticks {ticks} are out of range");

        public Hlc Stamp() => new(Long(), Int(), NodeName());

        public string NodeName()
        {
            var name = String();
            if (NodeNames.TryGetValue(name, out var shared))
            {
                return shared;
            }

            return NodeNames.Count < MaxNodeNames ? NodeNames.GetOrAdd(name, name) : name;
        }

        public string String() => NullableString() ?? throw new FormatException("a required string is missing");

        public string? NullableString()
        {
            var length = Int();
            return length < 0 ? null : Encoding.UTF8.GetString(Take(length));
        }

        public byte[]? Bytes()
        {
            var length = Int();
            return length < 0 ? null : Take(length).ToArray();
        }

        private ReadOnlySpan<byte> Take(int count)
        {
            if (count < 0 || count > _bytes.Length - _at)
            {
                throw new FormatException("truncated managed object");
            }

            var slice = _bytes.Slice(_at, count);
            _at += count;
            return slice;
        }
    }
}
