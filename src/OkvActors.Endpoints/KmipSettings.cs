using Akka.Configuration;

namespace OkvActors.Endpoints;

/// <summary>The KMIP listener's settings (HOCON <c>okv.kmip</c>); defaults in the embedded reference.conf.</summary>
public sealed class KmipSettings
{
    private KmipSettings(Config config)
    {
        var kmip = config.GetConfig("okv.kmip");
        Enabled = kmip.GetBoolean("enabled");
        MaxMessageSize = checked((int)(kmip.GetByteSize("max-message-size") ?? 1 << 20));
        MaxConnections = kmip.GetInt("max-connections");
        ReadTimeout = kmip.GetTimeSpan("read-timeout");
        IdleTimeout = kmip.GetTimeSpan("idle-timeout");
        HandshakeTimeout = kmip.GetTimeSpan("handshake-timeout");
        if (MaxMessageSize < 1024 || MaxConnections < 1)
        {
            throw new ConfigurationException("okv.kmip.max-message-size must be at least 1 KiB and max-connections at least 1");
        }
    }

    public bool Enabled { get; }

    public int MaxMessageSize { get; }

    public int MaxConnections { get; }

    public TimeSpan ReadTimeout { get; }

    public TimeSpan IdleTimeout { get; }

    public TimeSpan HandshakeTimeout { get; }

    public static Config DefaultConfig() => ConfigurationFactory.FromResource<KmipSettings>("reference.conf");

    public static KmipSettings Create(Config config) => new(config.WithFallback(DefaultConfig()));
}
