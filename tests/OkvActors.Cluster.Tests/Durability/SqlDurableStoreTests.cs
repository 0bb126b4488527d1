using Akka.Actor;
using Akka.Configuration;
using Akka.DistributedData;
using Akka.DistributedData.Durable;
using Akka.Persistence.Sql;
using Akka.TestKit;
using Microsoft.Data.Sqlite;
using OkvActors.Cluster.Controller;
using OkvActors.Cluster.Durability;
using OkvActors.KeyStore.Model;
using OkvActors.KeyStore.Replication;
using Xunit;
using Xunit.Abstractions;

namespace OkvActors.Cluster.Tests.Durability;

public sealed class SqlDurableStoreTests : Akka.TestKit.Xunit2.TestKit
{
    private static readonly ClusterPolicy Policy = new("okv", ["sg01"], 3, TimeSpan.FromSeconds(5), TimeSpan.FromHours(24));

    private readonly string _directory;

    public SqlDurableStoreTests(ITestOutputHelper output)
        : this(Directory.CreateTempSubdirectory("okv-durable-").FullName, output)
    {
    }

    private SqlDurableStoreTests(string directory, ITestOutputHelper output)
        : base(SystemConfig(directory), nameof(SqlDurableStoreTests), output)
    {
        _directory = directory;
    }

    [Fact]
    public void A_fresh_database_loads_no_data_and_completes()
    {
        var store = Sys.ActorOf(StoreProps());

        store.Tell(LoadAll.Instance);

        // LoadData always comes before LoadAllCompleted, so receiving the completion first means there was none.
        ExpectMsg<LoadAllCompleted>();
    }

    [Fact]
    public void Every_store_is_acknowledged_with_the_success_message_to_the_reply_address()
    {
        var store = Sys.ActorOf(StoreProps());
        var replyTo = CreateTestProbe();

        foreach (var (key, version) in new[] { ("a", 1L), ("b", 2L), ("a", 3L), ("c", 4L) })
        {
            store.Tell(StoreOf(key, version, replyTo.Ref));
            replyTo.ExpectMsg("ok");
        }

        ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public void A_restarted_store_recovers_the_latest_value_of_every_key_from_the_journal()
    {
        var store = Sys.ActorOf(StoreProps());
        StoreAll(store, ("a", 1), ("b", 2));
        Stop(store);

        var restarted = Sys.ActorOf(StoreProps());
        restarted.Tell(LoadAll.Instance);

        AssertLoaded(ExpectMsg<LoadData>(), ("a", 1), ("b", 2));
        ExpectMsg<LoadAllCompleted>();
    }

    [Fact]
    public void A_key_shard_writes_only_the_objects_that_changed_and_comes_back_whole()
    {
        var store = Sys.ActorOf(StoreProps());
        var clock = new HybridLogicalClock("node1");
        ManagedObject NewObject(int i) => ManagedObject.Create($"uid-{i:D3}", ObjectType.SymmetricKey, 3, 256, [(byte)i, 1, 2, 3],
            clock.Now(), DateTimeOffset.UtcNow, [$"key-{i}"]);
        var shard = KeyShard.FromObjects(Enumerable.Range(0, 3).Select(NewObject));
        var written = new List<long>();

        void Store(KeyShard s)
        {
            store.Tell(new Store("okv-shard-0001", new DurableDataEnvelope(s), new StoreReply("ok", "fail", TestActor)));
            ExpectMsg("ok");
            store.Tell(GetDurableStoreStats.Instance);
            written.Add(ExpectMsg<DurableStoreStats>().ObjectsWritten);
        }

        Store(shard);
        var grown = shard.Put(NewObject(3)).ResetDelta();
        Store(grown);
        Store(grown); // unchanged: acknowledged without a write
        var changed = grown.Put(grown.Get("uid-001")!.Activate(DateTimeOffset.UtcNow)).ResetDelta();
        Store(changed);

        Assert.Equal([3, 4, 4, 5], written);
        Assert.Equal(4L, Scalar("SELECT count(*) FROM okv_durable_object WHERE data_key = 'okv-shard-0001'"));
        Stop(store);

        var reopened = Sys.ActorOf(StoreProps());
        reopened.Tell(LoadAll.Instance);
        var loaded = Assert.IsType<KeyShard>(ExpectMsg<LoadData>().Data["okv-shard-0001"].Data);
        ExpectMsg<LoadAllCompleted>();
        Assert.Equal(4, loaded.Count);
        Assert.Equal(changed.DigestHex, loaded.DigestHex);
        Assert.Equal(LifecycleState.Active, loaded.Get("uid-001")!.State);
    }

    [Fact]
    public async Task A_new_store_in_a_new_system_loads_the_latest_value_of_every_key()
    {
        var store = Sys.ActorOf(StoreProps());
        StoreAll(store, ("a", 1), ("b", 2), ("c", 3), ("a", 4), ("b", 5), ("d", 6), ("a", 7));
        Stop(store);

        var second = ActorSystem.Create(nameof(SqlDurableStoreTests) + "-second", SystemConfig(_directory));
        try
        {
            var probe = CreateTestProbe(second);
            var reopened = second.ActorOf(StoreProps());

            probe.Send(reopened, LoadAll.Instance);

            AssertLoaded(probe.ExpectMsg<LoadData>(), ("a", 7), ("b", 5), ("c", 3), ("d", 6));
            probe.ExpectMsg<LoadAllCompleted>();
        }
        finally
        {
            await ShutdownAsync(second, verifySystemShutdown: true);
        }
    }

    [Fact]
    public void A_reopened_store_keeps_storing_and_the_next_restart_sees_both_generations()
    {
        var first = Sys.ActorOf(StoreProps());
        StoreAll(first, ("a", 1), ("b", 2), ("c", 3), ("a", 4));
        Stop(first);

        var second = Sys.ActorOf(StoreProps());
        second.Tell(LoadAll.Instance);
        AssertLoaded(ExpectMsg<LoadData>(), ("a", 4), ("b", 2), ("c", 3));
        ExpectMsg<LoadAllCompleted>();
        StoreAll(second, ("b", 5), ("e", 6), ("c", 7));
        Stop(second);

        var third = Sys.ActorOf(StoreProps());
        third.Tell(LoadAll.Instance);

        AssertLoaded(ExpectMsg<LoadData>(), ("a", 4), ("b", 5), ("c", 7), ("e", 6));
        ExpectMsg<LoadAllCompleted>();
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(_directory, recursive: true);
        }
    }

    internal static Config SystemConfig(string directory)
    {
        var database = Path.Combine(directory, "okv.db").Replace("\\", "/", StringComparison.Ordinal);
        return ConfigurationFactory.ParseString($$"""
                akka.actor.provider = local
                akka.persistence.journal.plugin = "akka.persistence.journal.sql"
                akka.persistence.journal.sql {
                  connection-string = "Data Source={{database}}"
                  provider-name = "SQLite.MS"
                  auto-initialize = true
                }
                akka.persistence.snapshot-store.plugin = "akka.persistence.snapshot-store.sql"
                akka.persistence.snapshot-store.sql {
                  connection-string = "Data Source={{database}}"
                  provider-name = "SQLite.MS"
                  auto-initialize = true
                }
                """)
            .WithFallback(OkvClusterSettings.DefaultConfig())
            .WithFallback(SqlPersistence.DefaultConfiguration)
            .WithFallback(DistributedData.DefaultConfig());
    }

    /// <summary>The store as the Replicator creates it: the durable section of the defaults, plus <paramref name="sql"/> overrides.</summary>
    internal static Props StoreProps(string sql = "") =>
        Props.Create(() => new SqlDurableStore(ConfigurationFactory.ParseString(sql)
            .WithFallback(OkvClusterSettings.DefaultConfig().GetConfig("akka.cluster.distributed-data.durable"))));

    private static Store StoreOf(string key, long version, IActorRef replyTo) =>
        new(key, new DurableDataEnvelope(RegistryAt(version)), new StoreReply("ok", "fail", replyTo));

    /// <summary>A registry whose version tells which store wrote it.</summary>
    internal static ControllerRegistry RegistryAt(long version)
    {
        var founder = new NodeRecord("node1", "sg01", NodeState.Active, "aa01", "akka.ssl.tcp://okv@127.0.0.1:4053", "1.2.3",
            new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.Zero));
        return new ControllerRegistry(ControllerState.Genesis(Policy, founder, "node1") with { Version = version });
    }

    private void StoreAll(IActorRef store, params (string Key, long Version)[] stores)
    {
        foreach (var (key, version) in stores)
        {
            store.Tell(StoreOf(key, version, TestActor));
            ExpectMsg("ok");
        }
    }

    private void Stop(IActorRef store)
    {
        Watch(store);
        Sys.Stop(store);
        ExpectTerminated(store);
        Unwatch(store);
    }

    private static void AssertLoaded(LoadData loaded, params (string Key, long Version)[] expected)
    {
        Assert.Equal(expected.Select(e => e.Key).Order(StringComparer.Ordinal), loaded.Data.Keys.Order(StringComparer.Ordinal));
        foreach (var (key, version) in expected)
        {
            var registry = Assert.IsType<ControllerRegistry>(loaded.Data[key].Data);
            Assert.Equal(version, registry.State.Version);
            Assert.Equal("okv", registry.State.Policy.ClusterName);
            Assert.Equal("aa01", Assert.Single(registry.State.Nodes).Fingerprint);
        }
    }

    private long Scalar(string sql)
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(_directory, "okv.db")}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)command.ExecuteScalar()!;
    }
}
