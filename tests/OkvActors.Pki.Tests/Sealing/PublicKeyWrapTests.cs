using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using OkvActors.Pki.Certificates;
using OkvActors.Pki.Sealing;
using Xunit;

namespace OkvActors.Pki.Tests.Sealing;

public sealed class PublicKeyWrapTests : IDisposable
{
    private const string Purpose = "cluster KEK";

    private static readonly byte[] Secret = Encoding.UTF8.GetBytes("the cluster key-encryption key, 32+ bytes long");

    private readonly ClusterCa _ca = ClusterCa.Create("prod");
    private readonly X509Certificate2 _certificate;
    private readonly ECDsa _key;

    public PublicKeyWrapTests() => (_certificate, _key) = _ca.IssueWithNewKey("node-a", CertificateRole.Node, TimeSpan.FromDays(1));

    public void Dispose()
    {
        _key.Dispose();
        _certificate.Dispose();
        _ca.Dispose();
    }

    [Fact]
    public void Unwrap_with_the_matching_key_returns_what_was_wrapped_to_the_certificate()
    {
        var wrapped = PublicKeyWrap.Wrap(Secret, _certificate.PublicKey, Purpose);

        Assert.Equal(Secret, PublicKeyWrap.Unwrap(wrapped, _key, Purpose));
    }

    [Fact]
    public void Unwrap_works_with_the_key_read_back_from_pem()
    {
        var wrapped = PublicKeyWrap.Wrap(Secret, _certificate.PublicKey, Purpose);
        using var reread = Pem.ReadPrivateKey(Pem.PrivateKey(_key));

        Assert.Equal(Secret, PublicKeyWrap.Unwrap(wrapped, reread, Purpose));
    }

    [Fact]
    public void Wrap_writes_the_magic_and_never_the_secret_in_clear()
    {
        var wrapped = PublicKeyWrap.Wrap(Secret, _certificate.PublicKey, Purpose);

        Assert.Equal("OKVWRAP1"u8.ToArray(), wrapped[..8]);
        Assert.False(wrapped.AsSpan().IndexOf(Secret.AsSpan(0, 16)) >= 0, "the secret must not appear in clear");
    }

    [Fact]
    public void Wrapping_twice_gives_different_bytes()
    {
        Assert.NotEqual(
            PublicKeyWrap.Wrap(Secret, _certificate.PublicKey, Purpose),
            PublicKeyWrap.Wrap(Secret, _certificate.PublicKey, Purpose));
    }

    [Fact]
    public void An_empty_secret_round_trips()
    {
        var wrapped = PublicKeyWrap.Wrap([], _certificate.PublicKey, Purpose);

        Assert.Empty(PublicKeyWrap.Unwrap(wrapped, _key, Purpose));
    }

    [Fact]
    public void Unwrap_refuses_another_key()
    {
        var wrapped = PublicKeyWrap.Wrap(Secret, _certificate.PublicKey, Purpose);
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        Assert.Throws<PkiException>(() => PublicKeyWrap.Unwrap(wrapped, other, Purpose));
    }

    [Fact]
    public void Unwrap_refuses_a_key_on_another_curve()
    {
        var wrapped = PublicKeyWrap.Wrap(Secret, _certificate.PublicKey, Purpose);
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP384);

        Assert.Throws<PkiException>(() => PublicKeyWrap.Unwrap(wrapped, other, Purpose));
    }

    [Fact]
    public void Unwrap_refuses_another_purpose()
    {
        var wrapped = PublicKeyWrap.Wrap(Secret, _certificate.PublicKey, "CA key");

        Assert.Throws<PkiException>(() => PublicKeyWrap.Unwrap(wrapped, _key, Purpose));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(7)]
    [InlineData(9)]
    [InlineData(10)]
    [InlineData(40)]
    [InlineData(101)]
    [InlineData(128)]
    public void Unwrap_refuses_a_truncated_blob(int length)
    {
        var wrapped = PublicKeyWrap.Wrap(Secret, _certificate.PublicKey, Purpose);
        Assert.True(length < wrapped.Length);

        Assert.Throws<PkiException>(() => PublicKeyWrap.Unwrap(wrapped.AsSpan(0, length), _key, Purpose));
    }

    [Fact]
    public void Unwrap_refuses_a_blob_missing_its_last_byte()
    {
        var wrapped = PublicKeyWrap.Wrap(Secret, _certificate.PublicKey, Purpose);

        Assert.Throws<PkiException>(() => PublicKeyWrap.Unwrap(wrapped[..^1], _key, Purpose));
    }

    [Fact]
    public void Unwrap_refuses_an_altered_ciphertext()
    {
        var wrapped = PublicKeyWrap.Wrap(Secret, _certificate.PublicKey, Purpose);
        wrapped[^1] ^= 0x01;

        Assert.Throws<PkiException>(() => PublicKeyWrap.Unwrap(wrapped, _key, Purpose));
    }

    [Fact]
    public void Unwrap_refuses_an_altered_ephemeral_key()
    {
        var wrapped = PublicKeyWrap.Wrap(Secret, _certificate.PublicKey, Purpose);
        wrapped[^(Secret.Length + 28 + 1)] ^= 0x01; // last byte of the ephemeral public point

        Assert.Throws<PkiException>(() => PublicKeyWrap.Unwrap(wrapped, _key, Purpose));
    }

    [Fact]
    public void Unwrap_refuses_an_ephemeral_key_length_that_points_past_the_end()
    {
        var wrapped = PublicKeyWrap.Wrap(Secret, _certificate.PublicKey, Purpose);
        wrapped[8] = 0xFF;

        Assert.Throws<PkiException>(() => PublicKeyWrap.Unwrap(wrapped, _key, Purpose));
    }

    [Fact]
    public void Unwrap_refuses_another_format()
    {
        var wrapped = PublicKeyWrap.Wrap(Secret, _certificate.PublicKey, Purpose);
        wrapped[7] = (byte)'2';

        Assert.Throws<PkiException>(() => PublicKeyWrap.Unwrap(wrapped, _key, Purpose));
    }

    [Fact]
    public void Unwrap_refuses_a_passphrase_sealed_blob()
    {
        var sealedBytes = PassphraseSeal.Seal(Secret, "correct horse battery staple", Purpose,
            new PassphraseSeal.Cost(MemoryKiB: 1024, Iterations: 1));

        Assert.Throws<PkiException>(() => PublicKeyWrap.Unwrap(sealedBytes, _key, Purpose));
    }

    [Fact]
    public void Wrap_refuses_a_recipient_that_has_no_ec_key()
    {
        using var rsa = RSA.Create(2048);
        var recipient = new CertificateRequest("CN=rsa", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1).PublicKey;

        Assert.Throws<PkiException>(() => PublicKeyWrap.Wrap(Secret, recipient, Purpose));
    }
}
