using Akka.Configuration;

namespace OkvActors.Endpoints.Management;

/// <summary>The management listener's settings (HOCON <c>okv.management</c>); defaults in the embedded reference.conf.</summary>
public sealed class ManagementSettings
{
    private ManagementSettings(Config config)
    {
        var management = config.GetConfig("okv.management");
        Enabled = management.GetBoolean("enabled");
        MaxConnections = management.GetInt("max-connections");
        MaxRequestSize = checked((int)(management.GetByteSize("max-request-size") ?? 64 * 1024));
        HandshakeTimeout = management.GetTimeSpan("handshake-timeout");
        IdleTimeout = management.GetTimeSpan("idle-timeout");
        LogBufferSize = management.GetInt("log-buffer-size");
        if (MaxConnections < 1 || MaxRequestSize < 1024 || LogBufferSize < 1)
        {
            throw new ConfigurationException(
                "okv.management.max-connections and log-buffer-size must be at least 1 and max-request-size at least 1 KiB");
        }
    }

    public bool Enabled { get; }

    public int MaxConnections { get; }

    public int MaxRequestSize { get; }

    public TimeSpan HandshakeTimeout { get; }

    public TimeSpan IdleTimeout { get; }

    public int LogBufferSize { get; }

    public static Config DefaultConfig() => ConfigurationFactory.FromResource<ManagementSettings>("reference.conf");

    public static ManagementSettings Create(Config config) => new(config.WithFallback(DefaultConfig()));
}
