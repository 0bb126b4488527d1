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
        var database = directory.DatabaseFile.Replace("\\", "/", StringComparison.Ordinal);
        var perNode = ConfigurationFactory.ParseString($$"""
            akka.remote.dot-netty.tcp {
              hostname = "{{manifest.Host}}"
              port = {{manifest.Port}}
            }
            akka.cluster {
              roles = ["okv-node", "subgroup-{{manifest.Subgroup}}"]
              seed-nodes = [{{string.Join(", ", seeds.Select(s => $"\"{s}\""))}}]
            }
            akka.persistence {
              journal.sql.connection-string = "Data Source={{database}}"
              snapshot-store.sql.connection-string = "Data Source={{database}}"
            }
            """);
        return perNode
            .WithFallback(operatorConfig)
            .WithFallback(OkvClusterSettings.DefaultConfig())
            .WithFallback(KeyStoreSettings.DefaultConfig())
            .WithFallback(SqlPersistence.DefaultConfiguration)
            .WithFallback(DistributedData.DefaultConfig())
            .WithFallback(ClusterSingleton.DefaultConfig());
    }

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
