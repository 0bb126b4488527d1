using Akka.Actor;
using Akka.DistributedData.Durable;
using Akka.Event;
using Akka.Persistence;
using OkvActors.Cluster.Serialization;
using OkvActors.KeyStore.Model;
using OkvActors.KeyStore.Replication;
using OkvActors.KeyStore.Serialization;

namespace OkvActors.Cluster.Durability;

/// <summary>A durable entry journalled whole: the Distributed Data key and its serialized envelope (small keys).</summary>
public sealed record DurableEntryStored(string Key, int SerializerId, string Manifest, byte[] Envelope) : IOkvMessage;

/// <summary>
/// Objects of a key shard as journalled: only those that changed since the last store (or, in a
/// snapshot, all of them), in the key store's deterministic encoding. Replaying merges them, which is
/// safe in any order because each object is a CRDT.
/// </summary>
public sealed record ShardObjectsStored(string Key, byte[] Objects) : IOkvMessage;

/// <summary>
/// The durable copy of one Distributed Data key on this node. For a <see cref="KeyShard"/> it diffs the
/// shard it is given against the one it last stored (by reference first: the Replicator's shards share
/// unchanged objects) and journals only the changed objects; other data is journalled whole. Snapshots
/// every <c>snapshot-every</c> events bound recovery, then the journal is trimmed.
/// </summary>
public sealed class DurableKeyStore : ReceivePersistentActor
{
    public sealed class Load
    {
        public static readonly Load Instance = new();
    }

    public sealed record Loaded(string Key, DurableDataEnvelope? Envelope);

    public sealed record LoadFailed(string Key, Exception Cause);

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly string _key;
    private readonly int _snapshotEvery;
    private DurableEntryStored? _entry;
    private KeyShard? _shard;

    public DurableKeyStore(string persistenceId, string key, int snapshotEvery)
    {
        PersistenceId = persistenceId;
        _key = key;
        _snapshotEvery = snapshotEvery;

        Recover<DurableEntryStored>(e => _entry = e);
        Recover<ShardObjectsStored>(e => _shard = Merge(_shard, e.Objects));
        Recover<SnapshotOffer>(offer =>
        {
            switch (offer.Snapshot)
            {
                case DurableEntryStored entry:
                    _entry = entry;
                    break;
                case ShardObjectsStored shard:
                    _shard = Merge(null, shard.Objects);
                    break;
            }
        });

        Command<Load>(_ => Sender.Tell(LoadEnvelope()));
        Command<Store>(Store);
        Command<SaveSnapshotSuccess>(s =>
        {
            // The snapshot holds everything: drop the events and the older snapshots it supersedes.
            DeleteMessages(s.Metadata.SequenceNr);
            DeleteSnapshots(new SnapshotSelectionCriteria(s.Metadata.SequenceNr - 1));
        });
        Command<DeleteSnapshotsSuccess>(_ => { });
        Command<DeleteSnapshotsFailure>(f => _log.Warning("Durable key {0}: old snapshots not deleted: {1}", _key, f.Cause.Message));
        Command<SaveSnapshotFailure>(f => _log.Warning("Durable key {0}: snapshot failed: {1}", _key, f.Cause.Message));
        Command<DeleteMessagesSuccess>(_ => { });
        Command<DeleteMessagesFailure>(f => _log.Warning("Durable key {0}: journal trim failed: {1}", _key, f.Cause.Message));
    }

    public override string PersistenceId { get; }

    public static Props Props(string persistenceId, string key, int snapshotEvery) =>
        Akka.Actor.Props.Create(() => new DurableKeyStore(persistenceId, key, snapshotEvery));

    private object LoadEnvelope()
    {
        try
        {
            if (_shard is not null)
            {
                return new Loaded(_key, new DurableDataEnvelope(_shard));
            }

            return _entry is null
                ? new Loaded(_key, null)
                : new Loaded(_key, (DurableDataEnvelope)Context.System.Serialization.Deserialize(_entry.Envelope, _entry.SerializerId, _entry.Manifest));
        }
        catch (Exception e)
        {
            return new LoadFailed(_key, e);
        }
    }

    private void Store(Store store)
    {
        var reply = store.Reply;
        if (store.Data.Data is KeyShard shard)
        {
            var changed = Changed(_shard, shard);
            if (changed.Count == 0)
            {
                _shard = shard;
                reply?.ReplyTo.Tell(reply.SuccessMessage);
                return;
            }

            Persist(new ShardObjectsStored(_key, KeyStoreSerializer.Write(changed)), _ =>
            {
                _shard = shard;
                reply?.ReplyTo.Tell(reply.SuccessMessage);
                SnapshotNow(() => new ShardObjectsStored(_key, KeyStoreSerializer.Write(shard.Objects)));
            });
            return;
        }

        var serializer = Context.System.Serialization.FindSerializerFor(store.Data);
        var entry = new DurableEntryStored(_key, serializer.Identifier,
            Akka.Serialization.Serialization.ManifestFor(serializer, store.Data), serializer.ToBinary(store.Data));
        Persist(entry, stored =>
        {
            _entry = stored;
            reply?.ReplyTo.Tell(reply.SuccessMessage);
            SnapshotNow(() => stored);
        });
    }

    private void SnapshotNow(Func<object> snapshot)
    {
        if (LastSequenceNr % _snapshotEvery == 0)
        {
            SaveSnapshot(snapshot());
        }
    }

    protected override void OnPersistFailure(Exception cause, object @event, long sequenceNr)
    {
        // No reply: the Replicator counts the write as failed, so no client is told "stored".
        _log.Error(cause, "Durable key {0} could not be persisted", _key);
        base.OnPersistFailure(cause, @event, sequenceNr);
    }

    /// <summary>Objects of <paramref name="next"/> that <paramref name="stored"/> lacks or holds differently.</summary>
    private static System.Collections.Immutable.ImmutableSortedDictionary<string, ManagedObject> Changed(KeyShard? stored, KeyShard next)
    {
        if (stored is null)
        {
            return next.Objects;
        }

        var changed = System.Collections.Immutable.ImmutableSortedDictionary.CreateBuilder<string, ManagedObject>(StringComparer.Ordinal);
        foreach (var (uid, o) in next.Objects)
        {
            if (!stored.Objects.TryGetValue(uid, out var before)
                || (!ReferenceEquals(before, o) && !before.Encoding.SequenceEqual(o.Encoding)))
            {
                changed[uid] = o;
            }
        }

        return changed.ToImmutable();
    }

    private static KeyShard Merge(KeyShard? shard, byte[] objects) =>
        (shard ?? KeyShard.Empty).MergeDelta(KeyShardDelta.Of(KeyStoreSerializer.Read(objects)));
}
