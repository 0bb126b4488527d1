using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using OkvActors.Crypto.Kek;

namespace OkvActors.KeyStore.Model;

/// <summary>How far an object's lifecycle has moved; it only ever moves forward (merge = max).</summary>
public enum Progress
{
    PreActive = 0,
    Active = 1,
    Deactivated = 2,
    Destroyed = 3,
}

/// <summary>
/// A KMIP managed object as a state-based CRDT. Identity and key material are immutable; the lifecycle is
/// a join (progress only moves forward, compromise is a one-way flag, each date keeps its earliest value);
/// mutable attributes are last-writer-wins registers ordered by <see cref="Hlc"/>. A destroyed object keeps
/// its metadata as a tombstone and drops its material on every replica it reaches.
/// </summary>
public sealed class ManagedObject
{
    // An object keeps the SHA-256 of its encoding and the encoding's length, not the encoding: a replica holds a million
    // objects, and the bytes (~300 each) were a third of its heap (ReplicaMemoryProbe, RESULTS.md). Whoever needs the
    // bytes (a message, a durable row) encodes the object again; the encoding is deterministic.
    private Sha256Value _hash;
    private int _encodedLength;
    private volatile bool _hashed;

    public ManagedObject(
        string uid,
        ObjectType type,
        int algorithm,
        int length,
        DateTimeOffset initialDate,
        string creator,
        byte[]? wrappedMaterial,
        Progress progress,
        bool compromised,
        LifecycleDates dates,
        RevocationReason? revocationReason,
        Register<ImmutableArray<string>> names,
        Register<int> usageMask,
        Register<string?> wallet,
        ImmutableSortedDictionary<string, Register<string?>> custom,
        ImmutableSortedDictionary<LinkType, Register<string?>> links)
    {
        Uid = uid;
        Type = type;
        Algorithm = algorithm;
        Length = length;
        InitialDate = initialDate;
        Creator = creator;
        WrappedMaterial = progress == Progress.Destroyed ? null : wrappedMaterial;
        Progress = progress;
        Compromised = compromised;
        Dates = dates;
        RevocationReason = revocationReason;
        Names = names;
        UsageMask = usageMask;
        Wallet = wallet;
        Custom = custom;
        Links = links;
    }

    public string Uid { get; }

    public ObjectType Type { get; }

    /// <summary>KMIP Cryptographic Algorithm value (0 where none applies, e.g. opaque objects).</summary>
    public int Algorithm { get; }

    /// <summary>Cryptographic length in bits (0 where none applies).</summary>
    public int Length { get; }

    public DateTimeOffset InitialDate { get; }

    /// <summary>The node that created the object (where its material was generated or registered).</summary>
    public string Creator { get; }

    /// <summary>The material wrapped under the cluster KEK (UID as associated data); null once destroyed.</summary>
    public byte[]? WrappedMaterial { get; }

    public Progress Progress { get; }

    public bool Compromised { get; }

    public LifecycleDates Dates { get; }

    public RevocationReason? RevocationReason { get; }

    public Register<ImmutableArray<string>> Names { get; }

    /// <summary>KMIP Cryptographic Usage Mask bits.</summary>
    public Register<int> UsageMask { get; }

    public Register<string?> Wallet { get; }

    /// <summary>Custom attributes ("x-..."); a null value is a deletion that still wins by its stamp.</summary>
    public ImmutableSortedDictionary<string, Register<string?>> Custom { get; }

    public ImmutableSortedDictionary<LinkType, Register<string?>> Links { get; }

    /// <summary>The KMIP state this lifecycle means.</summary>
    public LifecycleState State => (Progress, Compromised) switch
    {
        (Progress.Destroyed, true) => LifecycleState.DestroyedCompromised,
        (Progress.Destroyed, false) => LifecycleState.Destroyed,
        (_, true) => LifecycleState.Compromised,
        (Progress.PreActive, _) => LifecycleState.PreActive,
        (Progress.Active, _) => LifecycleState.Active,
        _ => LifecycleState.Deactivated,
    };

    public bool IsDestroyed => Progress == Progress.Destroyed;

    /// <summary>The length of this object's encoding (<see cref="ManagedObjectCodec"/>), known once it is hashed.</summary>
    public int EncodedLength
    {
        get
        {
            EnsureHashed();
            return _encodedLength;
        }
    }

    /// <summary>
    /// Whether <paramref name="other"/> is this object in the same state: equal encodings, compared by their SHA-256
    /// (computed once per object and kept inline).
    /// </summary>
    public bool SameAs(ManagedObject other)
    {
        if (ReferenceEquals(this, other))
        {
            return true;
        }

        EnsureHashed();
        other.EnsureHashed();
        return ((ReadOnlySpan<byte>)_hash).SequenceEqual(other._hash);
    }

    /// <summary>
    /// SHA-256 of the encoding: a shard's digest hashes these instead of every object's whole encoding
    /// (<see cref="Replication.KeyShard.Digest"/>).
    /// </summary>
    internal void CopyHashTo(Span<byte> destination)
    {
        EnsureHashed();
        ((ReadOnlySpan<byte>)_hash).CopyTo(destination);
    }

    // Two threads may both compute it; they write the same values, the flag last.
    private void EnsureHashed()
    {
        if (!_hashed)
        {
            _encodedLength = ManagedObjectCodec.Hash(this, _hash);
            _hashed = true;
        }
    }

    /// <summary>Takes the hash of bytes this object was just decoded from, which are its encoding (before anyone else sees it).</summary>
    internal ManagedObject WithHashOf(ReadOnlySpan<byte> encoded)
    {
        SHA256.HashData(encoded, _hash);
        _encodedLength = encoded.Length;
        _hashed = true;
        return this;
    }

    public static ManagedObject Create(string uid, ObjectType type, int algorithm, int length, byte[]? wrappedMaterial,
        Hlc stamp, DateTimeOffset now, IEnumerable<string>? names = null, int usageMask = 0, string? wallet = null) =>
        new(uid, type, algorithm, length, now, stamp.Node, wrappedMaterial, Progress.PreActive, false, LifecycleDates.None, null,
            new Register<ImmutableArray<string>>([.. names ?? []], stamp),
            new Register<int>(usageMask, stamp),
            new Register<string?>(wallet, stamp),
            ImmutableSortedDictionary.Create<string, Register<string?>>(StringComparer.Ordinal),
            ImmutableSortedDictionary<LinkType, Register<string?>>.Empty);

    /// <summary>
    /// The join of two replicas of the same object: commutative, associative and idempotent, and a
    /// destroyed replica always wins over material (no destroyed object comes back).
    /// </summary>
    public ManagedObject Merge(ManagedObject other)
    {
        if (ReferenceEquals(this, other))
        {
            return this;
        }

        if (other.Uid != Uid)
        {
            throw new ArgumentException($"cannot merge object {other.Uid} into {Uid}", nameof(other));
        }

        var progress = (Progress)Math.Max((int)Progress, (int)other.Progress);
        return new ManagedObject(
            Uid, Type, Algorithm, Length, InitialDate, Creator,
            progress == Progress.Destroyed ? null : PickMaterial(WrappedMaterial, other.WrappedMaterial),
            progress,
            Compromised || other.Compromised,
            Dates.Merge(other.Dates),
            MergeReason(RevocationReason, other.RevocationReason),
            Names.Merge(other.Names),
            UsageMask.Merge(other.UsageMask),
            Wallet.Merge(other.Wallet),
            MergeMap(Custom, other.Custom),
            MergeMap(Links, other.Links));
    }

    internal ManagedObject With(
        Progress? progress = null,
        bool? compromised = null,
        LifecycleDates? dates = null,
        RevocationReason? revocationReason = null,
        Register<ImmutableArray<string>>? names = null,
        Register<int>? usageMask = null,
        Register<string?>? wallet = null,
        ImmutableSortedDictionary<string, Register<string?>>? custom = null,
        ImmutableSortedDictionary<LinkType, Register<string?>>? links = null) =>
        new(Uid, Type, Algorithm, Length, InitialDate, Creator, WrappedMaterial,
            progress ?? Progress, compromised ?? Compromised, dates ?? Dates, revocationReason ?? RevocationReason,
            names ?? Names, usageMask ?? UsageMask, wallet ?? Wallet, custom ?? Custom, links ?? Links);

    /// <summary>
    /// The same object with its material re-wrapped (a KEK rotation): the blob names a newer KEK generation,
    /// so it wins every merge with the old one. A destroyed object has no material to re-wrap.
    /// </summary>
    public ManagedObject WithRewrappedMaterial(byte[] wrappedMaterial) =>
        new(Uid, Type, Algorithm, Length, InitialDate, Creator, wrappedMaterial,
            Progress, Compromised, Dates, RevocationReason, Names, UsageMask, Wallet, Custom, Links);

    private static byte[]? PickMaterial(byte[]? a, byte[]? b)
    {
        // Material is written once at creation and changes only when a KEK rotation re-wraps it: the blob
        // under the newer KEK generation wins; equal generations (replicas agree, or two re-wraps raced)
        // fall back to the byte order, which keeps merge a join.
        if (a is null || b is null)
        {
            return a ?? b;
        }

        var (generationA, generationB) = (KeyEncryptionKey.GenerationOf(a), KeyEncryptionKey.GenerationOf(b));
        if (generationA != generationB)
        {
            return generationA > generationB ? a : b;
        }

        return a.AsSpan().SequenceCompareTo(b) <= 0 ? a : b;
    }

    // A compromise can follow a revocation for another reason, never the reverse, so a compromise reason
    // outranks every other one (else a stale Deactivated replica turns KeyCompromise back into Unspecified);
    // within each group the lower value wins, which keeps this a join.
    private static RevocationReason? MergeReason(RevocationReason? a, RevocationReason? b) =>
        a is null ? b : b is null ? a : ReasonRank(a.Value) <= ReasonRank(b.Value) ? a : b;

    private static int ReasonRank(RevocationReason reason) =>
        reason is Model.RevocationReason.KeyCompromise or Model.RevocationReason.CaCompromise ? (int)reason : 1000 + (int)reason;

    private static ImmutableSortedDictionary<TKey, Register<string?>> MergeMap<TKey>(
        ImmutableSortedDictionary<TKey, Register<string?>> a, ImmutableSortedDictionary<TKey, Register<string?>> b)
        where TKey : notnull
    {
        if (b.IsEmpty || ReferenceEquals(a, b))
        {
            return a;
        }

        var builder = a.ToBuilder();
        foreach (var (key, register) in b)
        {
            builder[key] = builder.TryGetValue(key, out var mine) ? mine.Merge(register) : register;
        }

        return builder.ToImmutable();
    }

    public override string ToString() => $"{Type} {Uid} ({State})";
}

/// <summary>When each lifecycle step happened; each keeps its earliest value across replicas.</summary>
public sealed record LifecycleDates(
    DateTimeOffset? Activation,
    DateTimeOffset? Deactivation,
    DateTimeOffset? Compromise,
    DateTimeOffset? Destroy)
{
    public static readonly LifecycleDates None = new(null, null, null, null);

    public LifecycleDates Merge(LifecycleDates other) => new(
        Earliest(Activation, other.Activation),
        Earliest(Deactivation, other.Deactivation),
        Earliest(Compromise, other.Compromise),
        Earliest(Destroy, other.Destroy));

    private static DateTimeOffset? Earliest(DateTimeOffset? a, DateTimeOffset? b) =>
        a is null ? b : b is null ? a : a <= b ? a : b;
}

/// <summary>A SHA-256 value held inline in its owner.</summary>
[InlineArray(SHA256.HashSizeInBytes)]
internal struct Sha256Value
{
    private byte _first;
}
