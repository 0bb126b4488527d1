using Akka.Actor;
using Akka.Configuration;
using Akka.DistributedData.Durable;
using Akka.Event;
using Akka.Persistence;
using OkvActors.Cluster.Serialization;

namespace OkvActors.Cluster.Durability;

/// <summary>A durable key this node has stored at least once (the index of the store's children).</summary>
public sealed record DurableKeyAdded(string Key) : IOkvMessage;

public sealed record DurableKeyIndex(IReadOnlyList<string> Keys) : IOkvMessage;

/// <summary>
/// Distributed Data's durable store on Akka.Persistence.Sql (the node's SQLite file by default). The
/// Replicator asks it to store a durable key before it acknowledges a write, so a majority write to a
/// durable key is on disk on a majority of nodes.
/// <para>
/// Each key has its own persistent child (<see cref="DurableKeyStore"/>): recovery and snapshots stay
/// per key, and a key shard journals only the objects that changed, never the whole shard. This actor
/// keeps the index of keys (so it knows which children to load at start) and routes to them.
/// </para>
/// </summary>
public sealed class SqlDurableStore : ReceivePersistentActor, IWithStash
{
    private sealed record Loading(IActorRef ReplyTo, HashSet<string> Remaining, Dictionary<string, DurableDataEnvelope> Loaded);

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly HashSet<string> _keys = new(StringComparer.Ordinal);
    private readonly int _snapshotEvery;

    public SqlDurableStore(Config config)
    {
        _snapshotEvery = config.GetInt("sql.snapshot-every", 100);
        PersistenceId = config.GetString("sql.persistence-id", "okv-ddata-durable");

        Recover<DurableKeyAdded>(e => _keys.Add(e.Key));
        Recover<SnapshotOffer>(offer =>
        {
            _keys.Clear();
            _keys.UnionWith(((DurableKeyIndex)offer.Snapshot).Keys);
        });
        Recover<RecoveryCompleted>(_ =>
        {
            foreach (var key in _keys)
            {
                Child(key);
            }
        });

        Command<LoadAll>(_ => LoadAll());
        Command<Store>(Store);
        Command<SaveSnapshotSuccess>(s => DeleteMessages(s.Metadata.SequenceNr));
        Command<SaveSnapshotFailure>(f => _log.Warning("Durable store index snapshot failed: {0}", f.Cause.Message));
        Command<DeleteMessagesSuccess>(_ => { });
        Command<DeleteMessagesFailure>(f => _log.Warning("Durable store index trim failed: {0}", f.Cause.Message));
    }

    public override string PersistenceId { get; }

    private IActorRef Child(string key)
    {
        var name = Uri.EscapeDataString(key);
        var child = Context.Child(name);
        return !child.Equals(ActorRefs.Nobody)
            ? child
            : Context.ActorOf(DurableKeyStore.Props($"{PersistenceId}-{key}", key, _snapshotEvery), name);
    }

    private void LoadAll()
    {
        if (_keys.Count == 0)
        {
            Sender.Tell(LoadAllCompleted.Instance);
            _log.Info("Durable store loaded 0 key(s)");
            return;
        }

        var loading = new Loading(Sender, new HashSet<string>(_keys, StringComparer.Ordinal), new Dictionary<string, DurableDataEnvelope>(StringComparer.Ordinal));
        foreach (var key in _keys)
        {
            Child(key).Tell(DurableKeyStore.Load.Instance);
        }

        BecomeStacked(() => AwaitLoads(loading));
    }

    private void AwaitLoads(Loading loading)
    {
        Command<DurableKeyStore.Loaded>(loaded =>
        {
            if (loaded.Envelope is not null)
            {
                loading.Loaded[loaded.Key] = loaded.Envelope;
            }

            loading.Remaining.Remove(loaded.Key);
            if (loading.Remaining.Count > 0)
            {
                return;
            }

            if (loading.Loaded.Count > 0)
            {
                loading.ReplyTo.Tell(new LoadData(System.Collections.Immutable.ImmutableDictionary.CreateRange(StringComparer.Ordinal, loading.Loaded)));
            }

            loading.ReplyTo.Tell(LoadAllCompleted.Instance);
            _log.Info("Durable store loaded {0} key(s)", loading.Loaded.Count);
            UnbecomeStacked();
            Stash.UnstashAll();
        });
        Command<DurableKeyStore.LoadFailed>(failed =>
            throw new LoadFailedException($"durable key '{failed.Key}' could not be loaded", failed.Cause));
        CommandAny(_ => Stash.Stash());
    }

    private void Store(Store store)
    {
        if (_keys.Contains(store.Key))
        {
            Child(store.Key).Forward(store);
            return;
        }

        var sender = Sender;
        Persist(new DurableKeyAdded(store.Key), added =>
        {
            _keys.Add(added.Key);
            Child(added.Key).Tell(store, sender);
            if (LastSequenceNr % _snapshotEvery == 0)
            {
                SaveSnapshot(new DurableKeyIndex(_keys.Order(StringComparer.Ordinal).ToArray()));
            }
        });
    }
}
