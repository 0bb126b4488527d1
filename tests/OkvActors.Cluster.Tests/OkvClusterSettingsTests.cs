using Akka.Configuration;
using Xunit;

namespace OkvActors.Cluster.Tests;

public sealed class OkvClusterSettingsTests
{
    [Fact]
    public void Empty_config_exposes_every_default_from_reference_conf()
    {
        var settings = OkvClusterSettings.Create(Config.Empty);

        Assert.Equal("sg01", settings.Subgroup);
        Assert.Equal("127.0.0.1", settings.Host);
        Assert.Equal(4053, settings.Port);
        Assert.Equal(5696, settings.KmipPort);
        Assert.Equal(9110, settings.ManagementPort);
        Assert.Equal(8443, settings.HttpsPort);
        Assert.Equal(TimeSpan.Zero, settings.ClockOffset);
        Assert.Equal(16, settings.MaxNodes);
        Assert.Equal(TimeSpan.FromSeconds(5), settings.MaxClockSkew);
        Assert.Equal(TimeSpan.FromHours(24), settings.MaxDisableDuration);
        Assert.Equal(TimeSpan.FromDays(730), settings.NodeCertificateValidity);
        Assert.Equal(TimeSpan.FromSeconds(5), settings.WriteTimeout);
        Assert.Equal(TimeSpan.FromSeconds(15), settings.AskTimeout);
        Assert.Equal(TimeSpan.FromSeconds(20), settings.AdmissionTimeout);
        Assert.Equal(TimeSpan.FromSeconds(20), settings.DowningStableAfter);
        Assert.Equal(1000, settings.AuditSnapshotEvery);
        Assert.Equal(1000, settings.AuditPageSize);
        Assert.Equal((TimeSpan.FromSeconds(1), 200, 8), (settings.RewrapInterval, settings.RewrapBatchSize, settings.RewrapParallelism));
        Assert.Equal(TimeSpan.FromMinutes(2), settings.FirstSyncTimeout);
        Assert.Equal(16, settings.FirstSyncParallelism);
    }

    [Fact]
    public void Audit_snapshot_and_page_sizes_can_be_set_and_must_be_positive()
    {
        var settings = OkvClusterSettings.Create(ConfigurationFactory.ParseString("okv.audit { snapshot-every = 50, page-size = 200 }"));

        Assert.Equal((50, 200), (settings.AuditSnapshotEvery, settings.AuditPageSize));
        Assert.Throws<ConfigurationException>(() => OkvClusterSettings.Create(ConfigurationFactory.ParseString("okv.audit.snapshot-every = 0")));
        Assert.Throws<ConfigurationException>(() => OkvClusterSettings.Create(ConfigurationFactory.ParseString("okv.audit.page-size = -1")));
    }

    [Fact]
    public void The_store_is_sqlite_in_the_data_directory_by_default_and_postgresql_on_request()
    {
        var directory = new OkvActors.Cluster.Storage.NodeDirectory("/var/lib/okv/node1");
        var sqlite = OkvClusterSettings.Create(Config.Empty);
        var postgres = OkvClusterSettings.Create(ConfigurationFactory.ParseString(
            "okv.store { provider = postgresql, connection-string = \"Host=db;Database=okv_node1\" }"));

        Assert.Equal(("SQLite.MS", "Data Source=/var/lib/okv/node1/store/okv.db"), OkvActors.Cluster.Hosting.NodeConfig.StoreOf(sqlite, directory));
        Assert.Equal(("PostgreSQL.15", "Host=db;Database=okv_node1"), OkvActors.Cluster.Hosting.NodeConfig.StoreOf(postgres, directory));
        Assert.Throws<ConfigurationException>(() => OkvClusterSettings.Create(ConfigurationFactory.ParseString("okv.store.provider = postgresql")));
        Assert.Throws<ConfigurationException>(() => OkvClusterSettings.Create(ConfigurationFactory.ParseString("okv.store.provider = lmdb")));
    }

    [Fact]
    public void A_clock_offset_may_be_negative()
    {
        var settings = OkvClusterSettings.Create(ConfigurationFactory.ParseString("okv.node.clock-offset = \"-3s\""));

        Assert.Equal(TimeSpan.FromSeconds(-3), settings.ClockOffset);
    }

    [Fact]
    public void An_override_wins_over_the_default_and_leaves_the_other_defaults()
    {
        var config = ConfigurationFactory.ParseString("""
            okv.node { subgroup = "sg07", port = 5000, clock-offset = 90s }
            okv.cluster.max-nodes = 5
            okv.controller.ask-timeout = 2m
            """);

        var settings = OkvClusterSettings.Create(config);

        Assert.Equal("sg07", settings.Subgroup);
        Assert.Equal(5000, settings.Port);
        Assert.Equal(TimeSpan.FromSeconds(90), settings.ClockOffset);
        Assert.Equal(5, settings.MaxNodes);
        Assert.Equal(TimeSpan.FromMinutes(2), settings.AskTimeout);
        Assert.Equal("127.0.0.1", settings.Host);
        Assert.Equal(TimeSpan.FromSeconds(5), settings.MaxClockSkew);
        Assert.Equal(TimeSpan.FromSeconds(20), settings.AdmissionTimeout);
    }

    [Fact]
    public void The_default_config_binds_okv_messages_to_the_okv_serializer_and_the_durable_store()
    {
        var config = OkvClusterSettings.DefaultConfig();

        Assert.Equal("OkvActors.Cluster.Serialization.OkvSerializer, OkvActors.Cluster", config.GetString("akka.actor.serializers.okv"));
        Assert.Equal(["okv-controller", "okv-shard-*", "okv-access", "okv-sealed-secrets"], config.GetStringList("akka.cluster.distributed-data.durable.keys"));
        Assert.Equal("OkvActors.Cluster.Durability.SqlDurableStore, OkvActors.Cluster",
            config.GetString("akka.cluster.distributed-data.durable.store-actor-class"));
        Assert.Equal(512, config.GetInt("akka.cluster.distributed-data.durable.sql.max-batch-stores"));
        Assert.Equal(4L * 1024 * 1024, config.GetByteSize("akka.cluster.distributed-data.durable.sql.max-batch-bytes"));
        Assert.Equal("", config.GetString("akka.cluster.distributed-data.durable.sql.provider-name"));
    }
}
