using System.Security.Cryptography;
using System.Text;
using OkvActors.Crypto.Keys;
using OkvActors.Crypto.Operations;
using Xunit;
using static OkvActors.Crypto.Tests.TestKeys;

namespace OkvActors.Crypto.Tests.Operations;

public class SignerTests
{
    private static readonly byte[] Data = Encoding.UTF8.GetBytes("KMIP Sign request payload");

    public static TheoryData<SignatureAlgorithm> All => new(Enum.GetValues<SignatureAlgorithm>());

    [Theory]
    [MemberData(nameof(All))]
    public void Verify_accepts_what_Sign_signed(SignatureAlgorithm algorithm)
    {
        var pair = KeyFor(algorithm);

        var signature = Signer.Sign(algorithm, pair.PrivateKeyPkcs8, Data);

        Assert.True(Signer.Verify(algorithm, pair.PublicKeySpki, Data, signature));
    }

    [Theory]
    [MemberData(nameof(All))]
    public void Verify_rejects_altered_data(SignatureAlgorithm algorithm)
    {
        var pair = KeyFor(algorithm);
        var signature = Signer.Sign(algorithm, pair.PrivateKeyPkcs8, Data);
        var altered = (byte[])Data.Clone();
        altered[0] ^= 0x01;

        Assert.False(Signer.Verify(algorithm, pair.PublicKeySpki, altered, signature));
    }

    [Theory]
    [MemberData(nameof(All))]
    public void Verify_rejects_an_altered_signature(SignatureAlgorithm algorithm)
    {
        var pair = KeyFor(algorithm);
        var signature = Signer.Sign(algorithm, pair.PrivateKeyPkcs8, Data);
        signature[^1] ^= 0x01;

        Assert.False(Signer.Verify(algorithm, pair.PublicKeySpki, Data, signature));
    }

    [Theory]
    [MemberData(nameof(All))]
    public void Verify_rejects_malformed_signatures_without_throwing(SignatureAlgorithm algorithm)
    {
        var pair = KeyFor(algorithm);

        Assert.False(Signer.Verify(algorithm, pair.PublicKeySpki, Data, []));
        Assert.False(Signer.Verify(algorithm, pair.PublicKeySpki, Data, [0x30, 0x03, 0x02, 0x01]));
        Assert.False(Signer.Verify(algorithm, pair.PublicKeySpki, Data, RandomNumberGenerator.GetBytes(600)));
    }

    [Fact]
    public void Verify_rejects_a_signature_by_another_key()
    {
        var signature = Signer.Sign(SignatureAlgorithm.RsaPssSha256, OtherRsa.PrivateKeyPkcs8, Data);

        Assert.False(Signer.Verify(SignatureAlgorithm.RsaPssSha256, Rsa.PublicKeySpki, Data, signature));
    }

    [Fact]
    public void Verify_rejects_a_signature_made_with_another_padding_or_hash()
    {
        var pss = Signer.Sign(SignatureAlgorithm.RsaPssSha256, Rsa.PrivateKeyPkcs8, Data);
        var pkcs1 = Signer.Sign(SignatureAlgorithm.RsaPkcs1Sha256, Rsa.PrivateKeyPkcs8, Data);
        var ecdsa = Signer.Sign(SignatureAlgorithm.EcdsaSha256, P256.PrivateKeyPkcs8, Data);

        Assert.False(Signer.Verify(SignatureAlgorithm.RsaPkcs1Sha256, Rsa.PublicKeySpki, Data, pss));
        Assert.False(Signer.Verify(SignatureAlgorithm.RsaPssSha256, Rsa.PublicKeySpki, Data, pkcs1));
        Assert.False(Signer.Verify(SignatureAlgorithm.RsaPkcs1Sha384, Rsa.PublicKeySpki, Data, pkcs1));
        Assert.False(Signer.Verify(SignatureAlgorithm.EcdsaSha384, P256.PublicKeySpki, Data, ecdsa));
    }

    [Fact]
    public void Pkcs1_signatures_are_deterministic_and_pss_signatures_are_not()
    {
        Assert.Equal(
            Signer.Sign(SignatureAlgorithm.RsaPkcs1Sha256, Rsa.PrivateKeyPkcs8, Data),
            Signer.Sign(SignatureAlgorithm.RsaPkcs1Sha256, Rsa.PrivateKeyPkcs8, Data));
        Assert.NotEqual(
            Signer.Sign(SignatureAlgorithm.RsaPssSha256, Rsa.PrivateKeyPkcs8, Data),
            Signer.Sign(SignatureAlgorithm.RsaPssSha256, Rsa.PrivateKeyPkcs8, Data));
    }

    [Theory]
    [InlineData(SignatureAlgorithm.RsaPssSha384)]
    [InlineData(SignatureAlgorithm.RsaPkcs1Sha512)]
    public void Rsa_signatures_are_standard_ones_the_platform_verifies(SignatureAlgorithm algorithm)
    {
        var signature = Signer.Sign(algorithm, Rsa.PrivateKeyPkcs8, Data);
        using var rsa = RSA.Create();
        rsa.ImportSubjectPublicKeyInfo(Rsa.PublicKeySpki, out _);

        var (hash, padding) = algorithm == SignatureAlgorithm.RsaPssSha384
            ? (HashAlgorithmName.SHA384, RSASignaturePadding.Pss)
            : (HashAlgorithmName.SHA512, RSASignaturePadding.Pkcs1);
        Assert.Equal(256, signature.Length);
        Assert.True(rsa.VerifyData(Data, signature, hash, padding));
    }

    [Fact]
    public void Ecdsa_signatures_are_der_sequences_the_platform_verifies()
    {
        var signature = Signer.Sign(SignatureAlgorithm.EcdsaSha384, P384.PrivateKeyPkcs8, Data);
        using var ecdsa = ECDsa.Create();
        ecdsa.ImportSubjectPublicKeyInfo(P384.PublicKeySpki, out _);

        Assert.Equal(0x30, signature[0]);
        Assert.True(ecdsa.VerifyData(Data, signature, HashAlgorithmName.SHA384, DSASignatureFormat.Rfc3279DerSequence));
    }

    [Fact]
    public void Rsa_algorithms_refuse_an_ec_key()
    {
        var e = Assert.Throws<CryptoOperationException>(() => Signer.Sign(SignatureAlgorithm.RsaPssSha256, P256.PrivateKeyPkcs8, Data));

        Assert.Equal(CryptoProblem.InvalidKey, e.Problem);
        Assert.Equal("RSA-PSS with SHA-256 signing needs an RSA private key (PKCS#8), not an EC private key (PKCS#8)", e.Message);
        AssertNoBytesIn(e, P256.PrivateKeyPkcs8);
    }

    [Fact]
    public void Ecdsa_refuses_an_rsa_key()
    {
        var sign = Assert.Throws<CryptoOperationException>(() => Signer.Sign(SignatureAlgorithm.EcdsaSha256, Rsa.PrivateKeyPkcs8, Data));
        var verify = Assert.Throws<CryptoOperationException>(() => Signer.Verify(SignatureAlgorithm.EcdsaSha256, Rsa.PublicKeySpki, Data, new byte[64]));

        Assert.Equal("ECDSA with SHA-256 signing needs an EC private key (PKCS#8), not an RSA private key (PKCS#8)", sign.Message);
        Assert.Equal("ECDSA with SHA-256 verification needs an EC public key (SubjectPublicKeyInfo), not an RSA public key (SubjectPublicKeyInfo)", verify.Message);
    }

    [Fact]
    public void Sign_refuses_a_public_key_and_Verify_refuses_a_private_key()
    {
        var sign = Assert.Throws<CryptoOperationException>(() => Signer.Sign(SignatureAlgorithm.EcdsaSha256, P256.PublicKeySpki, Data));
        var verify = Assert.Throws<CryptoOperationException>(() => Signer.Verify(SignatureAlgorithm.RsaPkcs1Sha256, Rsa.PrivateKeyPkcs8, Data, new byte[256]));

        Assert.Equal(CryptoProblem.InvalidKey, sign.Problem);
        Assert.Equal(CryptoProblem.InvalidKey, verify.Problem);
        AssertNoBytesIn(verify, Rsa.PrivateKeyPkcs8.AsSpan(0, 64));
    }

    [Fact]
    public void An_unknown_algorithm_is_refused()
    {
        var e = Assert.Throws<CryptoOperationException>(() => Signer.Sign((SignatureAlgorithm)42, Rsa.PrivateKeyPkcs8, Data));

        Assert.Equal(CryptoProblem.Unsupported, e.Problem);
    }

    private static KeyPair KeyFor(SignatureAlgorithm algorithm) => algorithm switch
    {
        SignatureAlgorithm.EcdsaSha256 => P256,
        SignatureAlgorithm.EcdsaSha384 => P384,
        SignatureAlgorithm.EcdsaSha512 => P521,
        _ => Rsa,
    };
}
