using System.Security.Cryptography;
using System.Text;
using OkvActors.Crypto.Kek;
using Xunit;

namespace OkvActors.Crypto.Tests.Kek;

public sealed class KeyEncryptionKeyTests : IDisposable
{
    private const string Uid = "3f2b6c1e-7a4d-4e0b-9c51-0d8e2f6a1b27";

    private static readonly byte[] Material = Enumerable.Range(0, 32).Select(i => (byte)(0xA0 + i)).ToArray();

    private readonly byte[] _rawKek = RandomNumberGenerator.GetBytes(KeyEncryptionKey.KeyLength);
    private readonly KeyEncryptionKey _kek;

    public KeyEncryptionKeyTests() => _kek = new KeyEncryptionKey(_rawKek);

    public void Dispose() => _kek.Dispose();

    [Fact]
    public void Unwrap_returns_what_Wrap_wrapped()
    {
        var wrapped = _kek.Wrap(Material, Uid);

        Assert.Equal(Material, _kek.Unwrap(wrapped, Uid));
    }

    [Fact]
    public void Wrap_writes_version_generation_kek_id_nonce_tag_and_ciphertext()
    {
        var wrapped = _kek.Wrap(Material, Uid);

        Assert.Equal(1 + 4 + 8 + 12 + 16 + Material.Length, wrapped.Length);
        Assert.Equal(KeyEncryptionKey.Overhead + Material.Length, wrapped.Length);
        Assert.Equal(0x02, wrapped[0]);
        Assert.Equal(new byte[] { 0, 0, 0, 1 }, wrapped[1..5]);
        Assert.Equal(_kek.KeyId, Convert.ToHexStringLower(wrapped[5..13]));
        Assert.Equal(1, KeyEncryptionKey.GenerationOf(wrapped));
        Assert.Equal(_kek.KeyId, KeyEncryptionKey.KeyIdOf(wrapped));
    }

    [Fact]
    public void The_layout_and_associated_data_are_the_documented_aes_256_gcm()
    {
        var wrapped = _kek.Wrap(Material, Uid);
        var associatedData = wrapped[..13].Concat(Encoding.UTF8.GetBytes(Uid)).ToArray();
        var plaintext = new byte[Material.Length];

        using var aes = new AesGcm(_rawKek, 16);
        aes.Decrypt(wrapped.AsSpan(13, 12), wrapped.AsSpan(41), wrapped.AsSpan(25, 16), plaintext, associatedData);

        Assert.Equal(Material, plaintext);
    }

    [Fact]
    public void A_legacy_version_1_blob_is_read_as_generation_1()
    {
        var legacy = LegacyWrap(_rawKek, Material, Uid);

        Assert.Equal(1, KeyEncryptionKey.GenerationOf(legacy));
        Assert.Null(KeyEncryptionKey.KeyIdOf(legacy));
        Assert.Equal(Material, _kek.Unwrap(legacy, Uid));
    }

    [Fact]
    public void A_blob_that_names_another_kek_is_refused_without_trying_it()
    {
        using var other = KeyEncryptionKey.Generate();
        using var later = new KeyEncryptionKey(_rawKek, generation: 2);

        Assert.Equal(KeyUnwrapFailure.OtherKek, Assert.Throws<KeyUnwrapException>(() => other.Unwrap(_kek.Wrap(Material, Uid), Uid)).Failure);
        Assert.Equal(KeyUnwrapFailure.OtherKek, Assert.Throws<KeyUnwrapException>(() => later.Unwrap(LegacyWrap(_rawKek, Material, Uid), Uid)).Failure);
    }

    [Fact]
    public void A_kek_wrapped_under_another_opens_only_as_the_kek_and_generation_it_was_wrapped_as()
    {
        using var next = KeyEncryptionKey.Generate(generation: 2);
        var wrapped = _kek.WrapKey(next);

        using var opened = _kek.UnwrapKey(wrapped, next.KeyId, 2);
        Assert.Equal(next.KeyId, opened.KeyId);
        Assert.Equal(2, opened.Generation);
        Assert.Equal(Material, opened.Unwrap(next.Wrap(Material, Uid), Uid));
        Assert.Throws<KeyUnwrapException>(() => _kek.UnwrapKey(wrapped, next.KeyId, 3));
        Assert.Throws<KeyUnwrapException>(() => _kek.UnwrapKey(wrapped, _kek.KeyId, 2));
        using var stranger = KeyEncryptionKey.Generate();
        Assert.Throws<KeyUnwrapException>(() => stranger.UnwrapKey(wrapped, next.KeyId, 2));
        Assert.True(wrapped.AsSpan().IndexOf(next.Export().AsSpan(0, 8)) < 0);
    }

    private static byte[] LegacyWrap(byte[] key, byte[] material, string uid)
    {
        var blob = new byte[1 + 12 + 16 + material.Length];
        blob[0] = 0x01;
        RandomNumberGenerator.Fill(blob.AsSpan(1, 12));
        using var aes = new AesGcm(key, 16);
        aes.Encrypt(blob.AsSpan(1, 12), material, blob.AsSpan(29), blob.AsSpan(13, 16), new byte[] { 0x01 }.Concat(Encoding.UTF8.GetBytes(uid)).ToArray());
        return blob;
    }

    [Fact]
    public void Wrap_output_never_contains_the_plaintext_bytes()
    {
        for (var round = 0; round < 20; round++)
        {
            var wrapped = _kek.Wrap(Material, Uid);

            for (var start = 0; start + 4 <= Material.Length; start++)
            {
                Assert.True(wrapped.AsSpan().IndexOf(Material.AsSpan(start, 4)) < 0, "a 4-byte run of the material appears in clear");
            }
        }
    }

    [Fact]
    public void Wrapping_twice_gives_different_bytes()
    {
        Assert.NotEqual(_kek.Wrap(Material, Uid), _kek.Wrap(Material, Uid));
    }

    [Fact]
    public void Empty_material_round_trips()
    {
        var wrapped = _kek.Wrap([], Uid);

        Assert.Equal(KeyEncryptionKey.Overhead, wrapped.Length);
        Assert.Empty(_kek.Unwrap(wrapped, Uid));
    }

    [Theory]
    [InlineData("ключ-№1 🔑")]
    [InlineData("a")]
    public void Uids_outside_ascii_round_trip(string uid)
    {
        Assert.Equal(Material, _kek.Unwrap(_kek.Wrap(Material, uid), uid));
    }

    [Fact]
    public void A_uid_longer_than_the_stack_buffer_round_trips_and_still_binds()
    {
        var uid = new string('u', 1000);
        var wrapped = _kek.Wrap(Material, uid);

        Assert.Equal(Material, _kek.Unwrap(wrapped, uid));
        Assert.Throws<KeyUnwrapException>(() => _kek.Unwrap(wrapped, uid[..^1] + "v"));
    }

    [Fact]
    public void Unwrap_with_another_uid_fails_with_KeyUnwrapException()
    {
        var wrapped = _kek.Wrap(Material, Uid);

        var e = Assert.Throws<KeyUnwrapException>(() => _kek.Unwrap(wrapped, Uid + "x"));
        Assert.Equal(KeyUnwrapFailure.AuthenticationFailed, e.Failure);
        Assert.Equal(Uid + "x", e.Uid);
    }

    [Fact]
    public void Unwrap_with_another_kek_fails_with_KeyUnwrapException()
    {
        var wrapped = _kek.Wrap(Material, Uid);
        using var other = KeyEncryptionKey.Generate();

        var e = Assert.Throws<KeyUnwrapException>(() => other.Unwrap(wrapped, Uid));
        Assert.Equal(KeyUnwrapFailure.OtherKek, e.Failure);
    }

    [Fact]
    public void Unwrap_fails_with_KeyUnwrapException_whichever_byte_is_flipped()
    {
        var wrapped = _kek.Wrap(Material, Uid);

        for (var i = 0; i < wrapped.Length; i++)
        {
            var altered = (byte[])wrapped.Clone();
            altered[i] ^= 0x01;

            var e = Assert.Throws<KeyUnwrapException>(() => _kek.Unwrap(altered, Uid));
            // The header names the KEK: an altered KEK id no longer names this one; an altered generation fails authentication.
            var expected = i switch
            {
                0 => KeyUnwrapFailure.UnknownFormat,
                >= 5 and < 13 => KeyUnwrapFailure.OtherKek,
                _ => KeyUnwrapFailure.AuthenticationFailed,
            };
            Assert.Equal(expected, e.Failure);
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(13)]
    [InlineData(28)]
    public void Unwrap_refuses_input_shorter_than_version_nonce_and_tag(int length)
    {
        var wrapped = _kek.Wrap(Material, Uid);

        var e = Assert.Throws<KeyUnwrapException>(() => _kek.Unwrap(wrapped.AsSpan(0, length), Uid));
        Assert.Equal(KeyUnwrapFailure.TooShort, e.Failure);
    }

    [Fact]
    public void Unwrap_refuses_a_blob_missing_its_last_byte()
    {
        var wrapped = _kek.Wrap(Material, Uid);

        Assert.Throws<KeyUnwrapException>(() => _kek.Unwrap(wrapped.AsSpan(0, wrapped.Length - 1), Uid));
    }

    [Theory]
    [InlineData(0x00)]
    [InlineData(0x03)]
    [InlineData(0xFF)]
    public void Unwrap_refuses_an_unknown_version(byte version)
    {
        var wrapped = _kek.Wrap(Material, Uid);
        wrapped[0] = version;

        var e = Assert.Throws<KeyUnwrapException>(() => _kek.Unwrap(wrapped, Uid));
        Assert.Equal(KeyUnwrapFailure.UnknownFormat, e.Failure);
    }

    [Fact]
    public void The_unwrap_failure_message_names_the_causes_and_no_bytes()
    {
        var wrapped = _kek.Wrap(Material, Uid);
        wrapped[^1] ^= 0x80;

        var e = Assert.Throws<KeyUnwrapException>(() => _kek.Unwrap(wrapped, Uid));

        Assert.Contains(Uid, e.Message, StringComparison.Ordinal);
        Assert.Contains("another KEK", e.Message, StringComparison.Ordinal);
        Assert.Contains("another UID", e.Message, StringComparison.Ordinal);
        Assert.Contains("altered", e.Message, StringComparison.Ordinal);
        TestKeys.AssertNoBytesIn(e, wrapped);
        TestKeys.AssertNoBytesIn(e, wrapped.AsSpan(1, 12));
        TestKeys.AssertNoBytesIn(e, Material);
        TestKeys.AssertNoBytesIn(e, _rawKek);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(16)]
    [InlineData(31)]
    [InlineData(33)]
    [InlineData(64)]
    public void The_kek_must_be_32_bytes(int length)
    {
        var e = Assert.Throws<CryptoOperationException>(() => new KeyEncryptionKey(new byte[length]));

        Assert.Equal(CryptoProblem.InvalidKey, e.Problem);
        Assert.Contains("32 bytes", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_kek_is_copied_in_so_zeroing_the_callers_copy_changes_nothing()
    {
        var raw = RandomNumberGenerator.GetBytes(32);
        using var kek = new KeyEncryptionKey(raw);
        var wrapped = kek.Wrap(Material, Uid);

        CryptographicOperations.ZeroMemory(raw);

        Assert.Equal(Material, kek.Unwrap(wrapped, Uid));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void Wrap_and_Unwrap_need_a_uid(string? uid)
    {
        var wrapped = _kek.Wrap(Material, Uid);

        Assert.ThrowsAny<ArgumentException>(() => _kek.Wrap(Material, uid!));
        Assert.ThrowsAny<ArgumentException>(() => _kek.Unwrap(wrapped, uid!));
    }

    [Fact]
    public void Wrap_after_Dispose_throws_ObjectDisposedException()
    {
        var kek = KeyEncryptionKey.Generate();
        kek.Dispose();

        Assert.Throws<ObjectDisposedException>(() => kek.Wrap(Material, Uid));
    }

    [Fact]
    public void Unwrap_after_Dispose_throws_ObjectDisposedException()
    {
        var kek = KeyEncryptionKey.Generate();
        var wrapped = kek.Wrap(Material, Uid);
        kek.Dispose();

        Assert.Throws<ObjectDisposedException>(() => kek.Unwrap(wrapped, Uid));
    }

    [Fact]
    public void Dispose_can_be_called_twice()
    {
        var kek = KeyEncryptionKey.Generate();
        kek.Dispose();
        kek.Dispose();

        Assert.Throws<ObjectDisposedException>(() => kek.Wrap(Material, Uid));
    }

    [Fact]
    public void KeyId_is_the_first_8_bytes_of_sha256_over_the_label_and_the_key_in_hex()
    {
        var expected = Convert.ToHexStringLower(SHA256.HashData("okv-kek-id"u8.ToArray().Concat(_rawKek).ToArray())[..8]);

        Assert.Equal(expected, _kek.KeyId);
        Assert.Matches("^[0-9a-f]{16}$", _kek.KeyId);
    }

    [Fact]
    public void KeyId_is_stable_for_a_key_and_differs_between_keys()
    {
        using var same = new KeyEncryptionKey(_rawKek);
        using var other = KeyEncryptionKey.Generate();

        Assert.Equal(_kek.KeyId, same.KeyId);
        Assert.NotEqual(_kek.KeyId, other.KeyId);
        Assert.DoesNotContain(Convert.ToHexStringLower(_rawKek.AsSpan(0, 8)), _kek.KeyId, StringComparison.Ordinal);
    }

    [Fact]
    public void Generate_makes_a_different_kek_each_time()
    {
        using var a = KeyEncryptionKey.Generate();
        using var b = KeyEncryptionKey.Generate();

        Assert.NotEqual(a.KeyId, b.KeyId);
        Assert.Throws<KeyUnwrapException>(() => b.Unwrap(a.Wrap(Material, Uid), Uid));
    }
}
