using System.Security.Cryptography;
using OkvActors.Crypto.Keys;
using Xunit;

namespace OkvActors.Crypto.Tests.Keys;

public class KeyGeneratorTests
{
    [Theory]
    [InlineData(SymmetricKeyAlgorithm.Aes, 128)]
    [InlineData(SymmetricKeyAlgorithm.Aes, 192)]
    [InlineData(SymmetricKeyAlgorithm.Aes, 256)]
    [InlineData(SymmetricKeyAlgorithm.HmacSha256, 256)]
    [InlineData(SymmetricKeyAlgorithm.HmacSha256, 512)]
    [InlineData(SymmetricKeyAlgorithm.HmacSha384, 384)]
    [InlineData(SymmetricKeyAlgorithm.HmacSha384, 1024)]
    [InlineData(SymmetricKeyAlgorithm.HmacSha512, 512)]
    [InlineData(SymmetricKeyAlgorithm.HmacSha512, 1024)]
    [InlineData(SymmetricKeyAlgorithm.GenericSecret, 8)]
    [InlineData(SymmetricKeyAlgorithm.GenericSecret, 200)]
    [InlineData(SymmetricKeyAlgorithm.GenericSecret, 8192)]
    public void Symmetric_returns_a_key_of_the_requested_length(SymmetricKeyAlgorithm algorithm, int bits)
    {
        var key = KeyGenerator.Symmetric(algorithm, bits);

        Assert.Equal(bits / 8, key.Length);
    }

    [Fact]
    public void Symmetric_keys_differ_every_time()
    {
        var keys = Enumerable.Range(0, 16).Select(_ => Convert.ToHexString(KeyGenerator.Symmetric(SymmetricKeyAlgorithm.Aes, 128)));

        Assert.Equal(16, keys.Distinct().Count());
    }

    [Theory]
    [InlineData(SymmetricKeyAlgorithm.Aes)]
    [InlineData(SymmetricKeyAlgorithm.HmacSha256)]
    [InlineData(SymmetricKeyAlgorithm.HmacSha384)]
    [InlineData(SymmetricKeyAlgorithm.HmacSha512)]
    [InlineData(SymmetricKeyAlgorithm.GenericSecret)]
    public void The_default_length_is_one_Symmetric_accepts(SymmetricKeyAlgorithm algorithm)
    {
        var bits = KeyGenerator.DefaultLengthBits(algorithm);

        Assert.Equal(bits / 8, KeyGenerator.Symmetric(algorithm, bits).Length);
    }

    [Fact]
    public void Aes_keys_of_100_bits_are_refused_with_the_allowed_lengths()
    {
        var e = Assert.Throws<CryptoOperationException>(() => KeyGenerator.Symmetric(SymmetricKeyAlgorithm.Aes, 100));

        Assert.Equal("AES keys are 128, 192 or 256 bits, not 100", e.Message);
        Assert.Equal(CryptoProblem.Unsupported, e.Problem);
    }

    [Theory]
    [InlineData(SymmetricKeyAlgorithm.Aes, 0)]
    [InlineData(SymmetricKeyAlgorithm.Aes, -128)]
    [InlineData(SymmetricKeyAlgorithm.Aes, 64)]
    [InlineData(SymmetricKeyAlgorithm.Aes, 512)]
    [InlineData(SymmetricKeyAlgorithm.HmacSha256, 128)]
    [InlineData(SymmetricKeyAlgorithm.HmacSha256, 260)]
    [InlineData(SymmetricKeyAlgorithm.HmacSha256, 520)]
    [InlineData(SymmetricKeyAlgorithm.HmacSha384, 256)]
    [InlineData(SymmetricKeyAlgorithm.HmacSha384, 1032)]
    [InlineData(SymmetricKeyAlgorithm.HmacSha512, 384)]
    [InlineData(SymmetricKeyAlgorithm.HmacSha512, 2048)]
    [InlineData(SymmetricKeyAlgorithm.GenericSecret, 0)]
    [InlineData(SymmetricKeyAlgorithm.GenericSecret, 4)]
    [InlineData(SymmetricKeyAlgorithm.GenericSecret, 12)]
    [InlineData(SymmetricKeyAlgorithm.GenericSecret, 8200)]
    public void Symmetric_refuses_lengths_the_algorithm_does_not_take(SymmetricKeyAlgorithm algorithm, int bits)
    {
        var e = Assert.Throws<CryptoOperationException>(() => KeyGenerator.Symmetric(algorithm, bits));

        Assert.Equal(CryptoProblem.Unsupported, e.Problem);
        Assert.EndsWith($"not {bits}", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Hmac_refusals_name_the_range()
    {
        var e = Assert.Throws<CryptoOperationException>(() => KeyGenerator.Symmetric(SymmetricKeyAlgorithm.HmacSha384, 256));

        Assert.Equal("HMAC-SHA384 keys are 384 to 1024 bits in whole bytes, not 256", e.Message);
    }

    [Fact]
    public void Symmetric_refuses_an_unknown_algorithm()
    {
        var e = Assert.Throws<CryptoOperationException>(() => KeyGenerator.Symmetric((SymmetricKeyAlgorithm)99, 256));

        Assert.Equal(CryptoProblem.Unsupported, e.Problem);
    }

    [Theory]
    [InlineData(2048)]
    [InlineData(3072)]
    [InlineData(4096)]
    public void Rsa_returns_a_pkcs8_private_key_and_the_matching_spki(int bits)
    {
        using var pair = KeyGenerator.Rsa(bits);
        using var rsa = RSA.Create();
        rsa.ImportPkcs8PrivateKey(pair.PrivateKeyPkcs8, out var read);

        Assert.Equal(pair.PrivateKeyPkcs8.Length, read);
        Assert.Equal(bits, rsa.KeySize);
        Assert.Equal(KeyPairAlgorithm.Rsa, pair.Algorithm);
        Assert.Equal(bits, pair.SizeBits);
        Assert.Equal(rsa.ExportSubjectPublicKeyInfo(), pair.PublicKeySpki);
        Assert.Equal(new byte[] { 0x01, 0x00, 0x01 }, rsa.ExportParameters(false).Exponent);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1024)]
    [InlineData(2047)]
    [InlineData(2049)]
    [InlineData(8192)]
    public void Rsa_refuses_other_sizes(int bits)
    {
        var e = Assert.Throws<CryptoOperationException>(() => KeyGenerator.Rsa(bits));

        Assert.Equal($"RSA keys are 2048, 3072 or 4096 bits, not {bits}", e.Message);
        Assert.Equal(CryptoProblem.Unsupported, e.Problem);
    }

    [Theory]
    [InlineData(EcCurve.P256, 256, "1.2.840.10045.3.1.7")]
    [InlineData(EcCurve.P384, 384, "1.3.132.0.34")]
    [InlineData(EcCurve.P521, 521, "1.3.132.0.35")]
    public void Ec_returns_a_pkcs8_private_key_on_the_named_curve_and_the_matching_spki(EcCurve curve, int bits, string curveOid)
    {
        using var pair = KeyGenerator.Ec(curve);
        using var ecdsa = ECDsa.Create();
        ecdsa.ImportPkcs8PrivateKey(pair.PrivateKeyPkcs8, out var read);

        Assert.Equal(pair.PrivateKeyPkcs8.Length, read);
        Assert.Equal(bits, ecdsa.KeySize);
        Assert.Equal(curveOid, ecdsa.ExportParameters(false).Curve.Oid.Value);
        Assert.Equal(KeyPairAlgorithm.Ec, pair.Algorithm);
        Assert.Equal(bits, pair.SizeBits);
        Assert.Equal(ecdsa.ExportSubjectPublicKeyInfo(), pair.PublicKeySpki);
    }

    [Fact]
    public void Ec_refuses_an_unknown_curve()
    {
        var e = Assert.Throws<CryptoOperationException>(() => KeyGenerator.Ec((EcCurve)7));

        Assert.Equal("EC keys are on P-256, P-384 or P-521, not curve 7", e.Message);
    }

    [Fact]
    public void Key_pairs_differ_every_time()
    {
        using var a = KeyGenerator.Ec(EcCurve.P256);
        using var b = KeyGenerator.Ec(EcCurve.P256);

        Assert.NotEqual(a.PublicKeySpki, b.PublicKeySpki);
    }

    [Fact]
    public void Disposing_a_key_pair_zeroes_its_private_key()
    {
        var pair = KeyGenerator.Ec(EcCurve.P256);
        var privateKey = pair.PrivateKeyPkcs8;

        pair.Dispose();

        Assert.All(privateKey, b => Assert.Equal(0, b));
        Assert.Throws<ObjectDisposedException>(() => pair.PrivateKeyPkcs8);
        Assert.NotEmpty(pair.PublicKeySpki);
    }
}
