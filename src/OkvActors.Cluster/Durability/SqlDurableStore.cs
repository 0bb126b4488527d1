using Akka.Actor;
using Akka.Configuration;
using Akka.DistributedData.Durable;
using Akka.Event;
using Akka.Persistence;
using OkvActors.Cluster.Serialization;

namespace OkvActors.Cluster.Durability;

/// <summary>A durable entry as journalled: the Distributed Data key and its serialized envelope.</summary>
public sealed record DurableEntryStored(string Key, int SerializerId, string Manifest, byte[] Envelope) : IOkvMessage;

public sealed record DurableSnapshot(IReadOnlyList<DurableEntryStored> Entries) : IOkvMessage;

/// <summary>
/// Distributed Data's durable store on Akka.Persistence.Sql (the node's SQLite file by default).
/// The Replicator asks it to store a durable key before acknowledging a write, so a majority write
/// to a durable key is on disk on a majority. Each store journals only the key that changed; a
/// snapshot of all keys every <c>snapshot-every</c> events bounds recovery and the journal's size.
/// Meant for small, rarely written keys (the controller registry); key shards need a per-object store.
/// </summary>
public sealed class SqlDurableStore : ReceivePersistentActor
{
    private readonly Dictionary<string, DurableEntryStored> _entries = new(StringComparer.Ordinal);
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly int _snapshotEvery;

    public SqlDurableStore(Config config)
    {
        _snapshotEvery = config.GetInt("sql.snapshot-every", 100);
        PersistenceId = config.GetString("sql.persistence-id", "okv-ddata-durable");

        Recover<DurableEntryStored>(e => _entries[e.Key] = e);
        Recover<SnapshotOffer>(offer =>
        {
            _entries.Clear();
            foreach (var e in ((DurableSnapshot)offer.Snapshot).Entries)
            {
                _entries[e.Key] = e;
            }
        });

        Command<LoadAll>(_ => LoadAll());
        Command<Store>(Store);
        Command<SaveSnapshotSuccess>(s => DeleteMessages(s.Metadata.SequenceNr));
        Command<SaveSnapshotFailure>(f => _log.Warning("Durable store snapshot failed: {0}", f.Cause.Message));
        Command<DeleteMessagesSuccess>(_ => { });
        Command<DeleteMessagesFailure>(f => _log.Warning("Durable store journal trim failed: {0}", f.Cause.Message));
    }

    public override string PersistenceId { get; }

    private void LoadAll()
    {
        var serialization = Context.System.Serialization;
        var loaded = new Dictionary<string, DurableDataEnvelope>(StringComparer.Ordinal);
        foreach (var entry in _entries.Values)
        {
            try
            {
                loaded[entry.Key] = (DurableDataEnvelope)serialization.Deserialize(entry.Envelope, entry.SerializerId, entry.Manifest);
            }
            catch (Exception e)
            {
                throw new LoadFailedException($"durable key '{entry.Key}' could not be read", e);
            }
        }

        if (loaded.Count > 0)
        {
            Sender.Tell(new LoadData(loaded.ToImmutableDictionaryOrdinal()));
        }

        Sender.Tell(LoadAllCompleted.Instance);
        _log.Info("Durable store loaded {0} key(s)", loaded.Count);
    }

    private void Store(Store store)
    {
        var serialization = Context.System.Serialization;
        var serializer = serialization.FindSerializerFor(store.Data);
        var entry = new DurableEntryStored(
            store.Key,
            serializer.Identifier,
            Akka.Serialization.Serialization.ManifestFor(serializer, store.Data),
            serializer.ToBinary(store.Data));
        var reply = store.Reply;
        Persist(entry, stored =>
        {
            _entries[stored.Key] = stored;
            reply?.ReplyTo.Tell(reply.SuccessMessage);
            if (LastSequenceNr % _snapshotEvery == 0)
            {
                SaveSnapshot(new DurableSnapshot(_entries.Values.ToArray()));
            }
        });
    }

    protected override void OnPersistFailure(Exception cause, object @event, long sequenceNr)
    {
        // The Replicator treats a missing reply as a failed write, so the client is never told "stored".
        _log.Error(cause, "Durable store could not persist key [{0}]", ((DurableEntryStored)@event).Key);
        base.OnPersistFailure(cause, @event, sequenceNr);
    }
}

internal static class DictionaryExtensions
{
    public static System.Collections.Immutable.ImmutableDictionary<string, T> ToImmutableDictionaryOrdinal<T>(
        this Dictionary<string, T> source) =>
        System.Collections.Immutable.ImmutableDictionary.CreateRange(StringComparer.Ordinal, source);
}
