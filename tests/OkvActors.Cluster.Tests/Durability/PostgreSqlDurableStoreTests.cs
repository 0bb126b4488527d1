using Akka.Actor;
using Akka.Configuration;
using Akka.DistributedData;
using Akka.DistributedData.Durable;
using Akka.Persistence.Sql;
using Npgsql;
using OkvActors.Cluster.Durability;
using OkvActors.KeyStore.Model;
using OkvActors.KeyStore.Replication;
using Xunit;
using Xunit.Abstractions;

namespace OkvActors.Cluster.Tests.Durability;

/// <summary>
/// The production store option: the same durable store on a real PostgreSQL server. Runs when
/// OKV_TEST_POSTGRES names a server (an Npgsql connection string of a role that may create databases);
/// .ci/run installs and starts one. Each test gets a database of its own.
/// </summary>
public sealed class PostgreSqlDurableStoreTests : IAsyncLifetime
{
    private static readonly string? Server = Environment.GetEnvironmentVariable("OKV_TEST_POSTGRES");
    private readonly string _database = $"okv_test_{Guid.NewGuid():N}";
    private readonly ITestOutputHelper _output;

    public PostgreSqlDurableStoreTests(ITestOutputHelper output) => _output = output;

    private string ConnectionString => new NpgsqlConnectionStringBuilder(Server) { Database = _database }.ConnectionString;

    public async Task InitializeAsync()
    {
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
        if (Server is null)
        {
            return;
        }

        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(Server);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {_database} WITH (FORCE)", connection);
        await drop.ExecuteNonQueryAsync();
    }

    [SkippableFact]
    public async Task Key_shards_survive_a_restart_on_postgresql()
    {
        Skip.If(Server is null, "set OKV_TEST_POSTGRES to a PostgreSQL server (.ci/run does)");
        var clock = new HybridLogicalClock("node1");
        var shard = KeyShard.FromObjects(Enumerable.Range(0, 5).Select(i =>
            ManagedObject.Create($"uid-{i}", ObjectType.SymmetricKey, 3, 256, [(byte)i, 9, 9], clock.Now(), DateTimeOffset.UtcNow, [$"k{i}"])));
        var changed = shard.Put(shard.Get("uid-2")!.Activate(DateTimeOffset.UtcNow)).ResetDelta();

        var first = ActorSystem.Create("pg-first", SystemConfig());
        try
        {
            var store = first.ActorOf(StoreProps());
            var inbox = Inbox.Create(first);
            foreach (var version in new[] { shard, changed })
            {
                store.Tell(new Store("okv-shard-0003", new DurableDataEnvelope(version), new StoreReply("ok", "fail", inbox.Receiver)));
                Assert.Equal("ok", await inbox.ReceiveAsync(TimeSpan.FromSeconds(30)));
            }
        }
        finally
        {
            await first.Terminate();
        }

        var second = ActorSystem.Create("pg-second", SystemConfig());
        try
        {
            var loaded = await second.ActorOf(StoreProps()).Ask<LoadData>(LoadAll.Instance, TimeSpan.FromSeconds(20));
            var restored = Assert.IsType<KeyShard>(loaded.Data["okv-shard-0003"].Data);
            Assert.Equal(changed.DigestHex, restored.DigestHex);
            Assert.Equal(LifecycleState.Active, restored.Get("uid-2")!.State);
            _output.WriteLine($"restored {restored.Count} objects from PostgreSQL database {_database}");
        }
        finally
        {
            await second.Terminate();
        }
    }

    [SkippableFact]
    public async Task Stores_queued_behind_a_held_commit_land_together_on_postgresql_with_the_last_value_of_each_key()
    {
        Skip.If(Server is null, "set OKV_TEST_POSTGRES to a PostgreSQL server (.ci/run does)");
        var clock = new HybridLogicalClock("node1");
        ManagedObject NewObject(string uid) =>
            ManagedObject.Create(uid, ObjectType.SymmetricKey, 3, 256, [7, 7], clock.Now(), DateTimeOffset.UtcNow, [uid]);
        var first = KeyShard.FromObjects([NewObject("a-0"), NewObject("a-1")]);
        var grown = first.Put(NewObject("a-2")).ResetDelta();
        var last = grown.Put(grown.Get("a-2")!.Activate(DateTimeOffset.UtcNow)).ResetDelta();
        var other = KeyShard.FromObjects([NewObject("b-0")]);

        var system = ActorSystem.Create("pg-group", SystemConfig());
        try
        {
            var store = system.ActorOf(StoreProps());
            var inbox = Inbox.Create(system);
            void Send(string key, KeyShard shard, string reply) =>
                store.Tell(new Store(key, new DurableDataEnvelope(shard), new StoreReply(reply, reply + "-failed", inbox.Receiver)));
            Send("okv-shard-warm", other, "warm");
            Assert.Equal("warm", await inbox.ReceiveAsync(TimeSpan.FromSeconds(30)));

            // Another session locks the object table: the store's transaction waits on it, the others queue.
            await using (var holder = new NpgsqlConnection(ConnectionString))
            {
                await holder.OpenAsync();
                await using var hold = await holder.BeginTransactionAsync();
                await using (var lockTable = new NpgsqlCommand("LOCK TABLE okv_durable_object IN EXCLUSIVE MODE", holder, hold))
                {
                    await lockTable.ExecuteNonQueryAsync();
                }

                Send("okv-shard-0001", first, "first");
                Send("okv-shard-0002", other, "other");
                Send("okv-shard-0001", grown, "grown");
                Send("okv-shard-0001", last, "last");
                var stats = await store.Ask<DurableStoreStats>(GetDurableStoreStats.Instance, TimeSpan.FromSeconds(10));
                Assert.Equal(1, stats.StoresCoalesced);
                Assert.Equal(1, stats.Transactions);
                await hold.CommitAsync();
            }

            var replies = new List<object>();
            for (var i = 0; i < 4; i++)
            {
                replies.Add(await inbox.ReceiveAsync(TimeSpan.FromSeconds(30)));
            }

            Assert.Equal(["first", "grown", "last", "other"], replies.Cast<string>().Order(StringComparer.Ordinal));
            Assert.Equal(3, (await store.Ask<DurableStoreStats>(GetDurableStoreStats.Instance, TimeSpan.FromSeconds(10))).Transactions);
        }
        finally
        {
            await system.Terminate();
        }

        var second = ActorSystem.Create("pg-group-second", SystemConfig());
        try
        {
            var loaded = await second.ActorOf(StoreProps()).Ask<LoadData>(LoadAll.Instance, TimeSpan.FromSeconds(20));
            Assert.Equal(last.DigestHex, Assert.IsType<KeyShard>(loaded.Data["okv-shard-0001"].Data).DigestHex);
            Assert.Equal(LifecycleState.Active, ((KeyShard)loaded.Data["okv-shard-0001"].Data).Get("a-2")!.State);
            Assert.Equal(other.DigestHex, Assert.IsType<KeyShard>(loaded.Data["okv-shard-0002"].Data).DigestHex);
        }
        finally
        {
            await second.Terminate();
        }
    }

    private static Props StoreProps() => SqlDurableStoreTests.StoreProps();

    private Config SystemConfig() =>
        ConfigurationFactory.ParseString($$"""
                akka.actor.provider = local
                akka.persistence.journal.plugin = "akka.persistence.journal.sql"
                akka.persistence.journal.sql { connection-string = "{{ConnectionString}}", provider-name = "PostgreSQL.15", auto-initialize = true }
                akka.persistence.snapshot-store.plugin = "akka.persistence.snapshot-store.sql"
                akka.persistence.snapshot-store.sql { connection-string = "{{ConnectionString}}", provider-name = "PostgreSQL.15", auto-initialize = true }
                """)
            .WithFallback(OkvClusterSettings.DefaultConfig())
            .WithFallback(OkvActors.KeyStore.KeyStoreSettings.DefaultConfig())
            .WithFallback(SqlPersistence.DefaultConfiguration)
            .WithFallback(DistributedData.DefaultConfig());
}
