using System.Security.Cryptography;
using System.Text;
using OkvActors.Crypto.Operations;
using Xunit;
using static OkvActors.Crypto.Tests.TestKeys;

namespace OkvActors.Crypto.Tests.Operations;

public class MacTests
{
    private static readonly byte[] Key = RandomNumberGenerator.GetBytes(32);
    private static readonly byte[] Data = Encoding.UTF8.GetBytes("KMIP MAC request payload");

    // RFC 4231 test case 1: key = 20 x 0x0b, data = "Hi There".
    [Theory]
    [InlineData(MacAlgorithm.HmacSha256, "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")]
    [InlineData(MacAlgorithm.HmacSha384,
        "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59cfaea9ea9076ede7f4af152e8b2fa9cb6")]
    [InlineData(MacAlgorithm.HmacSha512,
        "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cdedaa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854")]
    public void Compute_matches_rfc_4231_test_case_1(MacAlgorithm algorithm, string expected)
    {
        var key = Enumerable.Repeat((byte)0x0b, 20).ToArray();

        Assert.Equal(Hex(expected), Mac.Compute(algorithm, key, "Hi There"u8));
        Assert.True(Mac.Verify(algorithm, key, "Hi There"u8, Hex(expected)));
    }

    // RFC 4231 test case 2: key = "Jefe" (shorter than the hash), data = "what do ya want for nothing?".
    [Theory]
    [InlineData(MacAlgorithm.HmacSha256, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")]
    [InlineData(MacAlgorithm.HmacSha384,
        "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e8e2240ca5e69e2c78b3239ecfab21649")]
    [InlineData(MacAlgorithm.HmacSha512,
        "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737")]
    public void Compute_matches_rfc_4231_test_case_2(MacAlgorithm algorithm, string expected)
    {
        Assert.Equal(Hex(expected), Mac.Compute(algorithm, "Jefe"u8, "what do ya want for nothing?"u8));
        Assert.True(Mac.Verify(algorithm, "Jefe"u8, "what do ya want for nothing?"u8, Hex(expected)));
    }

    [Theory]
    [InlineData(MacAlgorithm.HmacSha256, 32)]
    [InlineData(MacAlgorithm.HmacSha384, 48)]
    [InlineData(MacAlgorithm.HmacSha512, 64)]
    public void Verify_accepts_what_Compute_computed(MacAlgorithm algorithm, int length)
    {
        var mac = Mac.Compute(algorithm, Key, Data);

        Assert.Equal(length, mac.Length);
        Assert.Equal(length, Mac.Length(algorithm));
        Assert.True(Mac.Verify(algorithm, Key, Data, mac));
    }

    [Theory]
    [InlineData(MacAlgorithm.HmacSha256)]
    [InlineData(MacAlgorithm.HmacSha384)]
    [InlineData(MacAlgorithm.HmacSha512)]
    public void Verify_rejects_altered_data_an_altered_mac_and_another_key(MacAlgorithm algorithm)
    {
        var mac = Mac.Compute(algorithm, Key, Data);
        var alteredData = (byte[])Data.Clone();
        alteredData[^1] ^= 0x01;
        var alteredMac = (byte[])mac.Clone();
        alteredMac[0] ^= 0x80;

        Assert.False(Mac.Verify(algorithm, Key, alteredData, mac));
        Assert.False(Mac.Verify(algorithm, Key, Data, alteredMac));
        Assert.False(Mac.Verify(algorithm, RandomNumberGenerator.GetBytes(32), Data, mac));
    }

    [Fact]
    public void Verify_rejects_a_truncated_or_extended_mac_and_another_algorithms_mac()
    {
        var mac = Mac.Compute(MacAlgorithm.HmacSha512, Key, Data);

        Assert.False(Mac.Verify(MacAlgorithm.HmacSha512, Key, Data, mac.AsSpan(0, 32)));
        Assert.False(Mac.Verify(MacAlgorithm.HmacSha512, Key, Data, mac.Concat(new byte[] { 0 }).ToArray()));
        Assert.False(Mac.Verify(MacAlgorithm.HmacSha512, Key, Data, []));
        Assert.False(Mac.Verify(MacAlgorithm.HmacSha256, Key, Data, mac.AsSpan(0, 32)));
    }

    [Fact]
    public void An_empty_key_is_refused()
    {
        var compute = Assert.Throws<CryptoOperationException>(() => Mac.Compute(MacAlgorithm.HmacSha256, [], Data));
        var verify = Assert.Throws<CryptoOperationException>(() => Mac.Verify(MacAlgorithm.HmacSha256, [], Data, new byte[32]));

        Assert.Equal(CryptoProblem.InvalidKey, compute.Problem);
        Assert.Equal("HMAC keys cannot be empty", verify.Message);
    }

    [Fact]
    public void An_unknown_algorithm_is_refused()
    {
        var e = Assert.Throws<CryptoOperationException>(() => Mac.Compute((MacAlgorithm)3, Key, Data));

        Assert.Equal(CryptoProblem.Unsupported, e.Problem);
    }
}
