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
    public void Wrap_writes_version_nonce_tag_and_ciphertext()
    {
        var wrapped = _kek.Wrap(Material, Uid);

        Assert.Equal(1 + 12 + 16 + Material.Length, wrapped.Length);
        Assert.Equal(KeyEncryptionKey.Overhead + Material.Length, wrapped.Length);
        Assert.Equal(0x01, wrapped[0]);
    }

    [Fact]
    public void The_layout_and_associated_data_are_the_documented_aes_256_gcm()
    {
        var wrapped = _kek.Wrap(Material, Uid);
        var associatedData = new byte[] { 0x01 }.Concat(Encoding.UTF8.GetBytes(Uid)).ToArray();
        var plaintext = new byte[Material.Length];

        using var aes = new AesGcm(_rawKek, 16);
        aes.Decrypt(wrapped.AsSpan(1, 12), wrapped.AsSpan(29), wrapped.AsSpan(13, 16), plaintext, associatedData);

        Assert.Equal(Material, plaintext);
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
        Assert.Equal(KeyUnwrapFailure.AuthenticationFailed, e.Failure);
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
            Assert.Equal(i == 0 ? KeyUnwrapFailure.UnknownFormat : KeyUnwrapFailure.AuthenticationFailed, e.Failure);
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
    [InlineData(0x02)]
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
