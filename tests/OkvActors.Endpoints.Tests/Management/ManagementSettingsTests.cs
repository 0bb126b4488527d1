using Akka.Configuration;
using OkvActors.Endpoints.Management;
using Xunit;

namespace OkvActors.Endpoints.Tests.Management;

public sealed class ManagementSettingsTests
{
    [Fact]
    public void Management_settings_must_have_the_documented_defaults()
    {
        var settings = ManagementSettings.Create(ConfigurationFactory.Empty);

        Assert.True(settings.Enabled);
        Assert.Equal(16, settings.MaxConnections);
        Assert.Equal(64 * 1024, settings.MaxRequestSize);
        Assert.Equal(TimeSpan.FromSeconds(10), settings.HandshakeTimeout);
        Assert.Equal(TimeSpan.FromMinutes(30), settings.IdleTimeout);
        Assert.Equal(1000, settings.LogBufferSize);
    }

    [Fact]
    public void Management_settings_must_refuse_limits_that_cannot_work()
    {
        Assert.Throws<ConfigurationException>(() =>
            ManagementSettings.Create(ConfigurationFactory.ParseString("okv.management.max-connections = 0")));
    }
}
