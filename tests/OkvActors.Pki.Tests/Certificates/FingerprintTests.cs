using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using OkvActors.Pki.Certificates;
using Xunit;

namespace OkvActors.Pki.Tests.Certificates;

public sealed class FingerprintTests : IDisposable
{
    private readonly ClusterCa _ca = ClusterCa.Create("prod");
    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public void Dispose()
    {
        _key.Dispose();
        _ca.Dispose();
    }

    [Fact]
    public void The_csr_fingerprint_equals_the_fingerprint_of_the_certificate_issued_for_it()
    {
        var csr = SigningRequest.Parse(SigningRequest.Create("node-a", [], _key).PemText);

        using var certificate = _ca.IssueNode(csr, TimeSpan.FromDays(30));

        Assert.Equal(csr.Fingerprint, Fingerprint.Of(certificate));
    }

    [Fact]
    public void A_fingerprint_is_64_lower_case_hex_digits()
    {
        var fingerprint = SigningRequest.Create("node-a", [], _key).Fingerprint;

        Assert.Matches("^[0-9a-f]{64}$", fingerprint);
    }

    [Fact]
    public void Certificate_public_key_and_request_give_the_same_fingerprint()
    {
        var request = new CertificateRequest("CN=x", _key, HashAlgorithmName.SHA256);
        using var certificate = _ca.Issue("node-a", CertificateRole.Node, request.PublicKey, TimeSpan.FromDays(1));

        Assert.Equal(Fingerprint.Of(request), Fingerprint.Of(certificate));
        Assert.Equal(Fingerprint.Of(request), Fingerprint.Of(certificate.PublicKey));
    }

    [Fact]
    public void Different_keys_have_different_fingerprints()
    {
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        Assert.NotEqual(
            SigningRequest.Create("node-a", [], _key).Fingerprint,
            SigningRequest.Create("node-a", [], other).Fingerprint);
    }

    [Fact]
    public void Normalize_accepts_upper_case_and_colons()
    {
        var fingerprint = SigningRequest.Create("node-a", [], _key).Fingerprint;
        var pasted = string.Join(':', Enumerable.Range(0, 32).Select(i => fingerprint.Substring(i * 2, 2))).ToUpperInvariant();

        Assert.Equal(fingerprint, Fingerprint.Normalize(pasted));
    }

    [Theory]
    [InlineData("AB:CD:EF", "abcdef")]
    [InlineData("  abcdef\n", "abcdef")]
    [InlineData(" AB:cd:Ef ", "abcdef")]
    [InlineData("abcdef", "abcdef")]
    public void Normalize_tolerates_what_an_operator_may_paste(string pasted, string expected)
    {
        Assert.Equal(expected, Fingerprint.Normalize(pasted));
    }

    [Fact]
    public void Short_keeps_the_first_16_hex_digits()
    {
        var fingerprint = SigningRequest.Create("node-a", [], _key).Fingerprint;

        Assert.Equal(fingerprint[..16], Fingerprint.Short(fingerprint));
        Assert.Equal("abc", Fingerprint.Short("abc"));
    }
}
