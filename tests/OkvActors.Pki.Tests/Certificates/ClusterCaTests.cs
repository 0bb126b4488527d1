using System.Net;
using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using OkvActors.Pki.Certificates;
using Xunit;

namespace OkvActors.Pki.Tests.Certificates;

public sealed class ClusterCaTests : IDisposable
{
    private const string ServerAuth = "1.3.6.1.5.5.7.3.1";
    private const string ClientAuth = "1.3.6.1.5.5.7.3.2";

    private readonly ClusterCa _ca = ClusterCa.Create("prod");

    public void Dispose() => _ca.Dispose();

    [Fact]
    public void Create_makes_a_self_signed_ca_certificate_named_after_the_cluster()
    {
        var certificate = _ca.Certificate;

        Assert.Equal("prod", _ca.ClusterName);
        Assert.Equal("CN=prod cluster CA, O=prod", certificate.Subject);
        Assert.Equal(certificate.Subject, certificate.Issuer);
        var constraints = Assert.Single(certificate.Extensions.OfType<X509BasicConstraintsExtension>());
        Assert.True(constraints.CertificateAuthority);
        Assert.True(constraints.Critical);
        var usage = Assert.Single(certificate.Extensions.OfType<X509KeyUsageExtension>());
        Assert.True(usage.KeyUsages.HasFlag(X509KeyUsageFlags.KeyCertSign));
        Assert.True(usage.KeyUsages.HasFlag(X509KeyUsageFlags.CrlSign));
        Assert.False(certificate.HasPrivateKey);
        Assert.Equal("1.2.840.10045.2.1", certificate.PublicKey.Oid.Value);
    }

    [Fact]
    public void Create_dates_the_ca_from_the_given_clock()
    {
        var now = new DateTimeOffset(2030, 1, 2, 3, 4, 5, TimeSpan.Zero);

        using var ca = ClusterCa.Create("prod", new FixedClock(now));

        Assert.Equal(now.AddMinutes(-5).UtcDateTime, ca.Certificate.NotBefore.ToUniversalTime());
        Assert.Equal(now.AddYears(20).UtcDateTime, ca.Certificate.NotAfter.ToUniversalTime());
    }

    [Theory]
    [InlineData("")]
    [InlineData("Prod")]
    [InlineData("prod cluster")]
    [InlineData("prod,O=evil")]
    public void Create_refuses_an_invalid_cluster_name(string name)
    {
        Assert.Throws<PkiException>(() => ClusterCa.Create(name));
    }

    [Fact]
    public void Load_round_trips_the_exported_certificate_and_key()
    {
        using var loaded = ClusterCa.Load(Pem.Certificate(_ca.Certificate), _ca.ExportKeyPem());

        Assert.Equal(_ca.Certificate.RawData, loaded.Certificate.RawData);
        Assert.Equal("prod", loaded.ClusterName);
        using var originalKey = Pem.ReadPrivateKey(_ca.ExportKeyPem());
        using var loadedKey = Pem.ReadPrivateKey(loaded.ExportKeyPem());
        Assert.Equal(originalKey.ExportSubjectPublicKeyInfo(), loadedKey.ExportSubjectPublicKeyInfo());
    }

    [Fact]
    public void A_loaded_ca_issues_certificates_that_chain_to_the_original_ca_certificate()
    {
        using var loaded = ClusterCa.Load(Pem.Certificate(_ca.Certificate), _ca.ExportKeyPem());

        var (certificate, key) = loaded.IssueWithNewKey("node-a", CertificateRole.Node, TimeSpan.FromDays(1));
        using (certificate)
        using (key)
        {
            Assert.True(ChainsTo(certificate, _ca.Certificate));
        }
    }

    [Fact]
    public void Load_refuses_a_key_that_does_not_belong_to_the_certificate()
    {
        using var other = ClusterCa.Create("prod");

        var e = Assert.Throws<PkiException>(() => ClusterCa.Load(Pem.Certificate(_ca.Certificate), other.ExportKeyPem()));

        Assert.Contains("does not belong", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_refuses_garbage_instead_of_a_certificate()
    {
        Assert.Throws<PkiException>(() => ClusterCa.Load("not a certificate", _ca.ExportKeyPem()));
    }

    [Fact]
    public void Load_refuses_garbage_instead_of_a_key()
    {
        Assert.Throws<PkiException>(() => ClusterCa.Load(Pem.Certificate(_ca.Certificate), "not a key"));
    }

    [Fact]
    public void IssueNode_names_the_node_in_the_subject_with_the_node_role_and_the_cluster()
    {
        using var certificate = IssueNodeFor("node-a", IPAddress.Parse("10.0.0.7"));

        Assert.Equal("CN=node-a, OU=okv-node, O=prod", certificate.Subject);
        Assert.Equal("node-a", certificate.SubjectName.GetSingleValue("CN"));
        Assert.Equal("okv-node", certificate.SubjectName.GetSingleValue("OU"));
        Assert.Equal("prod", certificate.SubjectName.GetSingleValue("O"));
        Assert.Equal(_ca.Certificate.Subject, certificate.Issuer);
    }

    [Fact]
    public void IssueNode_makes_a_certificate_that_chains_to_the_ca()
    {
        using var certificate = IssueNodeFor("node-a");

        Assert.True(ChainsTo(certificate, _ca.Certificate));
        var aki = Assert.Single(certificate.Extensions.OfType<X509AuthorityKeyIdentifierExtension>());
        var caSki = Assert.Single(_ca.Certificate.Extensions.OfType<X509SubjectKeyIdentifierExtension>());
        Assert.Equal(Convert.FromHexString(caSki.SubjectKeyIdentifier!), aki.KeyIdentifier!.Value.ToArray());
    }

    [Fact]
    public void IssueNode_makes_a_certificate_with_server_and_client_usage()
    {
        using var certificate = IssueNodeFor("node-a");

        Assert.Equal([ServerAuth, ClientAuth], Usages(certificate).Order(StringComparer.Ordinal));
        var constraints = Assert.Single(certificate.Extensions.OfType<X509BasicConstraintsExtension>());
        Assert.False(constraints.CertificateAuthority);
        var usage = Assert.Single(certificate.Extensions.OfType<X509KeyUsageExtension>());
        Assert.True(usage.KeyUsages.HasFlag(X509KeyUsageFlags.DigitalSignature));
        Assert.False(usage.KeyUsages.HasFlag(X509KeyUsageFlags.KeyCertSign));
    }

    [Fact]
    public void IssueNode_carries_the_node_name_and_addresses_as_subject_alternative_names()
    {
        var addresses = new[] { IPAddress.Parse("10.0.0.7"), IPAddress.Parse("fd00::7") };

        using var certificate = IssueNodeFor("node-a", addresses);

        var san = Assert.Single(certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>());
        Assert.Equal(["node-a"], san.EnumerateDnsNames());
        Assert.Equal(addresses, san.EnumerateIPAddresses());
    }

    [Fact]
    public void IssueNode_keeps_the_addresses_of_a_csr_that_came_in_as_pem()
    {
        var addresses = new[] { IPAddress.Parse("10.0.0.7"), IPAddress.Parse("fd00::7") };
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var csr = SigningRequest.Parse(SigningRequest.Create("node-a", addresses, key).PemText);

        using var certificate = _ca.IssueNode(csr, TimeSpan.FromDays(30));

        var san = Assert.Single(certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>());
        Assert.Equal(["node-a"], san.EnumerateDnsNames());
        Assert.Equal(addresses, san.EnumerateIPAddresses());
    }

    [Fact]
    public void IssueNode_certifies_the_key_of_the_csr()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var csr = SigningRequest.Parse(SigningRequest.Create("node-a", [], key).PemText);

        using var certificate = _ca.IssueNode(csr, TimeSpan.FromDays(30));

        using var certified = certificate.GetECDsaPublicKey()!;
        Assert.Equal(key.ExportSubjectPublicKeyInfo(), certified.ExportSubjectPublicKeyInfo());
    }

    [Fact]
    public void IssueNode_uses_its_own_subject_not_the_one_in_the_csr()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=node-a, OU=okv-operator, O=evil", key, HashAlgorithmName.SHA256);
        var csr = SigningRequest.Parse(request.CreateSigningRequestPem());

        using var certificate = _ca.IssueNode(csr, TimeSpan.FromDays(30));

        Assert.Equal("CN=node-a, OU=okv-node, O=prod", certificate.Subject);
    }

    [Fact]
    public void IssueNode_dates_the_certificate_from_the_given_clock()
    {
        var now = DateTimeOffset.UtcNow.AddDays(3);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var csr = SigningRequest.Create("node-a", [], key);

        using var certificate = _ca.IssueNode(csr, TimeSpan.FromDays(30), new FixedClock(now));

        Assert.Equal(Seconds(now.AddMinutes(-5)), certificate.NotBefore.ToUniversalTime());
        Assert.Equal(Seconds(now.AddMinutes(-5).AddDays(30)), certificate.NotAfter.ToUniversalTime());
    }

    [Fact]
    public void Issue_never_outlives_the_ca()
    {
        var (certificate, key) = _ca.IssueWithNewKey("node-a", CertificateRole.Node, TimeSpan.FromDays(365 * 50));
        using (certificate)
        using (key)
        {
            Assert.Equal(_ca.Certificate.NotAfter, certificate.NotAfter);
        }
    }

    [Fact]
    public void Issue_with_the_endpoint_role_gives_client_usage_only()
    {
        var (certificate, key) = _ca.IssueWithNewKey("kmip-client", CertificateRole.Endpoint, TimeSpan.FromDays(1));
        using (certificate)
        using (key)
        {
            Assert.Equal([ClientAuth], Usages(certificate));
            Assert.Equal("CN=kmip-client, OU=okv-endpoint, O=prod", certificate.Subject);
            Assert.True(ChainsTo(certificate, _ca.Certificate));
        }
    }

    [Fact]
    public void Issue_with_the_operator_role_gives_client_usage_only()
    {
        var (certificate, key) = _ca.IssueWithNewKey("alice", CertificateRole.Operator, TimeSpan.FromDays(1));
        using (certificate)
        using (key)
        {
            Assert.Equal([ClientAuth], Usages(certificate));
            Assert.Equal("okv-operator", certificate.SubjectName.GetSingleValue("OU"));
        }
    }

    [Fact]
    public void Issue_certifies_the_given_public_key()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var publicKey = new CertificateRequest("CN=unused", key, HashAlgorithmName.SHA256).PublicKey;

        using var certificate = _ca.Issue("kmip-client", CertificateRole.Endpoint, publicKey, TimeSpan.FromDays(1));

        Assert.Equal(Fingerprint.Of(publicKey), Fingerprint.Of(certificate));
    }

    [Fact]
    public void Issue_refuses_an_invalid_identity_name()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var publicKey = new CertificateRequest("CN=unused", key, HashAlgorithmName.SHA256).PublicKey;

        Assert.Throws<PkiException>(() => _ca.Issue("Alice Smith", CertificateRole.Operator, publicKey, TimeSpan.FromDays(1)));
    }

    [Fact]
    public void IssueWithNewKey_returns_the_private_key_of_the_certificate()
    {
        var (certificate, key) = _ca.IssueWithNewKey("node-a", CertificateRole.Node, TimeSpan.FromDays(1));
        using (certificate)
        using (key)
        {
            using var bound = certificate.CopyWithPrivateKey(key);
            Assert.True(bound.HasPrivateKey);
        }
    }

    [Fact]
    public void IssueWithNewKey_honours_an_explicit_not_before()
    {
        var notBefore = new DateTimeOffset(2024, 6, 1, 0, 0, 0, TimeSpan.Zero);

        var (certificate, key) = _ca.IssueWithNewKey("node-a", CertificateRole.Node, TimeSpan.FromHours(1), notBefore: notBefore);
        using (certificate)
        using (key)
        {
            Assert.Equal(notBefore.UtcDateTime, certificate.NotBefore.ToUniversalTime());
            Assert.Equal(notBefore.AddHours(1).UtcDateTime, certificate.NotAfter.ToUniversalTime());
        }
    }

    [Fact]
    public void Issued_certificates_have_distinct_positive_serial_numbers()
    {
        var serials = new HashSet<string>();
        for (var i = 0; i < 8; i++)
        {
            var (certificate, key) = _ca.IssueWithNewKey("node-a", CertificateRole.Node, TimeSpan.FromDays(1));
            using (certificate)
            using (key)
            {
                var serial = certificate.SerialNumberBytes.ToArray();
                Assert.True(new BigInteger(serial, isUnsigned: false, isBigEndian: true) > 0);
                Assert.True(serials.Add(certificate.SerialNumber));
            }
        }
    }

    private X509Certificate2 IssueNodeFor(string name, params IPAddress[] addresses)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var csr = SigningRequest.Create(name, addresses, key);
        return _ca.IssueNode(csr, TimeSpan.FromDays(30));
    }

    private static List<string?> Usages(X509Certificate2 certificate) =>
        Assert.Single(certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>())
            .EnhancedKeyUsages.Cast<Oid>().Select(o => o.Value).ToList();

    private static DateTime Seconds(DateTimeOffset instant) =>
        new(instant.UtcDateTime.Ticks - (instant.UtcDateTime.Ticks % TimeSpan.TicksPerSecond), DateTimeKind.Utc);

    internal static bool ChainsTo(X509Certificate2 certificate, X509Certificate2 root)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(root);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate)
            && chain.ChainElements.Count == 2
            && chain.ChainElements[^1].Certificate.RawData.AsSpan().SequenceEqual(root.RawData);
    }
}
