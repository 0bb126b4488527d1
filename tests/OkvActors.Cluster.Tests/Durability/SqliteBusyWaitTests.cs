using Akka.Actor;
using Akka.Actor.Setup;
using Akka.Configuration;
using Akka.Persistence.Sql;
using LinqToDB;
using LinqToDB.Data;
using Microsoft.Data.Sqlite;
using OkvActors.Cluster.Audit;
using OkvActors.Cluster.Durability;
using Xunit;

namespace OkvActors.Cluster.Tests.Durability;

/// <summary>
/// The journal and snapshot store wait for a competing writer inside SQLite (busy_timeout), not in
/// Microsoft.Data.Sqlite's fixed 150 ms sleeps: the option reaches every connection they open, and Akka.Persistence.Sql
/// takes its connection from the setup that carries it.
/// </summary>
public sealed class SqliteBusyWaitTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("okv-busy-").FullName;

    [Fact]
    public void A_connection_opened_with_the_persistence_options_waits_for_a_locked_file_inside_sqlite()
    {
        var connection = $"Data Source={Path.Combine(_dir, "okv.db")}";

        using var plain = new DataConnection(new DataOptions().UseConnectionString("SQLite.MS", connection));
        using var waiting = new DataConnection(SqliteBusyWait.PersistenceOptions("SQLite.MS", connection));

        Assert.Equal(0, plain.Execute<long>("PRAGMA busy_timeout"));
        Assert.Equal(SqliteBusyWait.TimeoutMs, waiting.Execute<long>("PRAGMA busy_timeout"));
    }

    [Fact]
    public async Task The_audit_journal_writes_through_the_setup_s_connection_not_the_one_in_its_configuration()
    {
        var file = Path.Combine(_dir, "okv.db");
        SqliteStoreFile.UseWriteAheadLog(file);
        // The configuration names a file that cannot be opened: a journal that ignored the setup could not write.
        var config = ConfigurationFactory.ParseString("""
                akka.persistence.journal.plugin = "akka.persistence.journal.sql"
                akka.persistence.journal.sql { connection-string = "Data Source=/nonexistent/okv.db", provider-name = "SQLite.MS", auto-initialize = true }
                akka.persistence.snapshot-store.plugin = "akka.persistence.snapshot-store.sql"
                akka.persistence.snapshot-store.sql { connection-string = "Data Source=/nonexistent/okv.db", provider-name = "SQLite.MS", auto-initialize = true }
                """)
            .WithFallback(OkvClusterSettings.DefaultConfig())
            .WithFallback(SqlPersistence.DefaultConfiguration);
        var setup = ActorSystemSetup.Create(BootstrapSetup.Create().WithConfig(config), SqliteBusyWait.PersistenceSetup("SQLite.MS", $"Data Source={file}"));
        var system = ActorSystem.Create("busy-wait", setup);
        try
        {
            var log = system.ActorOf(AuditLogActor.Props("node1", snapshotEvery: 2, pageSize: 10));
            for (var i = 1; i <= 3; i++)
            {
                var recorded = await log.Ask<AuditRecorded>(new RecordAudit("cn=endpoint1", "Get", $"uid-{i}", AuditEntry.Success, null), TimeSpan.FromSeconds(20));
                Assert.Equal(i, recorded.Sequence);
            }
        }
        finally
        {
            await system.Terminate();
        }

        using var connection = new SqliteConnection($"Data Source={file};Pooling=False");
        connection.Open();
        using var count = connection.CreateCommand();
        count.CommandText = "SELECT COUNT(*) FROM journal WHERE persistence_id = 'okv-audit-node1'";
        Assert.Equal(3L, (long)count.ExecuteScalar()!);
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }
}
