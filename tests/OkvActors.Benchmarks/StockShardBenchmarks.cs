using System.Collections.Immutable;
using System.Linq.Expressions;
using System.Reflection;
using System.Security.Cryptography;
using Akka.Actor;
using Akka.Cluster;
using Akka.Configuration;
using Akka.DistributedData;
using Akka.DistributedData.Internal;
using Akka.Serialization;
using BenchmarkDotNet.Attributes;
using OkvActors.KeyStore.Model;

namespace OkvActors.Benchmarks;

/// <summary>
/// The peer of <see cref="KeyShardBenchmarks"/>: the same operations on the stock Akka.DistributedData
/// <see cref="LWWDictionary{TKey,TValue}"/> (UID → the object's encoding, the bytes our shard holds), at the same
/// sizes. The method names match <see cref="KeyShardBenchmarks"/> so the lab pairs them.
/// </summary>
[ShortJob]
[MemoryDiagnoser]
public class StockShardBenchmarks
{
    private static readonly UniqueAddress Self = new(new Address("akka.tcp", "okv", "10.0.0.1", 4053), 1);
    private static readonly UniqueAddress Writer = new(new Address("akka.tcp", "okv", "10.0.0.2", 4053), 2);

    /// <summary>DataEnvelope's constructor is internal; the Replicator digests an envelope, so the peer does too.</summary>
    private static readonly Func<IReplicatedData, DataEnvelope> Envelope = CompileEnvelope();

    private ActorSystem _system = null!;
    private Serializer _envelopeSerializer = null!;
    private LWWDictionary<string, byte[]> _shard = LWWDictionary<string, byte[]>.Empty;
    private ORDictionary<string, LWWRegister<byte[]>>.IDeltaOperation _delta = null!;
    private LWWDictionary<string, byte[]> _incoming = LWWDictionary<string, byte[]>.Empty;
    private string _freshUid = "";
    private byte[] _freshEncoding = [];

    [Params(250, 1000, 4000)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        // Only for the serializers Distributed Data registers: no cluster, no Replicator.
        _system = ActorSystem.Create("okv-bench-stock", ConfigurationFactory.ParseString("akka.loglevel = WARNING")
            .WithFallback(DistributedData.DefaultConfig()));
        _envelopeSerializer = _system.Serialization.FindSerializerForType(typeof(DataEnvelope));

        _shard = Enumerable.Range(0, Size).Select(Samples.Key)
            .Aggregate(LWWDictionary<string, byte[]>.Empty, (d, o) => d.SetItem(Self, o.Uid, ManagedObjectCodec.Encode(o)))
            .ResetDelta();
        var fresh = Samples.Key(-1);
        _freshUid = fresh.Uid;
        _freshEncoding = ManagedObjectCodec.Encode(fresh);
        // What the Replicator propagates: the delta of one write on another replica holding the same state.
        _delta = _shard.SetItem(Writer, _freshUid, _freshEncoding).Delta;
        _incoming = LWWDictionary<string, byte[]>.Empty.SetItem(Writer, _freshUid, _freshEncoding).ResetDelta();

        // A merge that silently did nothing would be timed as a fast one.
        if (MergeDelta().Count != Size + 1 || MergeFullState().Count != Size + 1 || !MergeDelta().ContainsKey(_freshUid))
        {
            throw new InvalidOperationException("the stock dictionary did not take the new entry");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _system.Terminate().Wait(TimeSpan.FromSeconds(30));

    [Benchmark(Description = "MergeDelta (1 new object)")]
    public LWWDictionary<string, byte[]> MergeDelta() => _shard.MergeDelta(_delta);

    [Benchmark(Description = "Put (local write)")]
    public LWWDictionary<string, byte[]> Put() => _shard.SetItem(Self, _freshUid, _freshEncoding);

    [Benchmark(Description = "Merge (full state of 1 object)")]
    public LWWDictionary<string, byte[]> MergeFullState() => _shard.Merge(_incoming);

    /// <summary>
    /// Akka's Replicator digest of a stock type (Replicator.Digest): SHA-1 over the serialized envelope, which
    /// serializes (and GZips) the whole dictionary. Computed lazily once per changed state, as ours is.
    /// </summary>
    [Benchmark(Description = "Digest after a change")]
    public byte[] DigestAfterChange()
    {
        using var sha1 = SHA1.Create();
        return sha1.ComputeHash(_envelopeSerializer.ToBinary(Envelope(_shard.MergeDelta(_delta))));
    }

    private static Func<IReplicatedData, DataEnvelope> CompileEnvelope()
    {
        var constructor = typeof(DataEnvelope).GetConstructor(BindingFlags.Instance | BindingFlags.NonPublic,
            [typeof(IReplicatedData), typeof(ImmutableDictionary<UniqueAddress, IPruningState>), typeof(VersionVector)])
            ?? throw new InvalidOperationException("DataEnvelope(IReplicatedData, pruning, deltaVersions) not found in this Akka.DistributedData");
        var data = Expression.Parameter(typeof(IReplicatedData), "data");
        return Expression.Lambda<Func<IReplicatedData, DataEnvelope>>(
            Expression.New(constructor, data,
                Expression.Constant(ImmutableDictionary<UniqueAddress, IPruningState>.Empty),
                Expression.Constant(VersionVector.Empty, typeof(VersionVector))),
            data).Compile();
    }
}
