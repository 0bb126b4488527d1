using Akka.Configuration;
using Xunit;

namespace OkvActors.Rest.Tests;

public sealed class RestSettingsTests
{
    [Fact]
    public void The_reference_conf_defaults_are_read_into_the_settings()
    {
        var settings = RestSettings.Create(Config.Empty);

        Assert.True(settings.Enabled);
        Assert.Equal(1024 * 1024, settings.MaxRequestBodySize);
        Assert.Equal(256, settings.MaxConnections);
        Assert.Equal(TimeSpan.FromSeconds(10), settings.HandshakeTimeout);
        Assert.Equal(200, settings.RateLimitBurst);
        Assert.Equal(100, settings.RateLimitPerSecond);
    }

    [Fact]
    public void Operator_values_win_over_the_defaults()
    {
        var settings = RestSettings.Create(ConfigurationFactory.ParseString("okv.rest { max-request-body-size = 64 KiB, rate-limit.burst = 5 }"));

        Assert.Equal(64 * 1024, settings.MaxRequestBodySize);
        Assert.Equal(5, settings.RateLimitBurst);
        Assert.Equal(100, settings.RateLimitPerSecond);
    }

    [Theory]
    [InlineData("okv.rest.max-request-body-size = 100b")]
    [InlineData("okv.rest.rate-limit.burst = 0")]
    [InlineData("okv.rest.rate-limit.per-second = 0")]
    [InlineData("okv.rest.max-connections = 0")]
    public void Unusable_limits_are_refused_with_the_key_named(string hocon)
    {
        var e = Assert.Throws<ConfigurationException>(() => RestSettings.Create(ConfigurationFactory.ParseString(hocon)));

        Assert.Contains("okv.rest", e.Message);
    }
}
