using Akka.Configuration;

namespace OkvActors.Rest;

/// <summary>The HTTPS REST listener's settings (HOCON <c>okv.rest</c>); defaults in the embedded reference.conf.</summary>
public sealed class RestSettings
{
    private RestSettings(Config config)
    {
        var rest = config.GetConfig("okv.rest");
        Enabled = rest.GetBoolean("enabled");
        MaxRequestBodySize = rest.GetByteSize("max-request-body-size") ?? 1 << 20;
        MaxConnections = rest.GetInt("max-connections");
        HandshakeTimeout = rest.GetTimeSpan("handshake-timeout");
        RateLimitBurst = rest.GetInt("rate-limit.burst");
        RateLimitPerSecond = rest.GetInt("rate-limit.per-second");
        if (MaxRequestBodySize < 1024 || MaxConnections < 1 || RateLimitBurst < 1 || RateLimitPerSecond < 1)
        {
            throw new ConfigurationException(
                "okv.rest.max-request-body-size must be at least 1 KiB; max-connections, rate-limit.burst and rate-limit.per-second at least 1");
        }
    }

    public bool Enabled { get; }

    public long MaxRequestBodySize { get; }

    public int MaxConnections { get; }

    public TimeSpan HandshakeTimeout { get; }

    /// <summary>Requests one identity may make at once before the bucket runs dry.</summary>
    public int RateLimitBurst { get; }

    /// <summary>Tokens added to each identity's bucket per second.</summary>
    public int RateLimitPerSecond { get; }

    public static Config DefaultConfig() => ConfigurationFactory.FromResource<RestSettings>("reference.conf");

    public static RestSettings Create(Config config) => new(config.WithFallback(DefaultConfig()));
}
