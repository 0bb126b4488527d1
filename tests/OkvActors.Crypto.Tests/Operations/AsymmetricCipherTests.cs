using System.Security.Cryptography;
using System.Text;
using OkvActors.Crypto.Operations;
using Xunit;
using static OkvActors.Crypto.Tests.TestKeys;

namespace OkvActors.Crypto.Tests.Operations;

public class AsymmetricCipherTests
{
    private static readonly byte[] Plaintext = Encoding.UTF8.GetBytes("a 32-byte data key, more or less");

    [Theory]
    [InlineData(OaepHash.Sha1)]
    [InlineData(OaepHash.Sha256)]
    public void Decrypt_returns_what_Encrypt_encrypted(OaepHash hash)
    {
        var ciphertext = AsymmetricCipher.Encrypt(hash, Rsa.PublicKeySpki, Plaintext);

        Assert.Equal(256, ciphertext.Length);
        Assert.Equal(Plaintext, AsymmetricCipher.Decrypt(hash, Rsa.PrivateKeyPkcs8, ciphertext));
    }

    [Theory]
    [InlineData(OaepHash.Sha1)]
    [InlineData(OaepHash.Sha256)]
    public void Encrypt_is_standard_oaep_that_the_platform_decrypts(OaepHash hash)
    {
        var ciphertext = AsymmetricCipher.Encrypt(hash, Rsa.PublicKeySpki, Plaintext);
        using var rsa = RSA.Create();
        rsa.ImportPkcs8PrivateKey(Rsa.PrivateKeyPkcs8, out _);

        var padding = hash == OaepHash.Sha1 ? RSAEncryptionPadding.OaepSHA1 : RSAEncryptionPadding.OaepSHA256;
        Assert.Equal(Plaintext, rsa.Decrypt(ciphertext, padding));
    }

    [Fact]
    public void Encrypting_twice_gives_different_ciphertexts()
    {
        Assert.NotEqual(
            AsymmetricCipher.Encrypt(OaepHash.Sha256, Rsa.PublicKeySpki, Plaintext),
            AsymmetricCipher.Encrypt(OaepHash.Sha256, Rsa.PublicKeySpki, Plaintext));
    }

    [Theory]
    [InlineData(OaepHash.Sha1, 214)]
    [InlineData(OaepHash.Sha256, 190)]
    public void The_longest_plaintext_fits_and_one_byte_more_is_refused(OaepHash hash, int max)
    {
        Assert.Equal(max, AsymmetricCipher.MaxPlaintextLength(hash, 2048));
        var longest = RandomNumberGenerator.GetBytes(max);

        Assert.Equal(longest, AsymmetricCipher.Decrypt(hash, Rsa.PrivateKeyPkcs8, AsymmetricCipher.Encrypt(hash, Rsa.PublicKeySpki, longest)));
        var e = Assert.Throws<CryptoOperationException>(() => AsymmetricCipher.Encrypt(hash, Rsa.PublicKeySpki, new byte[max + 1]));
        Assert.Equal(CryptoProblem.InvalidInput, e.Problem);
        Assert.Contains($"at most {max} bytes, not {max + 1}", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decrypt_with_another_key_fails()
    {
        var ciphertext = AsymmetricCipher.Encrypt(OaepHash.Sha256, Rsa.PublicKeySpki, Plaintext);

        var e = Assert.Throws<CryptoOperationException>(() => AsymmetricCipher.Decrypt(OaepHash.Sha256, OtherRsa.PrivateKeyPkcs8, ciphertext));

        Assert.Equal(CryptoProblem.DecryptionFailed, e.Problem);
        AssertNoBytesIn(e, OtherRsa.PrivateKeyPkcs8.AsSpan(0, 64));
    }

    [Fact]
    public void Decrypt_with_the_other_hash_fails()
    {
        var ciphertext = AsymmetricCipher.Encrypt(OaepHash.Sha256, Rsa.PublicKeySpki, Plaintext);

        var e = Assert.Throws<CryptoOperationException>(() => AsymmetricCipher.Decrypt(OaepHash.Sha1, Rsa.PrivateKeyPkcs8, ciphertext));

        Assert.Equal(CryptoProblem.DecryptionFailed, e.Problem);
    }

    [Fact]
    public void Decrypt_of_an_altered_ciphertext_fails()
    {
        var ciphertext = AsymmetricCipher.Encrypt(OaepHash.Sha256, Rsa.PublicKeySpki, Plaintext);
        ciphertext[100] ^= 0x01;

        var e = Assert.Throws<CryptoOperationException>(() => AsymmetricCipher.Decrypt(OaepHash.Sha256, Rsa.PrivateKeyPkcs8, ciphertext));

        Assert.Equal(CryptoProblem.DecryptionFailed, e.Problem);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(255)]
    [InlineData(257)]
    public void Decrypt_refuses_a_ciphertext_that_is_not_the_modulus_length(int length)
    {
        var e = Assert.Throws<CryptoOperationException>(() => AsymmetricCipher.Decrypt(OaepHash.Sha256, Rsa.PrivateKeyPkcs8, new byte[length]));

        Assert.Equal(CryptoProblem.InvalidInput, e.Problem);
        Assert.Equal($"RSA-OAEP ciphertext for a 2048-bit key is 256 bytes, not {length}", e.Message);
    }

    [Fact]
    public void Encrypt_refuses_an_ec_public_key()
    {
        var e = Assert.Throws<CryptoOperationException>(() => AsymmetricCipher.Encrypt(OaepHash.Sha256, P256.PublicKeySpki, Plaintext));

        Assert.Equal(CryptoProblem.InvalidKey, e.Problem);
        Assert.Equal("RSA-OAEP encryption needs an RSA public key (SubjectPublicKeyInfo), not an EC public key (SubjectPublicKeyInfo)", e.Message);
    }

    [Fact]
    public void Encrypt_refuses_a_private_key_where_the_public_key_belongs()
    {
        var e = Assert.Throws<CryptoOperationException>(() => AsymmetricCipher.Encrypt(OaepHash.Sha256, Rsa.PrivateKeyPkcs8, Plaintext));

        Assert.Equal(CryptoProblem.InvalidKey, e.Problem);
        Assert.EndsWith("not an RSA private key (PKCS#8)", e.Message, StringComparison.Ordinal);
        AssertNoBytesIn(e, Rsa.PrivateKeyPkcs8.AsSpan(0, 64));
    }

    [Fact]
    public void Decrypt_refuses_a_public_key_or_an_ec_key()
    {
        var ciphertext = AsymmetricCipher.Encrypt(OaepHash.Sha256, Rsa.PublicKeySpki, Plaintext);

        var publicKey = Assert.Throws<CryptoOperationException>(() => AsymmetricCipher.Decrypt(OaepHash.Sha256, Rsa.PublicKeySpki, ciphertext));
        var ecKey = Assert.Throws<CryptoOperationException>(() => AsymmetricCipher.Decrypt(OaepHash.Sha256, P384.PrivateKeyPkcs8, ciphertext));

        Assert.Equal("RSA-OAEP decryption needs an RSA private key (PKCS#8), not an RSA public key (SubjectPublicKeyInfo)", publicKey.Message);
        Assert.Equal("RSA-OAEP decryption needs an RSA private key (PKCS#8), not an EC private key (PKCS#8)", ecKey.Message);
        Assert.Equal(CryptoProblem.InvalidKey, ecKey.Problem);
    }

    [Fact]
    public void Bytes_that_are_no_key_are_refused()
    {
        var garbage = RandomNumberGenerator.GetBytes(64);

        var e = Assert.Throws<CryptoOperationException>(() => AsymmetricCipher.Encrypt(OaepHash.Sha256, garbage, Plaintext));

        Assert.Equal(CryptoProblem.InvalidKey, e.Problem);
        Assert.Contains("neither a PKCS#8 private key nor a SubjectPublicKeyInfo", e.Message, StringComparison.Ordinal);
        AssertNoBytesIn(e, garbage);
    }

    [Fact]
    public void A_truncated_private_key_is_refused_as_malformed()
    {
        var truncated = Rsa.PrivateKeyPkcs8.AsSpan(0, Rsa.PrivateKeyPkcs8.Length - 10).ToArray();

        var e = Assert.Throws<CryptoOperationException>(() => AsymmetricCipher.Decrypt(OaepHash.Sha256, truncated, new byte[256]));

        Assert.Equal(CryptoProblem.InvalidKey, e.Problem);
    }

    [Fact]
    public void Trailing_bytes_after_a_key_are_refused()
    {
        var padded = Rsa.PublicKeySpki.Concat(new byte[] { 0 }).ToArray();

        var e = Assert.Throws<CryptoOperationException>(() => AsymmetricCipher.Encrypt(OaepHash.Sha256, padded, Plaintext));

        Assert.Equal(CryptoProblem.InvalidKey, e.Problem);
        Assert.Contains("malformed", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_hash_is_refused()
    {
        var e = Assert.Throws<CryptoOperationException>(() => AsymmetricCipher.Encrypt((OaepHash)9, Rsa.PublicKeySpki, Plaintext));

        Assert.Equal(CryptoProblem.Unsupported, e.Problem);
    }
}
