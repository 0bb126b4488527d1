using Akka.Actor;
using Akka.Configuration;
using Akka.DistributedData;
using Akka.DistributedData.Durable;
using Akka.Persistence;
using Akka.Persistence.Sql;
using Akka.TestKit;
using Microsoft.Data.Sqlite;
using OkvActors.Cluster.Controller;
using OkvActors.Cluster.Durability;
using Xunit;
using Xunit.Abstractions;

namespace OkvActors.Cluster.Tests.Durability;

public sealed class SqlDurableStoreTests : Akka.TestKit.Xunit2.TestKit
{
    private const int SnapshotEvery = 3;

    private static readonly ClusterPolicy Policy = new("okv", ["sg01"], 3, TimeSpan.FromSeconds(5), TimeSpan.FromHours(24));

    private readonly string _directory;
    private readonly string _persistenceId = $"test-{Guid.NewGuid():N}";

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
    public void A_snapshot_is_saved_every_snapshot_every_stores_and_the_journal_is_trimmed_to_it()
    {
        var store = Sys.ActorOf(StoreProps());

        StoreAll(store, ("a", 1), ("b", 2), ("c", 3), ("a", 4), ("b", 5), ("d", 6), ("a", 7));

        var snapshot = AwaitSnapshot(SnapshotEvery * 2);
        var entries = ((DurableSnapshot)snapshot.Snapshot).Entries.Select(e => e.Key).Order(StringComparer.Ordinal);
        Assert.Equal(["a", "b", "c", "d"], entries);
        AwaitJournalTrimmedTo([7]);
    }

    [Fact]
    public async Task A_new_store_in_a_new_system_loads_the_latest_value_of_every_key_from_snapshot_and_journal()
    {
        var store = Sys.ActorOf(StoreProps());
        StoreAll(store, ("a", 1), ("b", 2), ("c", 3), ("a", 4), ("b", 5), ("d", 6), ("a", 7));
        AwaitSnapshot(SnapshotEvery * 2);
        AwaitJournalTrimmedTo([7]);
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

    private static Config SystemConfig(string directory)
    {
        var database = Path.Combine(directory, "okv.db").Replace("\\", "/", StringComparison.Ordinal);
        return ConfigurationFactory.ParseString($$"""
                akka.actor.provider = cluster
                akka.remote.dot-netty.tcp { hostname = "127.0.0.1", port = 0 }
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

    private Props StoreProps()
    {
        var durableConfig = ConfigurationFactory.ParseString(
            $"sql {{ persistence-id = \"{_persistenceId}\", snapshot-every = {SnapshotEvery} }}");
        return Props.Create(() => new SqlDurableStore(durableConfig));
    }

    private static Store StoreOf(string key, long version, IActorRef replyTo) =>
        new(key, new DurableDataEnvelope(RegistryAt(version)), new StoreReply("ok", "fail", replyTo));

    /// <summary>A registry whose version tells which store wrote it.</summary>
    private static ControllerRegistry RegistryAt(long version)
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

    private SelectedSnapshot AwaitSnapshot(long sequenceNr)
    {
        var snapshots = Persistence.Instance.Apply(Sys).SnapshotStoreFor(null);
        var probe = CreateTestProbe();
        SelectedSnapshot? found = null;
        AwaitAssert(() =>
        {
            probe.Send(snapshots, new LoadSnapshot(_persistenceId, SnapshotSelectionCriteria.Latest, long.MaxValue));
            found = probe.ExpectMsg<LoadSnapshotResult>().Snapshot;
            Assert.Equal(sequenceNr, found?.Metadata.SequenceNr);
        }, TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(50));
        return found!;
    }

    private void AwaitJournalTrimmedTo(long[] remaining)
    {
        var journal = Persistence.Instance.Apply(Sys).JournalFor(null);
        var probe = CreateTestProbe();
        AwaitAssert(() =>
        {
            journal.Tell(new ReplayMessages(1, long.MaxValue, long.MaxValue, _persistenceId, probe.Ref));
            var replayed = new List<long>();
            probe.FishForMessage(message =>
            {
                if (message is ReplayedMessage m)
                {
                    replayed.Add(m.Persistent.SequenceNr);
                }

                return message is RecoverySuccess or ReplayMessagesFailure;
            });
            Assert.Equal(remaining, replayed);
        }, TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(50));
    }
}
