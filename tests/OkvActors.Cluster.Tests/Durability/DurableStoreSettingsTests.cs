using Akka.Configuration;
using OkvActors.Cluster.Durability;
using Xunit;

namespace OkvActors.Cluster.Tests.Durability;

public sealed class DurableStoreSettingsTests
{
    private static readonly Config Durable = OkvClusterSettings.DefaultConfig().GetConfig("akka.cluster.distributed-data.durable");

    private static readonly Config Journal = ConfigurationFactory.ParseString(
        "akka.persistence.journal.sql { provider-name = \"SQLite.MS\", connection-string = \"Data Source=/tmp/okv.db\" }");

    [Fact]
    public void Without_a_database_of_its_own_the_store_uses_the_node_journal_database_and_the_default_bounds()
    {
        var settings = DurableStoreSettings.Create(Durable, Journal);

        Assert.Equal("SQLite.MS", settings.ProviderName);
        Assert.Equal("Data Source=/tmp/okv.db", settings.ConnectionString);
        Assert.Equal(512, settings.MaxBatchStores);
        Assert.Equal(4L * 1024 * 1024, settings.MaxBatchBytes);
    }

    [Fact]
    public void A_database_of_its_own_overrides_the_journal_one()
    {
        var settings = DurableStoreSettings.Create(
            ConfigurationFactory.ParseString("sql { provider-name = \"PostgreSQL.15\", connection-string = \"Host=db\" }").WithFallback(Durable), Journal);

        Assert.Equal("PostgreSQL.15", settings.ProviderName);
        Assert.Equal("Host=db", settings.ConnectionString);
    }

    [Theory]
    [InlineData("sql.provider-name = \"MySql.8\"", "MySql.8")]
    [InlineData("sql.max-batch-stores = 0", "max-batch-stores")]
    [InlineData("sql.max-batch-bytes = 0", "max-batch-bytes")]
    public void Bad_settings_are_refused_with_a_message_naming_them(string sql, string named)
    {
        var error = Assert.Throws<ConfigurationException>(() =>
            DurableStoreSettings.Create(ConfigurationFactory.ParseString(sql).WithFallback(Durable), Journal));

        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void No_database_at_all_is_refused_with_a_message_saying_what_to_set()
    {
        var error = Assert.Throws<ConfigurationException>(() => DurableStoreSettings.Create(Durable, Config.Empty));

        Assert.Contains("connection-string", error.Message, StringComparison.Ordinal);
    }
}
