using Akka.Configuration;
using OkvActors.Cluster.Hosting;
using OkvActors.Cluster.Storage;
using Xunit;

namespace OkvActors.Cluster.Tests.Hosting;

public sealed class NodeConfigTests
{
    private const string Self = "akka.ssl.tcp://okv@127.0.0.1:4054";
    private const string Other1 = "akka.ssl.tcp://okv@127.0.0.1:4053";
    private const string Other2 = "akka.ssl.tcp://okv@127.0.0.1:4055";

    private static readonly NodeManifest Manifest = new("node2", "sg02", "127.0.0.1", 4054, 5697, 9111, 8444, NodeStage.Member, "okv");

    [Fact]
    public void A_founder_without_recorded_seeds_seeds_itself()
    {
        Assert.Equal([Self], NodeConfig.SeedsFor(Manifest with { Founder = true }));
    }

    [Fact]
    public void A_non_founder_without_recorded_seeds_has_no_seeds()
    {
        Assert.Empty(NodeConfig.SeedsFor(Manifest));
        Assert.Empty(NodeConfig.SeedsFor(Manifest with { Seeds = [] }));
    }

    [Fact]
    public void Recorded_seeds_with_self_first_keep_self_first()
    {
        Assert.Equal([Self, Other1, Other2], NodeConfig.SeedsFor(Manifest with { Seeds = [Self, Other1, Other2] }));
    }

    [Fact]
    public void Recorded_seeds_with_self_elsewhere_drop_self()
    {
        Assert.Equal([Other1, Other2], NodeConfig.SeedsFor(Manifest with { Seeds = [Other1, Self, Other2] }));
        Assert.Equal([Other1, Other2], NodeConfig.SeedsFor(Manifest with { Seeds = [Other1, Other2, Self], Founder = true }));
    }

    /// <summary>
    /// A restarted first seed whose running peers answered after seed-node-timeout formed a cluster of its own beside
    /// theirs (chaos seed 171 on a loaded machine): only that node waits form-alone-after instead.
    /// </summary>
    [Fact]
    public void Only_the_first_of_several_seeds_waits_form_alone_after_before_it_forms_the_cluster_alone()
    {
        var directory = new NodeDirectory(Path.Combine(Path.GetTempPath(), "okv-config-test"));
        var operatorConfig = ConfigurationFactory.ParseString("""
            akka.cluster.seed-node-timeout = 3s
            okv.cluster.form-alone-after = 17s
            """);
        TimeSpan SeedNodeTimeout(NodeManifest manifest) => NodeConfig.For(manifest, directory, operatorConfig).GetTimeSpan("akka.cluster.seed-node-timeout");

        Assert.Equal(TimeSpan.FromSeconds(17), SeedNodeTimeout(Manifest with { Seeds = [Self, Other1, Other2] }));
        Assert.Equal(TimeSpan.FromSeconds(3), SeedNodeTimeout(Manifest with { Seeds = [Other1, Self, Other2] }));
        Assert.Equal(TimeSpan.FromSeconds(3), SeedNodeTimeout(Manifest with { Founder = true }));
        Assert.True(NodeConfig.FormsAloneFirst(Manifest with { Seeds = [Self, Other1] }));
        Assert.False(NodeConfig.FormsAloneFirst(Manifest with { Seeds = [Self] }));
        Assert.Equal(TimeSpan.FromSeconds(30), OkvClusterSettings.Create(Config.Empty).FormAloneAfter);
    }

    [Fact]
    public void The_node_config_puts_per_node_values_over_the_operator_config_over_the_defaults()
    {
        var directory = new NodeDirectory(Path.Combine(Path.GetTempPath(), "okv-config-test"));
        var operatorConfig = ConfigurationFactory.ParseString("""
            akka.remote.dot-netty.tcp.port = 9999
            okv.cluster.max-nodes = 4
            """);

        var config = NodeConfig.For(Manifest with { Seeds = [Other1, Self] }, directory, operatorConfig);

        Assert.Equal("127.0.0.1", config.GetString("akka.remote.dot-netty.tcp.hostname"));
        Assert.Equal(4054, config.GetInt("akka.remote.dot-netty.tcp.port"));
        // The KMIP address rides along as a role, so any node can list every node for endpoint failover.
        Assert.Equal(["okv-node", "subgroup-sg02", "kmip-127.0.0.1:5697", "https-127.0.0.1:8444"], config.GetStringList("akka.cluster.roles"));
        Assert.Equal([Other1], config.GetStringList("akka.cluster.seed-nodes"));
        Assert.Equal($"Data Source={directory.DatabaseFile}", config.GetString("akka.persistence.journal.sql.connection-string"));
        Assert.Equal($"Data Source={directory.DatabaseFile}", config.GetString("akka.persistence.snapshot-store.sql.connection-string"));
        Assert.Equal(4, OkvClusterSettings.Create(config).MaxNodes);
        Assert.Equal(TimeSpan.FromSeconds(15), OkvClusterSettings.Create(config).AskTimeout);
    }

    /// <summary>Two writers in one SQLite file wait on each other's lock (Microsoft.Data.Sqlite sleeps 150 ms on a busy database).</summary>
    [Fact]
    public void With_sqlite_the_durable_replicas_have_a_file_of_their_own_and_with_postgresql_the_journal_database()
    {
        var directory = new NodeDirectory(Path.Combine(Path.GetTempPath(), "okv-config-test"));
        var postgres = ConfigurationFactory.ParseString("okv.store { provider = postgresql, connection-string = \"Host=db;Database=okv_node2\" }");

        var sqlite = NodeConfig.For(Manifest, directory, Config.Empty);
        var onPostgres = NodeConfig.For(Manifest, directory, postgres);

        Assert.Equal($"Data Source={directory.ReplicaDatabaseFile}", sqlite.GetString("akka.cluster.distributed-data.durable.sql.connection-string"));
        Assert.NotEqual(directory.DatabaseFile, directory.ReplicaDatabaseFile);
        Assert.Equal("", onPostgres.GetString("akka.cluster.distributed-data.durable.sql.connection-string", ""));
        Assert.Equal("Host=db;Database=okv_node2", onPostgres.GetString("akka.persistence.journal.sql.connection-string"));
    }

    [Fact]
    public void The_shard_count_recorded_at_init_wins_over_the_operator_config()
    {
        var directory = new NodeDirectory(Path.Combine(Path.GetTempPath(), "okv-config-test"));
        var operatorConfig = ConfigurationFactory.ParseString("okv.key-store.shard-count = 64");

        var recorded = NodeConfig.For(Manifest with { ShardCount = 4096 }, directory, operatorConfig);
        var unrecorded = NodeConfig.For(Manifest, directory, operatorConfig);
        var defaults = NodeConfig.For(Manifest, directory, Config.Empty);

        Assert.Equal(4096, KeyStore.KeyStoreSettings.Create(recorded).ShardCount);
        Assert.Equal(64, KeyStore.KeyStoreSettings.Create(unrecorded).ShardCount);
        Assert.Equal(256, KeyStore.KeyStoreSettings.Create(defaults).ShardCount);
    }

    [Fact]
    public void Nodes_write_to_peers_over_their_own_connections_unless_the_operator_says_otherwise()
    {
        // Guards the setting the chaos runs showed necessary (reference.conf says why); an operator may still choose.
        var directory = new NodeDirectory(Path.Combine(Path.GetTempPath(), "okv-config-test"));

        Assert.False(NodeConfig.For(Manifest, directory, Config.Empty).GetBoolean("akka.remote.use-passive-connections", true));
        Assert.True(NodeConfig.For(Manifest, directory, ConfigurationFactory.ParseString("akka.remote.use-passive-connections = on"))
            .GetBoolean("akka.remote.use-passive-connections", false));
    }
}
