using System.Buffers.Binary;
using System.Text;
using OkvActors.Pki.Certificates;
using OkvActors.Pki.Sealing;
using Xunit;

namespace OkvActors.Pki.Tests.Sealing;

public class PassphraseSealTests
{
    private const string Passphrase = "correct horse battery staple";
    private const string Purpose = "cluster KEK";

    // Argon2id at 1 MiB and one pass: the format and the checks are the same, the test suite stays fast.
    private static readonly PassphraseSeal.Cost Cheap = new(MemoryKiB: 1024, Iterations: 1);

    private static readonly byte[] Secret = Encoding.UTF8.GetBytes("the cluster key-encryption key, 32+ bytes long");

    [Fact]
    public void Unseal_returns_what_Seal_sealed()
    {
        var sealedBytes = PassphraseSeal.Seal(Secret, Passphrase, Purpose, Cheap);

        Assert.Equal(Secret, PassphraseSeal.Unseal(sealedBytes, Passphrase, Purpose));
    }

    [Fact]
    public void Unseal_returns_what_Seal_sealed_at_the_default_cost()
    {
        var sealedBytes = PassphraseSeal.Seal(Secret, Passphrase, Purpose);

        Assert.Equal(Secret, PassphraseSeal.Unseal(sealedBytes, Passphrase, Purpose));
        Assert.Equal(PassphraseSeal.Cost.Default.MemoryKiB, BinaryPrimitives.ReadInt32BigEndian(sealedBytes.AsSpan(8)));
        Assert.Equal(PassphraseSeal.Cost.Default.Iterations, BinaryPrimitives.ReadInt32BigEndian(sealedBytes.AsSpan(12)));
        Assert.Equal(PassphraseSeal.Cost.Default.Parallelism, BinaryPrimitives.ReadInt32BigEndian(sealedBytes.AsSpan(16)));
    }

    [Fact]
    public void Seal_writes_the_documented_layout()
    {
        var sealedBytes = PassphraseSeal.Seal(Secret, Passphrase, Purpose, Cheap);

        Assert.Equal("OKVSEAL1"u8.ToArray(), sealedBytes[..8]);
        Assert.Equal(1024, BinaryPrimitives.ReadInt32BigEndian(sealedBytes.AsSpan(8)));
        Assert.Equal(1, BinaryPrimitives.ReadInt32BigEndian(sealedBytes.AsSpan(12)));
        Assert.Equal(1, BinaryPrimitives.ReadInt32BigEndian(sealedBytes.AsSpan(16)));
        Assert.Equal(8 + 12 + 16 + 12 + 16 + Secret.Length, sealedBytes.Length);
        Assert.False(sealedBytes.AsSpan().IndexOf(Secret.AsSpan(0, 16)) >= 0, "the secret must not appear in clear");
    }

    [Fact]
    public void Sealing_the_same_secret_twice_gives_different_bytes()
    {
        var first = PassphraseSeal.Seal(Secret, Passphrase, Purpose, Cheap);
        var second = PassphraseSeal.Seal(Secret, Passphrase, Purpose, Cheap);

        Assert.NotEqual(first, second);
    }

    [Fact]
    public void An_empty_secret_round_trips()
    {
        var sealedBytes = PassphraseSeal.Seal([], Passphrase, Purpose, Cheap);

        Assert.Empty(PassphraseSeal.Unseal(sealedBytes, Passphrase, Purpose));
    }

    [Fact]
    public void A_non_ascii_passphrase_round_trips()
    {
        const string passphrase = "Grüße aus Zürich, 東京 🔑";
        var sealedBytes = PassphraseSeal.Seal(Secret, passphrase, Purpose, Cheap);

        Assert.Equal(Secret, PassphraseSeal.Unseal(sealedBytes, passphrase, Purpose));
    }

    [Fact]
    public void Unseal_refuses_a_wrong_passphrase()
    {
        var sealedBytes = PassphraseSeal.Seal(Secret, Passphrase, Purpose, Cheap);

        var e = Assert.Throws<WrongPassphraseException>(() => PassphraseSeal.Unseal(sealedBytes, Passphrase + "!", Purpose));

        Assert.Contains(Purpose, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unseal_refuses_the_right_passphrase_for_another_purpose()
    {
        var sealedBytes = PassphraseSeal.Seal(Secret, Passphrase, "CA key", Cheap);

        Assert.Throws<WrongPassphraseException>(() => PassphraseSeal.Unseal(sealedBytes, Passphrase, Purpose));
    }

    [Theory]
    [InlineData(20)] // salt
    [InlineData(40)] // nonce
    [InlineData(50)] // tag
    [InlineData(64)] // first ciphertext byte
    [InlineData(-1)] // last ciphertext byte
    public void Unseal_refuses_altered_bytes_as_a_wrong_passphrase(int index)
    {
        var sealedBytes = PassphraseSeal.Seal(Secret, Passphrase, Purpose, Cheap);
        sealedBytes[index < 0 ? sealedBytes.Length + index : index] ^= 0x01;

        Assert.Throws<WrongPassphraseException>(() => PassphraseSeal.Unseal(sealedBytes, Passphrase, Purpose));
    }

    [Fact]
    public void Unseal_refuses_a_ciphertext_cut_short()
    {
        var sealedBytes = PassphraseSeal.Seal(Secret, Passphrase, Purpose, Cheap);

        Assert.Throws<WrongPassphraseException>(() => PassphraseSeal.Unseal(sealedBytes[..^1], Passphrase, Purpose));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(8)]
    [InlineData(63)]
    public void Unseal_refuses_input_shorter_than_the_header(int length)
    {
        var sealedBytes = PassphraseSeal.Seal(Secret, Passphrase, Purpose, Cheap);

        Assert.Throws<PkiException>(() => PassphraseSeal.Unseal(sealedBytes.AsSpan(0, length), Passphrase, Purpose));
    }

    [Fact]
    public void Unseal_refuses_garbage()
    {
        var garbage = Encoding.UTF8.GetBytes(new string('x', 200));

        var e = Assert.Throws<PkiException>(() => PassphraseSeal.Unseal(garbage, Passphrase, Purpose));

        Assert.Contains(Purpose, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unseal_refuses_another_format_version()
    {
        var sealedBytes = PassphraseSeal.Seal(Secret, Passphrase, Purpose, Cheap);
        sealedBytes[7] = (byte)'2';

        Assert.Throws<PkiException>(() => PassphraseSeal.Unseal(sealedBytes, Passphrase, Purpose));
    }

    [Theory]
    [InlineData(8, 0)] // no memory
    [InlineData(8, int.MaxValue)] // absurd memory
    [InlineData(12, 0)] // no passes
    [InlineData(12, 1000)] // absurd passes
    [InlineData(16, 0)] // no lanes
    [InlineData(16, -1)] // negative lanes
    public void Unseal_refuses_implausible_kdf_parameters(int offset, int value)
    {
        var sealedBytes = PassphraseSeal.Seal(Secret, Passphrase, Purpose, Cheap);
        BinaryPrimitives.WriteInt32BigEndian(sealedBytes.AsSpan(offset), value);

        var e = Assert.Throws<PkiException>(() => PassphraseSeal.Unseal(sealedBytes, Passphrase, Purpose));

        Assert.Contains("KDF", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unseal_refuses_a_changed_but_plausible_cost_as_a_wrong_passphrase()
    {
        var sealedBytes = PassphraseSeal.Seal(Secret, Passphrase, Purpose, Cheap);
        BinaryPrimitives.WriteInt32BigEndian(sealedBytes.AsSpan(8), 2048);

        Assert.Throws<WrongPassphraseException>(() => PassphraseSeal.Unseal(sealedBytes, Passphrase, Purpose));
    }

    [Theory]
    [InlineData("")]
    [InlineData("short")]
    [InlineData("elevenchars")]
    public void CheckStrength_refuses_short_passphrases(string passphrase)
    {
        var e = Assert.Throws<PkiException>(() => PassphraseSeal.CheckStrength(passphrase));

        Assert.Contains(PassphraseSeal.MinimumPassphraseLength.ToString(System.Globalization.CultureInfo.InvariantCulture), e.Message,
            StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("twelve chars")]
    [InlineData(Passphrase)]
    public void CheckStrength_accepts_passphrases_of_the_minimum_length_or_more(string passphrase)
    {
        PassphraseSeal.CheckStrength(passphrase);
    }
}
