using Akka.Actor;
using Akka.DistributedData;
using Akka.DistributedData.Durable;
using Microsoft.Data.Sqlite;
using OkvActors.Cluster.Controller;
using OkvActors.Cluster.Durability;
using OkvActors.KeyStore.Model;
using OkvActors.KeyStore.Replication;
using Xunit;
using Xunit.Abstractions;

namespace OkvActors.Cluster.Tests.Durability;

/// <summary>
/// Group commit on the real SQLite file. A commit is held by another connection that owns the file's
/// write lock (what a second writer does to the store in production), and made to fail by a trigger
/// that refuses one object: the store meets a real database in both cases.
/// </summary>
public sealed class SqlDurableStoreGroupCommitTests : Akka.TestKit.Xunit2.TestKit
{
    private readonly string _directory;
    private readonly HybridLogicalClock _clock = new("node1");

    public SqlDurableStoreGroupCommitTests(ITestOutputHelper output)
        : this(Directory.CreateTempSubdirectory("okv-group-commit-").FullName, output)
    {
    }

    private SqlDurableStoreGroupCommitTests(string directory, ITestOutputHelper output)
        : base(SqlDurableStoreTests.SystemConfig(directory), nameof(SqlDurableStoreGroupCommitTests), output)
    {
        _directory = directory;
    }

    private string Database => Path.Combine(_directory, "okv.db");

    [Fact]
    public void A_store_is_acknowledged_only_after_the_transaction_holding_it_commits()
    {
        var store = StartedStore();
        var replyTo = CreateTestProbe();
        var shard = Shard("a", 3);

        using (HoldWriteLock())
        {
            store.Tell(new Store("okv-shard-0001", new DurableDataEnvelope(shard), new StoreReply("ok", "fail", replyTo.Ref)));

            // The write lock is elsewhere: the transaction cannot commit, so no reply may leave.
            replyTo.ExpectNoMsg(TimeSpan.FromMilliseconds(500));
            Assert.Equal(0, ObjectRows("okv-shard-0001"));
        }

        replyTo.ExpectMsg("ok");
        Assert.Equal(3, ObjectRows("okv-shard-0001"));
    }

    [Fact]
    public void Stores_queued_behind_a_commit_go_into_one_transaction_and_stores_of_one_key_keep_the_last_value()
    {
        var store = StartedStore();
        var replyTo = CreateTestProbe();
        var first = Shard("a", 2);
        var grown = first.Put(NewObject("a-late")).ResetDelta();
        var last = grown.Put(grown.Get("a-late")!.Activate(DateTimeOffset.UtcNow)).ResetDelta();
        var other = Shard("b", 4);
        var before = Stats(store);

        using (HoldWriteLock())
        {
            Send(store, "okv-shard-0001", first, "first", replyTo.Ref);
            Send(store, "okv-shard-0002", other, "other", replyTo.Ref);
            store.Tell(new Store("okv-controller", new DurableDataEnvelope(SqlDurableStoreTests.RegistryAt(5)), new StoreReply("registry", "registry-failed", replyTo.Ref)));
            Send(store, "okv-shard-0001", grown, "grown", replyTo.Ref);
            Send(store, "okv-shard-0001", last, "last", replyTo.Ref);

            // The stats answer comes after the store handled every Store above (one mailbox), all queued behind the held one.
            Assert.Equal(1, Stats(store).StoresCoalesced - before.StoresCoalesced);
            replyTo.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        }

        replyTo.ExpectMsg("first");
        replyTo.ExpectMsgAllOf(["other", "registry", "grown", "last"]);
        var after = Stats(store);
        Assert.Equal(2, after.Transactions - before.Transactions);
        Assert.Equal(5, after.StoresAcknowledged - before.StoresAcknowledged);

        var loaded = LoadAllFromANewStore(store);
        Assert.Equal(last.DigestHex, ((KeyShard)loaded["okv-shard-0001"].Data).DigestHex);
        Assert.Equal(LifecycleState.Active, ((KeyShard)loaded["okv-shard-0001"].Data).Get("a-late")!.State);
        Assert.Equal(other.DigestHex, ((KeyShard)loaded["okv-shard-0002"].Data).DigestHex);
        Assert.Equal(5, ((ControllerRegistry)loaded["okv-controller"].Data).State.Version);
    }

    [Fact]
    public void A_failed_transaction_fails_every_store_in_it_and_loses_nothing_acknowledged()
    {
        var store = StartedStore();
        var replyTo = CreateTestProbe();
        var acknowledged = Shard("a", 3);
        Send(store, "okv-shard-0001", acknowledged, "acknowledged", replyTo.Ref);
        store.Tell(new Store("okv-controller", new DurableDataEnvelope(SqlDurableStoreTests.RegistryAt(1)), new StoreReply("registry-1", "registry-1-failed", replyTo.Ref)));
        replyTo.ExpectMsgAllOf(["acknowledged", "registry-1"]);
        Execute("CREATE TRIGGER refuse_poison BEFORE INSERT ON okv_durable_object WHEN NEW.uid = 'poison' BEGIN SELECT RAISE(ABORT, 'refused'); END;");
        var poisoned = acknowledged.WithObjects([NewObject("a-next"), NewObject("poison")]).ResetDelta();
        var other = Shard("b", 2);

        using (HoldWriteLock())
        {
            Send(store, "okv-shard-0003", Shard("c", 1), "in-flight", replyTo.Ref);
            Send(store, "okv-shard-0001", poisoned, "poisoned", replyTo.Ref);
            Send(store, "okv-shard-0002", other, "other", replyTo.Ref);
            store.Tell(new Store("okv-controller", new DurableDataEnvelope(SqlDurableStoreTests.RegistryAt(2)), new StoreReply("registry-2", "registry-2-failed", replyTo.Ref)));
            Stats(store);
        }

        replyTo.ExpectMsg("in-flight");
        replyTo.ExpectMsgAllOf(["poisoned-failed", "other-failed", "registry-2-failed"]);
        Assert.Equal(3, Stats(store).StoresFailed);
        Assert.Equal(3, ObjectRows("okv-shard-0001"));
        Assert.Equal(0, ObjectRows("okv-shard-0002"));

        // The failed values are still the Replicator's: its next Store of the key writes all of them.
        Execute("DROP TRIGGER refuse_poison");
        Send(store, "okv-shard-0001", poisoned, "poisoned-again", replyTo.Ref);
        replyTo.ExpectMsg("poisoned-again");
        var loaded = LoadAllFromANewStore(store);
        Assert.Equal(poisoned.DigestHex, ((KeyShard)loaded["okv-shard-0001"].Data).DigestHex);
        Assert.False(loaded.ContainsKey("okv-shard-0002"));
        Assert.Equal(1, ((ControllerRegistry)loaded["okv-controller"].Data).State.Version);
    }

    [Fact]
    public void A_transaction_takes_at_most_max_batch_stores_keys()
    {
        var store = StartedStore("sql.max-batch-stores = 2");
        var replyTo = CreateTestProbe();
        var before = Stats(store);

        using (HoldWriteLock())
        {
            for (var i = 0; i < 6; i++)
            {
                Send(store, $"okv-shard-{i:D4}", Shard($"k{i}", 1), $"stored-{i}", replyTo.Ref);
            }

            Stats(store);
        }

        replyTo.ExpectMsgAllOf(Enumerable.Range(0, 6).Select(i => $"stored-{i}").ToArray());
        // One held transaction with the first Store, then the five queued ones two at a time.
        Assert.Equal(4, Stats(store).Transactions - before.Transactions);
    }

    [Fact]
    public void An_object_row_that_does_not_decode_fails_the_load_naming_its_key_and_stays_in_place()
    {
        var store = StartedStore();
        Stop(store);
        Execute("INSERT INTO okv_durable_object (data_key, uid, encoding) VALUES ('okv-shard-0009', 'broken', x'ff00')");

        var reopened = Sys.ActorOf(SqlDurableStoreTests.StoreProps());
        EventFilter.Exception<LoadFailedException>(contains: "okv-shard-0009").ExpectOne(() => reopened.Tell(LoadAll.Instance));

        Assert.Equal(1, ObjectRows("okv-shard-0009"));
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

    /// <summary>A store past its (empty) load with its tables created by one acknowledged write.</summary>
    private IActorRef StartedStore(string sql = "")
    {
        var store = Sys.ActorOf(SqlDurableStoreTests.StoreProps(sql));
        store.Tell(LoadAll.Instance);
        ExpectMsg<LoadAllCompleted>();
        store.Tell(new Store("okv-shard-warm", new DurableDataEnvelope(Shard("warm", 1)), new StoreReply("warm", "warm-failed", TestActor)));
        ExpectMsg("warm");
        return store;
    }

    private static void Send(IActorRef store, string key, KeyShard shard, string reply, IActorRef replyTo) =>
        store.Tell(new Store(key, new DurableDataEnvelope(shard), new StoreReply(reply, reply + "-failed", replyTo)));

    private DurableStoreStats Stats(IActorRef store)
    {
        var probe = CreateTestProbe();
        store.Tell(GetDurableStoreStats.Instance, probe.Ref);
        return probe.ExpectMsg<DurableStoreStats>();
    }

    private IReadOnlyDictionary<string, DurableDataEnvelope> LoadAllFromANewStore(IActorRef store)
    {
        Stop(store);
        var reopened = Sys.ActorOf(SqlDurableStoreTests.StoreProps());
        reopened.Tell(LoadAll.Instance);
        var loaded = ExpectMsg<LoadData>().Data;
        ExpectMsg<LoadAllCompleted>();
        return loaded;
    }

    private ManagedObject NewObject(string uid) =>
        ManagedObject.Create(uid, ObjectType.SymmetricKey, 3, 256, [1, 2, 3], _clock.Now(), DateTimeOffset.UtcNow, [uid]);

    private KeyShard Shard(string prefix, int count) =>
        KeyShard.FromObjects(Enumerable.Range(0, count).Select(i => NewObject($"{prefix}-{i}")));

    /// <summary>Another connection takes the file's write lock; disposing commits its empty transaction.</summary>
    private IDisposable HoldWriteLock()
    {
        var connection = new SqliteConnection($"Data Source={Database};Pooling=False");
        connection.Open();
        var transaction = connection.BeginTransaction(deferred: false);
        return new Held(connection, transaction);
    }

    private long ObjectRows(string key)
    {
        using var connection = new SqliteConnection($"Data Source={Database};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM okv_durable_object WHERE data_key = @key";
        command.Parameters.AddWithValue("@key", key);
        return (long)command.ExecuteScalar()!;
    }

    private void Execute(string sql)
    {
        using var connection = new SqliteConnection($"Data Source={Database};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private void Stop(IActorRef store)
    {
        Watch(store);
        Sys.Stop(store);
        ExpectTerminated(store);
        Unwatch(store);
    }

    private sealed class Held(SqliteConnection connection, SqliteTransaction transaction) : IDisposable
    {
        public void Dispose()
        {
            transaction.Commit();
            transaction.Dispose();
            connection.Dispose();
        }
    }
}
