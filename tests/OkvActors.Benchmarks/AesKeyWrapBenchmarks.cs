using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;

namespace OkvActors.Benchmarks;

/// <summary>
/// The peer of <see cref="KekBenchmarks"/>: RFC 5649 AES key wrap with padding under a 256-bit key, the standard
/// key wrap of KMIP servers and PKCS#11 (CKM_AES_KEY_WRAP_KWP), on the same 32-byte material. It has no associated
/// data, so unlike ours it cannot bind the wrapped key to its UID. The key schedule is set up once, as a server
/// holding its KEK would.
/// </summary>
[ShortJob]
[MemoryDiagnoser]
public class AesKeyWrapBenchmarks
{
    private readonly Aes _kek = Aes.Create();
    private readonly byte[] _material = new byte[32];
    private byte[] _wrapped = [];

    [GlobalSetup]
    public void Setup()
    {
        _kek.Key = RandomNumberGenerator.GetBytes(32);
        _wrapped = _kek.EncryptKeyWrapPadded(_material);
    }

    [GlobalCleanup]
    public void Cleanup() => _kek.Dispose();

    [Benchmark]
    public byte[] Wrap() => _kek.EncryptKeyWrapPadded(_material);

    [Benchmark]
    public byte[] Unwrap() => _kek.DecryptKeyWrapPadded(_wrapped);
}
