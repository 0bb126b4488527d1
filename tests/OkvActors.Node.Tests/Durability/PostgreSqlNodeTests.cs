using System.Diagnostics;
using Npgsql;
using OkvActors.Cluster.Storage;
using OkvActors.Node.Tests.Infrastructure;
using Xunit;

namespace OkvActors.Node.Tests.Durability;

/// <summary>
/// A node process on the production store option: okv.store.provider = postgresql against a real server
/// (OKV_TEST_POSTGRES, which .ci/run sets). Acknowledged objects survive kill -9, and the node's durable
/// data and audit log live in PostgreSQL, not in a SQLite file. Ports 33500..33800 only.
/// </summary>
public sealed class PostgreSqlNodeTests : IAsyncLifetime
{
    private const int Port = 33500;
    private static readonly string? Server = Environment.GetEnvironmentVariable("OKV_TEST_POSTGRES");

    private readonly string _root = Path.Combine(Path.GetTempPath(), "okv-tests", $"pg-{Guid.NewGuid():N}"[..24]);
    private readonly string _database = $"okv_node_{Guid.NewGuid():N}"[..24];
    private readonly List<Process> _processes = [];

    private NodeDirectory Node => new(Path.Combine(_root, "node1"));

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_root);
        if (Server is null)
        {
            return;
        }

        await using var connection = new NpgsqlConnection(Server);
        await connection.OpenAsync();
        await using var create = new NpgsqlCommand($"CREATE DATABASE {_database}", connection);
        await create.ExecuteNonQueryAsync();
    }

    public async Task DisposeAsync()
    {
        foreach (var process in _processes.Where(p => !p.HasExited))
        {
            process.Kill(entireProcessTree: true);
        }

        if (Server is not null)
        {
            NpgsqlConnection.ClearAllPools();
            await using var connection = new NpgsqlConnection(Server);
            await connection.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {_database} WITH (FORCE)", connection);
            await drop.ExecuteNonQueryAsync();
        }

        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // A process that was still closing its log; the temp folder is cleaned with the machine.
        }
    }

    [SkippableFact]
    public async Task A_node_on_postgresql_keeps_every_acknowledged_object_across_kill_9_and_writes_nothing_to_sqlite()
    {
        Skip.If(Server is null, "set OKV_TEST_POSTGRES to a PostgreSQL server (.ci/run does)");
        var connectionString = new NpgsqlConnectionStringBuilder(Server) { Database = _database }.ConnectionString;
        var config = Path.Combine(_root, "postgresql.conf");
        await File.WriteAllTextAsync(config, $"okv.store {{ provider = postgresql, connection-string = \"{connectionString}\" }}\n");
        var passphrase = Path.Combine(_root, "recovery-passphrase");
        await File.WriteAllTextAsync(passphrase, "postgresql node test passphrase 91c2\n");
        var init = await StandaloneNode.Init(Node, "okv-pg", Port, passphrase, null);
        Assert.True(init.ExitCode == 0, init.ToString());

        var first = await Start(config);
        var uids = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            uids.Add((await StandaloneNode.Control(Node, "key-create", ("name", $"pg-{i}"))).Data!["uid"]!.GetValue<string>());
        }

        Okv.Kill9(first.Id);
        await first.WaitForExitAsync();

        Assert.False(File.Exists(Node.DatabaseFile), "with PostgreSQL the node must not write its store to SQLite");
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            await using (var objects = new NpgsqlCommand("SELECT count(*) FROM okv_durable_object", connection))
            {
                Assert.True((long)(await objects.ExecuteScalarAsync())! >= 20, "the durable replicas are stored in PostgreSQL");
            }

            await using var journal = new NpgsqlCommand("SELECT count(*) FROM journal WHERE persistence_id LIKE 'okv-audit-%'", connection);
            Assert.True((long)(await journal.ExecuteScalarAsync())! >= 20, "the audit log journals into PostgreSQL");
        }

        await Start(config);
        foreach (var uid in uids)
        {
            var found = await StandaloneNode.Control(Node, "key-get", ("uid", uid));
            Assert.Equal("PreActive", found.Data!["state"]!.GetValue<string>());
        }

        var verify = await StandaloneNode.Control(Node, "audit-verify");
        Assert.True(verify.Data!["entries"]!.GetValue<long>() >= 20);
    }

    private async Task<Process> Start(string config)
    {
        var process = await StandaloneNode.Start(Node, 1, null, "--config", config);
        _processes.Add(process);
        return process;
    }
}
