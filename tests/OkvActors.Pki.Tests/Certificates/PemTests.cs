using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using OkvActors.Pki.Certificates;
using Xunit;

namespace OkvActors.Pki.Tests.Certificates;

public sealed class PemTests : IDisposable
{
    private readonly ClusterCa _ca = ClusterCa.Create("prod");
    private readonly string _directory = Directory.CreateTempSubdirectory("okv-pem-tests-").FullName;

    public void Dispose()
    {
        _ca.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public void A_certificate_round_trips_through_pem()
    {
        var pem = Pem.Certificate(_ca.Certificate);

        using var read = Pem.ReadCertificate(pem);

        Assert.StartsWith("-----BEGIN CERTIFICATE-----", pem, StringComparison.Ordinal);
        Assert.Equal(_ca.Certificate.RawData, read.RawData);
    }

    [Fact]
    public void A_private_key_round_trips_through_pem()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        using var read = Pem.ReadPrivateKey(Pem.PrivateKey(key));

        Assert.Equal(key.ExportECPrivateKey(), read.ExportECPrivateKey());
    }

    [Theory]
    [InlineData("")]
    [InlineData("garbage")]
    [InlineData("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")]
    public void ReadCertificate_refuses_what_is_not_a_certificate(string text)
    {
        Assert.Throws<PkiException>(() => Pem.ReadCertificate(text));
    }

    [Fact]
    public void ReadCertificate_refuses_a_private_key()
    {
        Assert.Throws<PkiException>(() => Pem.ReadCertificate(_ca.ExportKeyPem()));
    }

    [Theory]
    [InlineData("")]
    [InlineData("garbage")]
    [InlineData("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")]
    public void ReadPrivateKey_refuses_what_is_not_a_key(string text)
    {
        Assert.Throws<PkiException>(() => Pem.ReadPrivateKey(text));
    }

    [Fact]
    public void ReadPrivateKey_refuses_a_certificate()
    {
        Assert.Throws<PkiException>(() => Pem.ReadPrivateKey(Pem.Certificate(_ca.Certificate)));
    }

    [Fact]
    public void ReadCertificateWithKey_binds_the_key_to_the_certificate()
    {
        var (certificate, key) = _ca.IssueWithNewKey("node-a", CertificateRole.Node, TimeSpan.FromDays(1));
        using (certificate)
        using (key)
        {
            using var bound = Pem.ReadCertificateWithKey(Pem.Certificate(certificate), Pem.PrivateKey(key));

            Assert.True(bound.HasPrivateKey);
            Assert.Equal(certificate.RawData, bound.RawData);
            using var privateKey = bound.GetECDsaPrivateKey()!;
            var data = Encoding.UTF8.GetBytes("handshake transcript");
            var signature = privateKey.SignData(data, HashAlgorithmName.SHA256);
            Assert.True(key.VerifyData(data, signature, HashAlgorithmName.SHA256));
        }
    }

    [Fact]
    public void ReadCertificateWithKey_refuses_a_key_that_does_not_belong_to_the_certificate()
    {
        var (certificate, key) = _ca.IssueWithNewKey("node-a", CertificateRole.Node, TimeSpan.FromDays(1));
        using var other = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using (certificate)
        using (key)
        {
            var e = Assert.Throws<PkiException>(() => Pem.ReadCertificateWithKey(Pem.Certificate(certificate), Pem.PrivateKey(other)));

            Assert.Contains("does not belong", e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void ReadCertificateWithKey_refuses_garbage_for_either_part()
    {
        var (certificate, key) = _ca.IssueWithNewKey("node-a", CertificateRole.Node, TimeSpan.FromDays(1));
        using (certificate)
        using (key)
        {
            Assert.Throws<PkiException>(() => Pem.ReadCertificateWithKey("garbage", Pem.PrivateKey(key)));
            Assert.Throws<PkiException>(() => Pem.ReadCertificateWithKey(Pem.Certificate(certificate), "garbage"));
        }
    }

    [Fact]
    public void WritePrivateFile_creates_an_owner_only_file()
    {
        var path = Path.Combine(_directory, "node.key");

        Pem.WritePrivateFile(path, _ca.ExportKeyPem());

        Assert.Equal(_ca.ExportKeyPem(), File.ReadAllText(path));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }
    }

    [Fact]
    public void WritePrivateFile_replaces_a_world_readable_file_with_an_owner_only_one()
    {
        var path = Path.Combine(_directory, "node.key");
        File.WriteAllText(path, "an older and much longer content that must not survive the rewrite");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        }

        Pem.WritePrivateFile(path, "secret"u8.ToArray());

        Assert.Equal("secret"u8.ToArray(), File.ReadAllBytes(path));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }
    }

    [Fact]
    public void WriteFile_writes_the_pem_text()
    {
        var path = Path.Combine(_directory, "ca.crt");
        var pem = Pem.Certificate(_ca.Certificate);

        Pem.WriteFile(path, pem);

        using var read = Pem.ReadCertificate(File.ReadAllText(path));
        Assert.Equal(_ca.Certificate.RawData, read.RawData);
    }
}
