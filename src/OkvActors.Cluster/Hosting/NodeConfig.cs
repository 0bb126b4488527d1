using Akka.Cluster.Tools.Singleton;
using Akka.Configuration;
using Akka.DistributedData;
using Akka.Persistence.Sql;
using OkvActors.Cluster.Storage;
using OkvActors.KeyStore;

namespace OkvActors.Cluster.Hosting;

/// <summary>
/// Builds a node's effective configuration: per-node values (addresses, seeds, roles, its SQLite file)
/// over the operator's HOCON (hocon/), over each module's reference.conf, over Akka's defaults.
/// </summary>
public static class NodeConfig
{
    public static Config For(NodeManifest manifest, NodeDirectory directory, Config operatorConfig)
    {
        var seeds = SeedsFor(manifest);
        var settings = OkvClusterSettings.Create(operatorConfig);
        var (provider, connection) = StoreOf(settings, directory);
        var perNode = ConfigurationFactory.ParseString($$"""
            akka.remote.dot-netty.tcp {
              hostname = "{{manifest.Host}}"
              port = {{manifest.Port}}
            }
            akka.cluster {
              roles = ["okv-node", "subgroup-{{manifest.Subgroup}}", "kmip-{{manifest.Host}}:{{manifest.KmipPort}}", "https-{{manifest.Host}}:{{manifest.HttpsPort}}"]
              seed-nodes = [{{string.Join(", ", seeds.Select(s => $"\"{s}\""))}}]
            }
            akka.persistence {
              journal.sql { connection-string = "{{connection}}", provider-name = "{{provider}}" }
              snapshot-store.sql { connection-string = "{{connection}}", provider-name = "{{provider}}" }
            }
            """);
        if (FormsAloneFirst(manifest))
        {
            // Only Akka's first-seed process reads it here: how long it waits before joining itself.
            perNode = perNode.WithFallback(ConfigurationFactory.ParseString(
                $"akka.cluster.seed-node-timeout = {(long)settings.FormAloneAfter.TotalMilliseconds}ms"));
        }

        if (ReplicaStoreOf(settings, directory) is { } replicas)
        {
            perNode = perNode.WithFallback(ConfigurationFactory.ParseString($$"""
                akka.cluster.distributed-data.durable.sql { connection-string = "{{replicas}}", provider-name = "SQLite.MS" }
                """));
        }
        if (manifest.ShardCount is { } shards)
        {
            // Recorded at init for the whole cluster: it wins over any operator HOCON.
            perNode = ConfigurationFactory.ParseString($"okv.key-store.shard-count = {shards}").WithFallback(perNode);
        }

        return perNode
            .WithFallback(operatorConfig)
            .WithFallback(OkvClusterSettings.DefaultConfig())
            .WithFallback(KeyStoreSettings.DefaultConfig())
            .WithFallback(SqlPersistence.DefaultConfiguration)
            .WithFallback(DistributedData.DefaultConfig())
            .WithFallback(ClusterSingleton.DefaultConfig());
    }

    /// <summary>The Akka.Persistence.Sql provider and connection string for this node's durable replicas.</summary>
    public static (string Provider, string ConnectionString) StoreOf(OkvClusterSettings settings, NodeDirectory directory) =>
        settings.StoreProvider == "postgresql"
            ? ("PostgreSQL.15", settings.StoreConnectionString.Replace("\"", "", StringComparison.Ordinal))
            : ("SQLite.MS", $"Data Source={directory.DatabaseFile.Replace("\\", "/", StringComparison.Ordinal)}");

    /// <summary>
    /// With SQLite, the durable replicas live in a file of their own (<see cref="NodeDirectory.ReplicaDatabaseFile"/>);
    /// measured: sharing the journal's file made KMIP creates under 8 concurrent clients wait ~150 ms each.
    /// PostgreSQL takes concurrent writers and keeps one database (null).
    /// </summary>
    public static string? ReplicaStoreOf(OkvClusterSettings settings, NodeDirectory directory) =>
        settings.StoreProvider == "postgresql" ? null : $"Data Source={directory.ReplicaDatabaseFile.Replace("\\", "/", StringComparison.Ordinal)}";

    /// <summary>
    /// True when this node is the first of several seeds: the one that forms the cluster alone if no other seed
    /// answers within okv.cluster.form-alone-after.
    /// </summary>
    public static bool FormsAloneFirst(NodeManifest manifest) =>
        SeedsFor(manifest) is { Count: > 1 } seeds && seeds[0] == manifest.RemotingAddress(manifest.Cluster!);

    /// <summary>
    /// Seeds as recorded (oldest member first). A node first in that list may form the cluster itself
    /// when nobody answers (whole-cluster restart); any other node only ever joins others.
    /// </summary>
    public static IReadOnlyList<string> SeedsFor(NodeManifest manifest)
    {
        var self = manifest.RemotingAddress(manifest.Cluster!);
        var recorded = manifest.Seeds ?? [];
        if (recorded.Count == 0)
        {
            return manifest.Founder ? [self] : [];
        }

        return recorded[0] == self ? recorded : recorded.Where(s => s != self).ToArray();
    }
}
