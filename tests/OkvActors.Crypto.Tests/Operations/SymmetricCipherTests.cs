using System.Security.Cryptography;
using System.Text;
using OkvActors.Crypto.Operations;
using Xunit;
using static OkvActors.Crypto.Tests.TestKeys;

namespace OkvActors.Crypto.Tests.Operations;

public class SymmetricCipherTests
{
    private static readonly byte[] Plaintext = Encoding.UTF8.GetBytes("the quick brown fox jumps over the lazy dog, twice over");
    private static readonly byte[] Key = RandomNumberGenerator.GetBytes(32);

    [Theory]
    [InlineData(SymmetricMode.Gcm, 16)]
    [InlineData(SymmetricMode.Gcm, 24)]
    [InlineData(SymmetricMode.Gcm, 32)]
    [InlineData(SymmetricMode.Cbc, 16)]
    [InlineData(SymmetricMode.Cbc, 24)]
    [InlineData(SymmetricMode.Cbc, 32)]
    public void Decrypt_returns_what_Encrypt_encrypted_under_a_generated_iv(SymmetricMode mode, int keyLength)
    {
        var key = RandomNumberGenerator.GetBytes(keyLength);

        var (ciphertext, iv) = SymmetricCipher.Encrypt(mode, key, Plaintext);

        Assert.Equal(mode == SymmetricMode.Gcm ? 12 : 16, iv.Length);
        Assert.Equal(Plaintext, SymmetricCipher.Decrypt(mode, key, ciphertext, iv));
    }

    [Theory]
    [InlineData(SymmetricMode.Gcm, 0)]
    [InlineData(SymmetricMode.Gcm, 1)]
    [InlineData(SymmetricMode.Gcm, 1000)]
    [InlineData(SymmetricMode.Cbc, 0)]
    [InlineData(SymmetricMode.Cbc, 1)]
    [InlineData(SymmetricMode.Cbc, 15)]
    [InlineData(SymmetricMode.Cbc, 16)]
    [InlineData(SymmetricMode.Cbc, 17)]
    [InlineData(SymmetricMode.Cbc, 1000)]
    public void Any_plaintext_length_round_trips(SymmetricMode mode, int length)
    {
        var plaintext = RandomNumberGenerator.GetBytes(length);

        var (ciphertext, iv) = SymmetricCipher.Encrypt(mode, Key, plaintext);

        Assert.Equal(plaintext, SymmetricCipher.Decrypt(mode, Key, ciphertext, iv));
    }

    [Fact]
    public void Gcm_appends_a_16_byte_tag_and_cbc_pads_to_whole_blocks()
    {
        Assert.Equal(Plaintext.Length + 16, SymmetricCipher.Encrypt(SymmetricMode.Gcm, Key, Plaintext).Ciphertext.Length);
        Assert.Equal(16, SymmetricCipher.Encrypt(SymmetricMode.Cbc, Key, []).Ciphertext.Length);
        Assert.Equal(32, SymmetricCipher.Encrypt(SymmetricMode.Cbc, Key, new byte[16]).Ciphertext.Length);
    }

    [Theory]
    [InlineData(SymmetricMode.Gcm, 12)]
    [InlineData(SymmetricMode.Cbc, 16)]
    public void A_given_iv_is_used_and_returned(SymmetricMode mode, int ivLength)
    {
        var iv = RandomNumberGenerator.GetBytes(ivLength);

        var result = SymmetricCipher.Encrypt(mode, Key, Plaintext, iv);

        Assert.Equal(iv, result.Iv);
        Assert.Equal(result.Ciphertext, SymmetricCipher.Encrypt(mode, Key, Plaintext, iv).Ciphertext);
        Assert.Equal(Plaintext, SymmetricCipher.Decrypt(mode, Key, result.Ciphertext, iv));
    }

    [Theory]
    [InlineData(SymmetricMode.Gcm)]
    [InlineData(SymmetricMode.Cbc)]
    public void Generated_ivs_differ_every_time(SymmetricMode mode)
    {
        var a = SymmetricCipher.Encrypt(mode, Key, Plaintext);
        var b = SymmetricCipher.Encrypt(mode, Key, Plaintext);

        Assert.NotEqual(a.Iv, b.Iv);
        Assert.NotEqual(a.Ciphertext, b.Ciphertext);
    }

    [Fact]
    public void Gcm_associated_data_round_trips_and_must_match()
    {
        var aad = Encoding.UTF8.GetBytes("key uid 42");
        var (ciphertext, iv) = SymmetricCipher.Encrypt(SymmetricMode.Gcm, Key, Plaintext, associatedData: aad);

        Assert.Equal(Plaintext, SymmetricCipher.Decrypt(SymmetricMode.Gcm, Key, ciphertext, iv, aad));
        var missing = Assert.Throws<CryptoOperationException>(() => SymmetricCipher.Decrypt(SymmetricMode.Gcm, Key, ciphertext, iv));
        Assert.Equal(CryptoProblem.DecryptionFailed, missing.Problem);
        Assert.Throws<CryptoOperationException>(() =>
            SymmetricCipher.Decrypt(SymmetricMode.Gcm, Key, ciphertext, iv, Encoding.UTF8.GetBytes("key uid 43")));
    }

    // The GCM specification's test vectors (McGrew & Viega, as used in NIST's GCM validation):
    // test case 2 (AES-128, zero key/nonce/block) and test case 16 (AES-256 with associated data).
    [Theory]
    [InlineData("00000000000000000000000000000000", "000000000000000000000000", "00000000000000000000000000000000", "",
        "0388dace60b6a392f328c2b971b2fe78", "ab6e47d42cec13bdf53a67b21257bddf")]
    [InlineData("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308", "cafebabefacedbaddecaf888",
        "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39",
        "feedfacedeadbeeffeedfacedeadbeefabaddad2",
        "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662",
        "76fc6ece0f4e1768cddf8853bb2d551b")]
    public void Gcm_matches_the_published_test_vectors(string key, string nonce, string plaintext, string aad, string ciphertext, string tag)
    {
        var result = SymmetricCipher.Encrypt(SymmetricMode.Gcm, Hex(key), Hex(plaintext), Hex(nonce), Hex(aad));

        Assert.Equal(Hex(ciphertext + tag), result.Ciphertext);
        Assert.Equal(Hex(plaintext), SymmetricCipher.Decrypt(SymmetricMode.Gcm, Hex(key), Hex(ciphertext + tag), Hex(nonce), Hex(aad)));
    }

    // NIST SP 800-38A F.2.1 CBC-AES128.Encrypt, first block; PKCS#7 then adds one block of padding.
    [Fact]
    public void Cbc_matches_the_sp_800_38a_test_vector()
    {
        var key = Hex("2b7e151628aed2a6abf7158809cf4f3c");
        var iv = Hex("000102030405060708090a0b0c0d0e0f");
        var plaintext = Hex("6bc1bee22e409f96e93d7e117393172a");

        var result = SymmetricCipher.Encrypt(SymmetricMode.Cbc, key, plaintext, iv);

        Assert.Equal(32, result.Ciphertext.Length);
        Assert.Equal(Hex("7649abac8119b246cee98e9b12e9197d"), result.Ciphertext[..16]);
        Assert.Equal(plaintext, SymmetricCipher.Decrypt(SymmetricMode.Cbc, key, result.Ciphertext, iv));
    }

    [Fact]
    public void Cbc_padding_is_pkcs7()
    {
        var iv = RandomNumberGenerator.GetBytes(16);
        var ciphertext = SymmetricCipher.Encrypt(SymmetricMode.Cbc, Key, [1, 2, 3], iv).Ciphertext;
        using var aes = Aes.Create();
        aes.Key = Key;

        var raw = aes.DecryptCbc(ciphertext, iv, PaddingMode.None);

        Assert.Equal(new byte[] { 1, 2, 3 }.Concat(Enumerable.Repeat((byte)13, 13)).ToArray(), raw);
    }

    [Theory]
    [InlineData(SymmetricMode.Gcm, 0)]
    [InlineData(SymmetricMode.Gcm, 15)]
    [InlineData(SymmetricMode.Gcm, 33)]
    [InlineData(SymmetricMode.Cbc, 8)]
    [InlineData(SymmetricMode.Cbc, 64)]
    public void Keys_that_are_not_16_24_or_32_bytes_are_refused(SymmetricMode mode, int keyLength)
    {
        var key = new byte[keyLength];

        var encrypt = Assert.Throws<CryptoOperationException>(() => SymmetricCipher.Encrypt(mode, key, Plaintext));
        var decrypt = Assert.Throws<CryptoOperationException>(() =>
            SymmetricCipher.Decrypt(mode, key, new byte[32], new byte[mode == SymmetricMode.Gcm ? 12 : 16]));

        Assert.Equal(CryptoProblem.InvalidKey, encrypt.Problem);
        Assert.Equal($"AES keys are 16, 24 or 32 bytes (128, 192 or 256 bits), not {keyLength} bytes", encrypt.Message);
        Assert.Equal(encrypt.Message, decrypt.Message);
    }

    [Theory]
    [InlineData(SymmetricMode.Gcm, 8, "AES-GCM takes a 12-byte nonce, not 8 bytes")]
    [InlineData(SymmetricMode.Gcm, 16, "AES-GCM takes a 12-byte nonce, not 16 bytes")]
    [InlineData(SymmetricMode.Cbc, 12, "AES-CBC takes a 16-byte IV, not 12 bytes")]
    [InlineData(SymmetricMode.Cbc, 17, "AES-CBC takes a 16-byte IV, not 17 bytes")]
    public void Ivs_of_the_wrong_length_are_refused(SymmetricMode mode, int ivLength, string message)
    {
        var iv = new byte[ivLength];

        var encrypt = Assert.Throws<CryptoOperationException>(() => SymmetricCipher.Encrypt(mode, Key, Plaintext, iv));
        var decrypt = Assert.Throws<CryptoOperationException>(() => SymmetricCipher.Decrypt(mode, Key, new byte[32], iv));

        Assert.Equal(message, encrypt.Message);
        Assert.Equal(message, decrypt.Message);
        Assert.Equal(CryptoProblem.InvalidInput, encrypt.Problem);
    }

    [Fact]
    public void Decrypt_needs_the_iv()
    {
        var e = Assert.Throws<CryptoOperationException>(() => SymmetricCipher.Decrypt(SymmetricMode.Cbc, Key, new byte[32], []));

        Assert.Equal(CryptoProblem.InvalidInput, e.Problem);
    }

    [Fact]
    public void Cbc_refuses_associated_data()
    {
        var e = Assert.Throws<CryptoOperationException>(() =>
            SymmetricCipher.Encrypt(SymmetricMode.Cbc, Key, Plaintext, associatedData: [1]));

        Assert.Contains("associated data", e.Message, StringComparison.Ordinal);
        Assert.Equal(CryptoProblem.InvalidInput, e.Problem);
    }

    [Fact]
    public void An_unknown_mode_is_refused()
    {
        var e = Assert.Throws<CryptoOperationException>(() => SymmetricCipher.Encrypt((SymmetricMode)5, Key, Plaintext));

        Assert.Equal(CryptoProblem.Unsupported, e.Problem);
    }

    [Fact]
    public void Gcm_decrypt_fails_whichever_byte_of_ciphertext_or_tag_is_flipped()
    {
        var (ciphertext, iv) = SymmetricCipher.Encrypt(SymmetricMode.Gcm, Key, Plaintext);

        for (var i = 0; i < ciphertext.Length; i++)
        {
            var altered = (byte[])ciphertext.Clone();
            altered[i] ^= 0x04;

            var e = Assert.Throws<CryptoOperationException>(() => SymmetricCipher.Decrypt(SymmetricMode.Gcm, Key, altered, iv));
            Assert.Equal(CryptoProblem.DecryptionFailed, e.Problem);
        }
    }

    [Fact]
    public void Gcm_decrypt_with_another_key_or_nonce_fails_without_naming_any_bytes()
    {
        var (ciphertext, iv) = SymmetricCipher.Encrypt(SymmetricMode.Gcm, Key, Plaintext);
        var otherKey = RandomNumberGenerator.GetBytes(32);
        var otherNonce = RandomNumberGenerator.GetBytes(12);

        var wrongKey = Assert.Throws<CryptoOperationException>(() => SymmetricCipher.Decrypt(SymmetricMode.Gcm, otherKey, ciphertext, iv));
        var wrongNonce = Assert.Throws<CryptoOperationException>(() => SymmetricCipher.Decrypt(SymmetricMode.Gcm, Key, ciphertext, otherNonce));

        Assert.StartsWith("AES-GCM authentication failed", wrongKey.Message, StringComparison.Ordinal);
        Assert.Equal(wrongKey.Message, wrongNonce.Message);
        AssertNoBytesIn(wrongKey, otherKey);
        AssertNoBytesIn(wrongKey, Key);
        AssertNoBytesIn(wrongKey, ciphertext);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(15)]
    public void Gcm_ciphertext_shorter_than_the_tag_is_refused(int length)
    {
        var e = Assert.Throws<CryptoOperationException>(() =>
            SymmetricCipher.Decrypt(SymmetricMode.Gcm, Key, new byte[length], new byte[12]));

        Assert.Equal(CryptoProblem.InvalidInput, e.Problem);
        Assert.Contains("tag", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(15)]
    [InlineData(33)]
    public void Cbc_ciphertext_that_is_not_whole_blocks_is_refused(int length)
    {
        var e = Assert.Throws<CryptoOperationException>(() =>
            SymmetricCipher.Decrypt(SymmetricMode.Cbc, Key, new byte[length], new byte[16]));

        Assert.Equal(CryptoProblem.InvalidInput, e.Problem);
        Assert.Contains("16-byte blocks", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0x00)]
    [InlineData(0x11)]
    [InlineData(0xFF)]
    public void Cbc_decrypt_refuses_bad_padding(byte lastByte)
    {
        // A block whose last plaintext byte can never end PKCS#7 padding, encrypted without padding.
        var iv = RandomNumberGenerator.GetBytes(16);
        var block = new byte[16];
        block[15] = lastByte;
        using var aes = Aes.Create();
        aes.Key = Key;
        var ciphertext = aes.EncryptCbc(block, iv, PaddingMode.None);

        var e = Assert.Throws<CryptoOperationException>(() => SymmetricCipher.Decrypt(SymmetricMode.Cbc, Key, ciphertext, iv));

        Assert.Equal(CryptoProblem.DecryptionFailed, e.Problem);
        Assert.Contains("padding", e.Message, StringComparison.Ordinal);
        AssertNoBytesIn(e, Key);
    }

    [Fact]
    public void Cbc_decrypt_refuses_inconsistent_padding_bytes()
    {
        var iv = RandomNumberGenerator.GetBytes(16);
        var block = new byte[16];
        block[15] = 2;
        block[14] = 3;
        using var aes = Aes.Create();
        aes.Key = Key;
        var ciphertext = aes.EncryptCbc(block, iv, PaddingMode.None);

        var e = Assert.Throws<CryptoOperationException>(() => SymmetricCipher.Decrypt(SymmetricMode.Cbc, Key, ciphertext, iv));

        Assert.Equal(CryptoProblem.DecryptionFailed, e.Problem);
    }
}
