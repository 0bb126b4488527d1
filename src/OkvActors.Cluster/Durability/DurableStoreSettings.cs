using Akka.Configuration;

namespace OkvActors.Cluster.Durability;

/// <summary>
/// Settings of <see cref="SqlDurableStore"/>: the <c>sql</c> section of
/// <c>akka.cluster.distributed-data.durable</c> (defaults and reasons in this module's reference.conf).
/// </summary>
public sealed class DurableStoreSettings
{
    private DurableStoreSettings(string providerName, string connectionString, int maxBatchStores, long maxBatchBytes)
    {
        ProviderName = providerName;
        ConnectionString = connectionString;
        MaxBatchStores = maxBatchStores;
        MaxBatchBytes = maxBatchBytes;
    }

    /// <summary>The Akka.Persistence.Sql (linq2db) provider name, e.g. <c>SQLite.MS</c> or <c>PostgreSQL.15</c>.</summary>
    public string ProviderName { get; }

    public string ConnectionString { get; }

    /// <summary>Most keys one transaction writes (sql.max-batch-stores).</summary>
    public int MaxBatchStores { get; }

    /// <summary>Bytes after which a transaction takes no further key (sql.max-batch-bytes).</summary>
    public long MaxBatchBytes { get; }

    /// <summary>
    /// Reads <paramref name="durable"/> (the Replicator hands its store the <c>durable</c> section); an empty
    /// connection-string or provider-name falls back to the node's journal in <paramref name="system"/>'s config.
    /// </summary>
    public static DurableStoreSettings Create(Config durable, Config system)
    {
        var sql = durable.GetConfig("sql") ?? Config.Empty;
        var journal = system.GetConfig("akka.persistence.journal.sql") ?? Config.Empty;
        var provider = Either(sql.GetString("provider-name", ""), journal.GetString("provider-name", ""));
        var connection = Either(sql.GetString("connection-string", ""), journal.GetString("connection-string", ""));
        if (provider.Length == 0 || connection.Length == 0)
        {
            throw new ConfigurationException(
                "the durable store needs a database: set akka.cluster.distributed-data.durable.sql.provider-name and connection-string, " +
                "or akka.persistence.journal.sql's");
        }

        _ = DurableStoreDatabase.DialectOf(provider);
        var maxStores = sql.GetInt("max-batch-stores", 0);
        if (maxStores <= 0)
        {
            throw new ConfigurationException($"akka.cluster.distributed-data.durable.sql.max-batch-stores must be positive, not {maxStores}");
        }

        var maxBytes = sql.GetByteSize("max-batch-bytes") ?? 0;
        if (maxBytes <= 0)
        {
            throw new ConfigurationException($"akka.cluster.distributed-data.durable.sql.max-batch-bytes must be positive, not {maxBytes}");
        }

        return new DurableStoreSettings(provider, connection, maxStores, maxBytes);
    }

    private static string Either(string first, string second) => string.IsNullOrWhiteSpace(first) ? second : first;
}
