using BenchmarkDotNet.Attributes;
using OkvActors.Crypto.Kek;

namespace OkvActors.Benchmarks;

/// <summary>Wrapping a 256-bit key under the cluster KEK (every create) and unwrapping it (every encrypt/decrypt).</summary>
[ShortJob]
[MemoryDiagnoser]
public class KekBenchmarks
{
    private const string Uid = "0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b";
    private readonly KeyEncryptionKey _kek = KeyEncryptionKey.Generate();
    private readonly byte[] _material = new byte[32];
    private byte[] _wrapped = [];

    [GlobalSetup]
    public void Setup() => _wrapped = _kek.Wrap(_material, Uid);

    [GlobalCleanup]
    public void Cleanup() => _kek.Dispose();

    [Benchmark]
    public byte[] Wrap() => _kek.Wrap(_material, Uid);

    [Benchmark]
    public byte[] Unwrap() => _kek.Unwrap(_wrapped, Uid);
}
