using Akka.Actor;
using Akka.Configuration;

namespace OkvActors.Cluster.Backup;

/// <summary>Scheduled backups (HOCON <c>okv.backup</c>); defaults in the Cluster module's reference.conf.</summary>
public sealed class BackupSettings
{
    private BackupSettings(Config config)
    {
        var c = config.GetConfig("okv.backup");
        var interval = c.GetString("interval").Trim();
        Interval = interval is "off" or "" ? null : c.GetTimeSpan("interval");
        Directory = c.GetString("directory");
        Retention = c.GetInt("retention");
        if (Interval is { } i && i < TimeSpan.FromSeconds(1))
        {
            throw new ConfigurationException($"okv.backup.interval must be off or at least 1s, not {interval}");
        }

        if (Interval is not null && string.IsNullOrWhiteSpace(Directory))
        {
            throw new ConfigurationException("okv.backup.interval is set: okv.backup.directory must name where the archives go");
        }

        if (Retention < 1)
        {
            throw new ConfigurationException($"okv.backup.retention must be at least 1, not {Retention}");
        }
    }

    /// <summary>Time between scheduled backups; null when scheduled backups are off.</summary>
    public TimeSpan? Interval { get; }

    public string Directory { get; }

    /// <summary>How many scheduled archives of this node the directory keeps (the newest).</summary>
    public int Retention { get; }

    public bool Scheduled => Interval is not null;

    public static BackupSettings Create(Config config) => new(config.WithFallback(OkvClusterSettings.DefaultConfig()));

    public static BackupSettings Create(ActorSystem system) => Create(system.Settings.Config);
}
