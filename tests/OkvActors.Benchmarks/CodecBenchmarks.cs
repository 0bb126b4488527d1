using BenchmarkDotNet.Attributes;
using OkvActors.KeyStore.Model;

namespace OkvActors.Benchmarks;

/// <summary>The deterministic object encoding every shard digest, delta and durable event is built from.</summary>
[ShortJob]
[MemoryDiagnoser]
public class CodecBenchmarks
{
    private readonly ManagedObject _object = Samples.Key(1);
    private byte[] _encoded = [];

    [GlobalSetup]
    public void Setup() => _encoded = ManagedObjectCodec.Encode(_object);

    [Benchmark]
    public byte[] Encode() => ManagedObjectCodec.Encode(_object);

    [Benchmark]
    public ManagedObject Decode() => ManagedObjectCodec.Decode(_encoded);
}
