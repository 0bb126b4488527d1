using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using OkvActors.Pki.Certificates;
using Xunit;

namespace OkvActors.Pki.Tests.Certificates;

public sealed class SigningRequestTests : IDisposable
{
    private const string CsrLabel = "CERTIFICATE REQUEST";

    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public void Dispose() => _key.Dispose();

    [Fact]
    public void Create_then_Parse_keeps_the_name_addresses_and_fingerprint()
    {
        var addresses = new[] { IPAddress.Parse("10.0.0.7"), IPAddress.Parse("192.168.1.20"), IPAddress.Parse("fd00::7") };
        var csr = SigningRequest.Create("node-a", addresses, _key);

        var parsed = SigningRequest.Parse(csr.PemText);

        Assert.Equal("node-a", parsed.Name);
        Assert.Equal(addresses, parsed.Addresses);
        Assert.Equal(csr.Fingerprint, parsed.Fingerprint);
        Assert.Equal(csr.PemText, parsed.PemText);
    }

    [Fact]
    public void Create_keeps_what_it_was_given()
    {
        var addresses = new[] { IPAddress.Loopback };

        var csr = SigningRequest.Create("node-a", addresses, _key);

        Assert.Equal("node-a", csr.Name);
        Assert.Equal(addresses, csr.Addresses);
        Assert.StartsWith("-----BEGIN CERTIFICATE REQUEST-----", csr.PemText, StringComparison.Ordinal);
        Assert.Equal(_key.ExportSubjectPublicKeyInfo(), csr.PublicKey.ExportSubjectPublicKeyInfo());
    }

    [Fact]
    public void A_csr_without_addresses_parses_with_none()
    {
        var parsed = SigningRequest.Parse(SigningRequest.Create("node-a", [], _key).PemText);

        Assert.Empty(parsed.Addresses);
        Assert.Equal("node-a", parsed.Name);
    }

    [Fact]
    public void The_csr_fingerprint_names_the_key_that_signed_it()
    {
        var csr = SigningRequest.Create("node-a", [], _key);

        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(_key.ExportSubjectPublicKeyInfo())), csr.Fingerprint);
    }

    [Theory]
    [InlineData("Node-A")]
    [InlineData("")]
    [InlineData("1node")]
    [InlineData("node_a")]
    [InlineData("node.example.com")]
    [InlineData("node-a, O=evil")]
    public void Create_refuses_an_invalid_node_name(string name)
    {
        Assert.Throws<PkiException>(() => SigningRequest.Create(name, [], _key));
    }

    [Theory]
    [InlineData("")]
    [InlineData("hello")]
    [InlineData("-----BEGIN CERTIFICATE REQUEST-----\nnot base64 at all!\n-----END CERTIFICATE REQUEST-----\n")]
    [InlineData("-----BEGIN CERTIFICATE REQUEST-----\naGVsbG8gd29ybGQ=\n-----END CERTIFICATE REQUEST-----\n")]
    public void Parse_refuses_garbage_text(string text)
    {
        Assert.Throws<PkiException>(() => SigningRequest.Parse(text));
    }

    [Fact]
    public void Parse_refuses_a_pem_cut_off_before_its_end_line()
    {
        var pem = SigningRequest.Create("node-a", [IPAddress.Loopback], _key).PemText;

        Assert.Throws<PkiException>(() => SigningRequest.Parse(pem[..(pem.Length / 2)]));
    }

    [Fact]
    public void Parse_refuses_a_pem_whose_body_lost_its_tail()
    {
        var der = Der(SigningRequest.Create("node-a", [IPAddress.Loopback], _key).PemText);

        var truncated = PemEncoding.WriteString(CsrLabel, der.AsSpan(0, der.Length - 12));

        Assert.Throws<PkiException>(() => SigningRequest.Parse(truncated));
    }

    [Fact]
    public void Parse_refuses_a_csr_whose_subject_was_altered_after_signing()
    {
        var der = Der(SigningRequest.Create("node-a", [], _key).PemText);
        var at = der.AsSpan().IndexOf("node-a"u8);
        Assert.True(at > 0);
        der[at + 5] = (byte)'b';
        var altered = PemEncoding.WriteString(CsrLabel, der);

        // The alteration keeps the DER well formed: only the self-signature can catch it.
        var unverified = CertificateRequest.LoadSigningRequest(der, HashAlgorithmName.SHA256,
            CertificateRequestLoadOptions.SkipSignatureValidation);
        Assert.Equal("CN=node-b", unverified.SubjectName.Name);

        Assert.Throws<PkiException>(() => SigningRequest.Parse(altered));
    }

    [Fact]
    public void Parse_refuses_a_csr_whose_address_was_altered_after_signing()
    {
        var der = Der(SigningRequest.Create("node-a", [IPAddress.Parse("10.0.0.7")], _key).PemText);
        var at = der.AsSpan().IndexOf(new byte[] { 10, 0, 0, 7 });
        Assert.True(at > 0);
        der[at + 3] ^= 0x01;

        Assert.Throws<PkiException>(() => SigningRequest.Parse(PemEncoding.WriteString(CsrLabel, der)));
    }

    [Fact]
    public void Parse_refuses_a_csr_whose_signature_was_altered()
    {
        var der = Der(SigningRequest.Create("node-a", [], _key).PemText);
        der[^1] ^= 0x01;

        Assert.Throws<PkiException>(() => SigningRequest.Parse(PemEncoding.WriteString(CsrLabel, der)));
    }

    [Fact]
    public void Parse_refuses_a_certificate_instead_of_a_csr()
    {
        using var ca = ClusterCa.Create("prod");

        Assert.Throws<PkiException>(() => SigningRequest.Parse(Pem.Certificate(ca.Certificate)));
    }

    [Fact]
    public void Parse_refuses_a_csr_with_an_rsa_key()
    {
        using var rsa = RSA.Create(2048);
        var pem = new CertificateRequest("CN=node-a", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            .CreateSigningRequestPem();

        Assert.Throws<PkiException>(() => SigningRequest.Parse(pem));
    }

    [Fact]
    public void Parse_refuses_a_csr_that_names_no_node()
    {
        var pem = new CertificateRequest("O=prod", _key, HashAlgorithmName.SHA256).CreateSigningRequestPem();

        var e = Assert.Throws<PkiException>(() => SigningRequest.Parse(pem));

        Assert.Contains("no CN", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("CN=Node A")]
    [InlineData("CN=node_a")]
    [InlineData("CN=node.example.com")]
    public void Parse_refuses_a_csr_with_an_invalid_node_name(string subject)
    {
        var pem = new CertificateRequest(subject, _key, HashAlgorithmName.SHA256).CreateSigningRequestPem();

        Assert.Throws<PkiException>(() => SigningRequest.Parse(pem));
    }

    [Fact]
    public void Parse_refuses_a_signed_csr_with_a_malformed_alternative_name()
    {
        var request = new CertificateRequest("CN=node-a", _key, HashAlgorithmName.SHA256);
        // SEQUENCE { [7] iPAddress of one byte }: well-formed DER, but no IP address is one byte long.
        request.CertificateExtensions.Add(new X509Extension("2.5.29.17", new byte[] { 0x30, 0x03, 0x87, 0x01, 0x0A }, false));

        var e = Assert.Throws<PkiException>(() => SigningRequest.Parse(request.CreateSigningRequestPem()));

        Assert.Contains("alternative names", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_accepts_a_csr_with_windows_line_endings()
    {
        var csr = SigningRequest.Create("node-a", [IPAddress.Loopback], _key);

        var parsed = SigningRequest.Parse(csr.PemText.Replace("\n", "\r\n", StringComparison.Ordinal));

        Assert.Equal(csr.Fingerprint, parsed.Fingerprint);
    }

    private static byte[] Der(string pem)
    {
        var fields = PemEncoding.Find(pem);
        Assert.Equal(CsrLabel, pem[fields.Label]);
        return Convert.FromBase64String(pem[fields.Base64Data]);
    }
}
