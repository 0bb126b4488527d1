using OkvActors.Pki.Certificates;
using Xunit;

namespace OkvActors.Pki.Tests.Certificates;

public class CertificateRoleTests
{
    [Theory]
    [InlineData(CertificateRole.Node, "okv-node")]
    [InlineData(CertificateRole.Endpoint, "okv-endpoint")]
    [InlineData(CertificateRole.Operator, "okv-operator")]
    public void Every_role_round_trips_through_its_ou(CertificateRole role, string ou)
    {
        Assert.Equal(ou, role.ToOu());
        Assert.Equal(role, CertificateRoleNames.FromOu(ou));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("OKV-NODE")]
    [InlineData("okv-admin")]
    public void An_unknown_ou_has_no_role(string? ou)
    {
        Assert.Null(CertificateRoleNames.FromOu(ou));
    }

    [Fact]
    public void An_undefined_role_has_no_ou()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ((CertificateRole)42).ToOu());
    }
}
