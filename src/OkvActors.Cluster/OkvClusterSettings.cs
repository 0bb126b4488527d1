using Akka.Actor;
using Akka.Configuration;

namespace OkvActors.Cluster;

/// <summary>The cluster module's settings (HOCON root <c>okv</c>); defaults in the embedded reference.conf.</summary>
public sealed class OkvClusterSettings
{
    private OkvClusterSettings(Config config)
    {
        var node = config.GetConfig("okv.node");
        var cluster = config.GetConfig("okv.cluster");
        var controller = config.GetConfig("okv.controller");
        Subgroup = node.GetString("subgroup");
        Host = node.GetString("host");
        Port = node.GetInt("port");
        KmipPort = node.GetInt("kmip-port");
        ManagementPort = node.GetInt("management-port");
        HttpsPort = node.GetInt("https-port");
        ClockOffset = SignedDuration(node, "clock-offset");
        MaxNodes = cluster.GetInt("max-nodes");
        MaxClockSkew = cluster.GetTimeSpan("max-clock-skew");
        MaxDisableDuration = cluster.GetTimeSpan("max-disable-duration");
        NodeCertificateValidity = cluster.GetTimeSpan("node-certificate-validity");
        FormAloneAfter = cluster.GetTimeSpan("form-alone-after");
        var store = config.GetConfig("okv.store");
        StoreProvider = store.GetString("provider");
        StoreConnectionString = store.GetString("connection-string");
        if (StoreProvider is not ("sqlite" or "postgresql"))
        {
            throw new ConfigurationException($"okv.store.provider must be sqlite or postgresql, not '{StoreProvider}'");
        }

        if (StoreProvider == "postgresql" && string.IsNullOrWhiteSpace(StoreConnectionString))
        {
            throw new ConfigurationException("okv.store.provider = postgresql needs okv.store.connection-string");
        }

        WriteTimeout = controller.GetTimeSpan("write-timeout");
        AskTimeout = controller.GetTimeSpan("ask-timeout");
        AdmissionTimeout = controller.GetTimeSpan("admission-timeout");
        DowningStableAfter = config.GetTimeSpan("okv.downing.stable-after");
        IslandCheckInterval = config.GetTimeSpan("okv.downing.island-check-interval");
        FirstSyncTimeout = config.GetTimeSpan("okv.conversion.first-sync-timeout");
        FirstSyncParallelism = Positive(config, "okv.conversion.first-sync-parallelism");
        AuditSnapshotEvery = Positive(config, "okv.audit.snapshot-every");
        AuditPageSize = Positive(config, "okv.audit.page-size");
        RewrapInterval = config.GetTimeSpan("okv.secrets.rewrap.interval");
        RewrapBatchSize = Positive(config, "okv.secrets.rewrap.batch-size");
        RewrapParallelism = Positive(config, "okv.secrets.rewrap.parallelism");
    }

    public string Subgroup { get; }

    /// <summary>How often the KEK re-wrapper looks for objects under an older KEK generation.</summary>
    public TimeSpan RewrapInterval { get; }

    /// <summary>Objects the re-wrapper re-wraps per pass.</summary>
    public int RewrapBatchSize { get; }

    /// <summary>Re-wrap writes the re-wrapper keeps in flight.</summary>
    public int RewrapParallelism { get; }

    public string Host { get; }

    public int Port { get; }

    public int KmipPort { get; }

    public int ManagementPort { get; }

    public int HttpsPort { get; }

    public TimeSpan ClockOffset { get; }

    public int MaxNodes { get; }

    public TimeSpan MaxClockSkew { get; }

    public TimeSpan MaxDisableDuration { get; }

    public TimeSpan NodeCertificateValidity { get; }

    /// <summary>How long the first recorded seed waits for a silent seed before it forms the cluster alone (okv.cluster.form-alone-after).</summary>
    public TimeSpan FormAloneAfter { get; }

    /// <summary>sqlite or postgresql.</summary>
    public string StoreProvider { get; }

    public string StoreConnectionString { get; }

    public TimeSpan WriteTimeout { get; }

    public TimeSpan AskTimeout { get; }

    public TimeSpan AdmissionTimeout { get; }

    /// <summary>How long membership must hold still, with a member unreachable, before a side decides (okv.downing).</summary>
    public TimeSpan DowningStableAfter { get; }

    /// <summary>How often a node without a write quorum checks whether it is an island (okv.downing.island-check-interval).</summary>
    public TimeSpan IslandCheckInterval { get; }

    /// <summary>How long a joining node's first sync may take before it rolls back (okv.conversion.first-sync-timeout).</summary>
    public TimeSpan FirstSyncTimeout { get; }

    /// <summary>Majority reads the first sync keeps in flight (okv.conversion.first-sync-parallelism).</summary>
    public int FirstSyncParallelism { get; }

    /// <summary>Entries between two snapshots of the audit log's head (okv.audit.snapshot-every).</summary>
    public int AuditSnapshotEvery { get; }

    /// <summary>Most audit entries read from the journal at once (okv.audit.page-size).</summary>
    public int AuditPageSize { get; }

    private static int Positive(Config config, string path)
    {
        var value = config.GetInt(path);
        return value > 0 ? value : throw new ConfigurationException($"{path} must be positive, not {value}");
    }

    /// <summary>HOCON durations can't be negative; a clock may run behind, so "-3s" is read here.</summary>
    private static TimeSpan SignedDuration(Config config, string key)
    {
        var text = config.GetString(key).Trim();
        var negative = text.StartsWith('-');
        var magnitude = ConfigurationFactory.ParseString($"d = {text.TrimStart('-')}").GetTimeSpan("d");
        return negative ? -magnitude : magnitude;
    }

    /// <summary>The module's embedded defaults.</summary>
    public static Config DefaultConfig() =>
        ConfigurationFactory.FromResource<OkvClusterSettings>("reference.conf");

    public static OkvClusterSettings Create(Config config) => new(config.WithFallback(DefaultConfig()));

    public static OkvClusterSettings Create(ActorSystem system) => Create(system.Settings.Config);
}
