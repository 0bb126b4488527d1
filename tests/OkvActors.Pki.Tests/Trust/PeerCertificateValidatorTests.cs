using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using OkvActors.Pki.Certificates;
using OkvActors.Pki.Trust;
using Xunit;

namespace OkvActors.Pki.Tests.Trust;

public sealed class PeerCertificateValidatorTests : IDisposable
{
    private const string ServerAuth = "1.3.6.1.5.5.7.3.1";
    private const string ClientAuth = "1.3.6.1.5.5.7.3.2";

    private readonly ClusterCa _ca = ClusterCa.Create("prod");
    private readonly RevocationList _revocations = new();
    private readonly List<IDisposable> _disposables = [];

    public void Dispose()
    {
        foreach (var disposable in _disposables)
        {
            disposable.Dispose();
        }

        _ca.Dispose();
    }

    [Fact]
    public void Validator_accepts_a_node_certificate_issued_by_the_cluster_ca()
    {
        var certificate = Issue(_ca, "node-a", CertificateRole.Node);

        var verdict = NodeLink().Validate(certificate);

        Assert.True(verdict.Accepted);
        Assert.Equal(RefusalReason.None, verdict.Reason);
        Assert.Equal(CertificateRole.Node, verdict.Role);
        Assert.Equal(Fingerprint.Of(certificate), verdict.Fingerprint);
        Assert.Equal("CN=node-a, OU=okv-node, O=prod", verdict.Subject);
    }

    [Fact]
    public void Validator_accepts_a_node_certificate_issued_from_a_csr()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var csr = SigningRequest.Parse(SigningRequest.Create("node-b", [System.Net.IPAddress.Loopback], key).PemText);
        var certificate = Track(_ca.IssueNode(csr, TimeSpan.FromDays(30)));

        var verdict = NodeLink().Validate(certificate);

        Assert.True(verdict.Accepted, verdict.Detail);
        Assert.Equal(csr.Fingerprint, verdict.Fingerprint);
    }

    [Fact]
    public void Validator_accepts_a_certificate_issued_by_the_ca_after_it_was_reloaded_from_pem()
    {
        using var loaded = ClusterCa.Load(Pem.Certificate(_ca.Certificate), _ca.ExportKeyPem());
        var certificate = Issue(loaded, "node-a", CertificateRole.Node);

        Assert.True(NodeLink().Validate(certificate).Accepted);
    }

    [Fact]
    public void Validator_accepts_a_certificate_read_back_with_its_key()
    {
        var (certificate, key) = _ca.IssueWithNewKey("node-a", CertificateRole.Node, TimeSpan.FromDays(1));
        Track(certificate);
        Track(key);
        var bound = Track(Pem.ReadCertificateWithKey(Pem.Certificate(certificate), Pem.PrivateKey(key)));

        Assert.True(NodeLink().Validate(bound).Accepted);
    }

    [Fact]
    public void Validator_refuses_a_certificate_from_another_ca()
    {
        using var foreign = ClusterCa.Create("other");
        var certificate = Issue(foreign, "node-a", CertificateRole.Node);

        var verdict = NodeLink().Validate(certificate);

        Assert.False(verdict.Accepted);
        Assert.Equal(RefusalReason.NotIssuedByClusterCa, verdict.Reason);
    }

    [Fact]
    public void Validator_refuses_a_certificate_from_another_ca_with_the_same_cluster_name()
    {
        using var impostor = ClusterCa.Create("prod");
        var certificate = Issue(impostor, "node-a", CertificateRole.Node);
        Assert.Equal(_ca.Certificate.Subject, certificate.Issuer);

        var verdict = NodeLink().Validate(certificate);

        Assert.Equal(RefusalReason.NotIssuedByClusterCa, verdict.Reason);
    }

    [Fact]
    public void Validator_refuses_a_self_signed_certificate()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=node-a, OU=okv-node, O=prod", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(new OidCollection { new(ServerAuth), new(ClientAuth) }, false));
        var now = DateTimeOffset.UtcNow;
        var certificate = Track(request.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(1)));

        var verdict = NodeLink().Validate(certificate);

        Assert.Equal(RefusalReason.SelfSigned, verdict.Reason);
        Assert.Equal(CertificateRole.Node, verdict.Role);
    }

    [Fact]
    public void Validator_refuses_a_self_signed_copy_of_the_ca_subject()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(_ca.Certificate.SubjectName, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        var now = DateTimeOffset.UtcNow;
        var certificate = Track(request.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(1)));

        Assert.Equal(RefusalReason.SelfSigned, NodeLink().Validate(certificate).Reason);
    }

    [Fact]
    public void Validator_refuses_the_ca_certificate_itself_as_a_peer()
    {
        var verdict = NodeLink().Validate(_ca.Certificate);

        Assert.False(verdict.Accepted);
        Assert.Equal(RefusalReason.WrongRole, verdict.Reason);
    }

    [Fact]
    public void Validator_refuses_an_expired_certificate()
    {
        var certificate = Issue(_ca, "node-a", CertificateRole.Node, TimeSpan.FromHours(1), DateTimeOffset.UtcNow.AddDays(-2));
        Assert.True(certificate.NotAfter.ToUniversalTime() < DateTime.UtcNow);

        var verdict = NodeLink().Validate(certificate);

        Assert.Equal(RefusalReason.Expired, verdict.Reason);
    }

    [Fact]
    public void Validator_refuses_a_certificate_that_is_not_yet_valid()
    {
        var certificate = Issue(_ca, "node-a", CertificateRole.Node, TimeSpan.FromDays(30), DateTimeOffset.UtcNow.AddDays(1));

        var verdict = NodeLink().Validate(certificate);

        Assert.Equal(RefusalReason.NotYetValid, verdict.Reason);
    }

    [Fact]
    public void Validator_judges_validity_by_its_own_clock()
    {
        var certificate = Issue(_ca, "node-a", CertificateRole.Node, TimeSpan.FromDays(30));
        var roles = new HashSet<CertificateRole> { CertificateRole.Node };

        var inAYear = new PeerCertificateValidator(_ca.Certificate, _revocations, roles, new FixedClock(DateTimeOffset.UtcNow.AddDays(365)));
        var yesterday = new PeerCertificateValidator(_ca.Certificate, _revocations, roles, new FixedClock(DateTimeOffset.UtcNow.AddDays(-1)));
        var inAWeek = new PeerCertificateValidator(_ca.Certificate, _revocations, roles, new FixedClock(DateTimeOffset.UtcNow.AddDays(7)));

        Assert.Equal(RefusalReason.Expired, inAYear.Validate(certificate).Reason);
        Assert.Equal(RefusalReason.NotYetValid, yesterday.Validate(certificate).Reason);
        Assert.True(inAWeek.Validate(certificate).Accepted);
    }

    [Fact]
    public void Validator_refuses_an_endpoint_certificate_on_a_node_only_link()
    {
        var certificate = Issue(_ca, "kmip-client", CertificateRole.Endpoint);

        var verdict = NodeLink().Validate(certificate);

        Assert.Equal(RefusalReason.WrongRole, verdict.Reason);
        Assert.Equal(CertificateRole.Endpoint, verdict.Role);
    }

    [Fact]
    public void Validator_refuses_an_operator_certificate_on_a_node_only_link()
    {
        var certificate = Issue(_ca, "alice", CertificateRole.Operator);

        Assert.Equal(RefusalReason.WrongRole, NodeLink().Validate(certificate).Reason);
    }

    [Fact]
    public void Validator_refuses_a_node_certificate_on_an_endpoint_only_link()
    {
        var certificate = Issue(_ca, "node-a", CertificateRole.Node);

        Assert.Equal(RefusalReason.WrongRole, Link(CertificateRole.Endpoint).Validate(certificate).Reason);
    }

    [Fact]
    public void Validator_accepts_endpoint_and_operator_certificates_on_a_link_that_allows_them()
    {
        var validator = Link(CertificateRole.Endpoint, CertificateRole.Operator);

        var endpoint = validator.Validate(Issue(_ca, "kmip-client", CertificateRole.Endpoint));
        var @operator = validator.Validate(Issue(_ca, "alice", CertificateRole.Operator));

        Assert.True(endpoint.Accepted, endpoint.Detail);
        Assert.Equal(CertificateRole.Endpoint, endpoint.Role);
        Assert.True(@operator.Accepted, @operator.Detail);
        Assert.Equal(CertificateRole.Operator, @operator.Role);
    }

    [Fact]
    public void Validator_refuses_a_ca_issued_certificate_without_a_role()
    {
        var certificate = IssueByHand("CN=node-a, O=prod", ServerAuth, ClientAuth);

        var verdict = NodeLink().Validate(certificate);

        Assert.Equal(RefusalReason.WrongRole, verdict.Reason);
        Assert.Null(verdict.Role);
    }

    [Fact]
    public void Validator_refuses_a_node_certificate_without_server_usage()
    {
        var certificate = IssueByHand("CN=node-a, OU=okv-node, O=prod", ClientAuth);
        Assert.True(ChainsToCa(certificate), "the hand-made certificate must really be issued by the cluster CA");

        var verdict = NodeLink().Validate(certificate);

        Assert.Equal(RefusalReason.MissingUsage, verdict.Reason);
    }

    [Fact]
    public void Validator_refuses_a_node_certificate_without_client_usage()
    {
        var certificate = IssueByHand("CN=node-a, OU=okv-node, O=prod", ServerAuth);

        Assert.Equal(RefusalReason.MissingUsage, NodeLink().Validate(certificate).Reason);
    }

    [Fact]
    public void Validator_refuses_a_node_certificate_without_any_usage_extension()
    {
        var certificate = IssueByHand("CN=node-a, OU=okv-node, O=prod");

        Assert.Equal(RefusalReason.MissingUsage, NodeLink().Validate(certificate).Reason);
    }

    [Fact]
    public void Validator_refuses_an_endpoint_certificate_without_client_usage()
    {
        var certificate = IssueByHand("CN=kmip-client, OU=okv-endpoint, O=prod", ServerAuth);

        Assert.Equal(RefusalReason.MissingUsage, Link(CertificateRole.Endpoint).Validate(certificate).Reason);
    }

    [Fact]
    public void Validator_accepts_a_hand_made_certificate_with_the_right_role_and_usages()
    {
        var certificate = IssueByHand("CN=node-a, OU=okv-node, O=prod", ServerAuth, ClientAuth);

        Assert.True(NodeLink().Validate(certificate).Accepted);
    }

    [Fact]
    public void Validator_refuses_a_revoked_certificate_until_the_revocation_is_lifted()
    {
        var certificate = Issue(_ca, "node-a", CertificateRole.Node);
        var validator = NodeLink();

        _revocations.Replace([Fingerprint.Of(certificate)]);
        var revoked = validator.Validate(certificate);
        _revocations.Replace([]);
        var reinstated = validator.Validate(certificate);

        Assert.Equal(RefusalReason.Revoked, revoked.Reason);
        Assert.True(reinstated.Accepted);
        Assert.Same(_revocations, validator.Revocations);
    }

    [Fact]
    public void Revoking_one_certificate_leaves_the_others_accepted()
    {
        var revoked = Issue(_ca, "node-a", CertificateRole.Node);
        var other = Issue(_ca, "node-b", CertificateRole.Node);

        _revocations.Replace([Fingerprint.Of(revoked)]);

        Assert.Equal(RefusalReason.Revoked, NodeLink().Validate(revoked).Reason);
        Assert.True(NodeLink().Validate(other).Accepted);
    }

    [Fact]
    public void Revocation_follows_the_key_so_a_reissued_certificate_for_it_is_refused_too()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var csr = SigningRequest.Create("node-a", [], key);
        var first = Track(_ca.IssueNode(csr, TimeSpan.FromDays(30)));
        var second = Track(_ca.IssueNode(csr, TimeSpan.FromDays(30)));

        _revocations.Replace([csr.Fingerprint]);

        Assert.Equal(RefusalReason.Revoked, NodeLink().Validate(first).Reason);
        Assert.Equal(RefusalReason.Revoked, NodeLink().Validate(second).Reason);
    }

    [Fact]
    public void A_refusal_says_why_and_names_the_peer()
    {
        using var foreign = ClusterCa.Create("other");
        var certificate = Issue(foreign, "node-a", CertificateRole.Node);

        var verdict = NodeLink().Validate(certificate);

        Assert.Equal("CN=node-a, OU=okv-node, O=other", verdict.Subject);
        Assert.Equal(Fingerprint.Of(certificate), verdict.Fingerprint);
        Assert.Contains("other cluster CA", verdict.Detail, StringComparison.Ordinal);
    }

    private PeerCertificateValidator NodeLink() => Link(CertificateRole.Node);

    private PeerCertificateValidator Link(params CertificateRole[] roles) =>
        new(_ca.Certificate, _revocations, roles.ToHashSet());

    private X509Certificate2 Issue(ClusterCa ca, string name, CertificateRole role, TimeSpan? validity = null,
        DateTimeOffset? notBefore = null)
    {
        var (certificate, key) = ca.IssueWithNewKey(name, role, validity ?? TimeSpan.FromDays(30), notBefore: notBefore);
        Track(key);
        return Track(certificate);
    }

    /// <summary>
    /// A certificate really signed by the cluster CA's key, but with a subject and usages the CA
    /// itself would never put together.
    /// </summary>
    private X509Certificate2 IssueByHand(string subject, params string[] usages)
    {
        using var loaded = ClusterCa.Load(Pem.Certificate(_ca.Certificate), _ca.ExportKeyPem());
        using var caKey = Pem.ReadPrivateKey(_ca.ExportKeyPem());
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        if (usages.Length > 0)
        {
            var oids = new OidCollection();
            foreach (var usage in usages)
            {
                oids.Add(new Oid(usage));
            }

            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(oids, false));
        }

        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(loaded.Certificate, true, false));
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        var now = DateTimeOffset.UtcNow;
        using var issued = request.Create(loaded.Certificate.SubjectName, X509SignatureGenerator.CreateForECDsa(caKey),
            now.AddMinutes(-5), now.AddDays(1), serial);
        return Track(X509CertificateLoader.LoadCertificate(issued.RawData));
    }

    private bool ChainsToCa(X509Certificate2 certificate)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(_ca.Certificate);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate);
    }

    private T Track<T>(T disposable)
        where T : IDisposable
    {
        _disposables.Add(disposable);
        return disposable;
    }
}
